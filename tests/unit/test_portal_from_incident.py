"""Issue 16.2 without a database: the form a control-room incident fills in (category by the
mapping in ``portal.yaml``, the local date it was received, place, caller, a description that
names the incident), and a mapping to a category the portal does not have is refused."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from korps.common.datafile import DatasetError
from korps.portal.from_incident import IncidentFacts, prefill
from korps.portal.reference import bundled_path, load_reference, portal_reference


def facts(category: str, **changes: object) -> IncidentFacts:
    values: dict[str, object] = {
        "id": 42,
        "channel": "112",
        "category": category,
        "received_at": datetime(2026, 11, 30, 23, 30, tzinfo=UTC),  # 00:30 on 1 December here
        "gemeente": "Rotterdam",
        "address": "Coolsingel 40",
        "lat": 51.9225,
        "lon": 4.47917,
        "notes": "achterdeur open",
        "caller_name": "Jan Jansen",
        "eenheid_path": "/1/2/",
        "basisteam_path": "/1/2/3/",
    }
    return IncidentFacts(**{**values, **changes})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("incident", "category"),
    [
        ("woninginbraak-heterdaad", "diefstal"),
        ("fietsdiefstal-aangifte", "fietsdiefstal"),
        ("gevonden-voorwerp", "gevonden-voorwerp"),
        ("vechtpartij", ""),  # no online category: the medewerker chooses
    ],
)
def test_the_form_is_filled_in_from_the_incident(incident: str, category: str) -> None:
    form = prefill(facts(incident))
    assert form["categorie"] == category
    assert form["kanaal"] == portal_reference().from_incident.channel == "meldkamer"
    assert form["datum"] == "2026-12-01"  # the local date, not the UTC one
    assert (form["gemeente"], form["adres"], form["melder_naam"]) == (
        "Rotterdam",
        "Coolsingel 40",
        "Jan Jansen",
    )
    assert (form["lat"], form["lon"]) == ("51.922500", "4.479170")
    assert form["omschrijving"].startswith(f"Naar aanleiding van melding 42 ({incident}, via 112)")
    assert form["omschrijving"].endswith("achterdeur open")


def test_an_incident_without_place_or_caller_leaves_those_empty() -> None:
    form = prefill(facts("overval", address=None, lat=None, lon=None, caller_name=None))
    assert (form["adres"], form["lat"], form["lon"], form["melder_naam"]) == ("", "", "", "")


def test_a_mapping_to_an_unknown_category_is_refused(tmp_path: Path) -> None:
    text = bundled_path().read_text(encoding="utf-8")
    old = "    overval: diefstal\n"
    assert old in text
    path = tmp_path / "portal.yaml"
    path.write_text(text.replace(old, "    overval: roof\n", 1), encoding="utf-8")
    with pytest.raises(DatasetError) as refused:
        load_reference(path)
    assert "from_incident: unknown category roof" in str(refused.value)
