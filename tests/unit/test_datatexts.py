"""Issue 14.12: texts that come from data (the bundled datasets) and labels of code values
reach the catalogues and are shown in the user's language; codes, sources and assumptions
are never extracted, and a text the catalogue does not know is shown as written."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import yaml

from korps.capacity import wishlist
from korps.common import catalogue
from korps.common.datatexts import TEXTS, extract_yaml, shown, texts
from korps.common.i18n import using
from korps.common.labels import LABELS, WISH_LABELS, label
from korps.controlroom import service
from korps.controlroom.reference import bundled_reference
from korps.identity.roles import ROLES
from korps.monitor import status
from korps.portal.places import Place
from korps.portal.reference import portal_reference
from korps.portal.routing import _target

DATASETS = Path(catalogue.SOURCE_DIR) / "datasets"


def _extracted(name: str) -> list[tuple[int, str]]:
    path = DATASETS / name
    handle = io.BytesIO(path.read_bytes())
    handle.name = str(path)  # the extractor chooses the whitelist by the file's name
    return [(line, text) for line, _f, text, _c in extract_yaml(handle, (), (), {})]


def _values(document: object, key: str) -> set[str]:
    """Every value at ``key`` (``a[].b``) of a loaded YAML document, the test's own walk."""
    found: list[object] = [document]
    for step in key.split("."):
        name, every = (step[:-2], True) if step.endswith("[]") else (step, False)
        if name:  # "[]" alone: the document itself is the list
            found = [d.get(name) for d in found if isinstance(d, dict)]
        if every:
            found = [item for d in found if isinstance(d, list) for item in d]
    return {str(v).strip() for v in found if isinstance(v, str)}


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_the_extractor_finds_exactly_the_whitelisted_texts(name: str) -> None:
    document = yaml.safe_load((DATASETS / name).read_text(encoding="utf-8"))
    wanted = set().union(*(_values(document, key) for key in TEXTS[name]))
    found = _extracted(name)
    assert wanted and {text for _line, text in found} == wanted
    lines = (DATASETS / name).read_text(encoding="utf-8").splitlines()
    for line, text in found:  # each text is where the catalogue says (a block: a line on)
        assert re.findall(r"\w+", text)[0] in " ".join(lines[line - 1 : line + 1]), (line, text)


def test_codes_sources_and_assumptions_are_not_extracted() -> None:
    found = {text for _line, text in _extracted("portal.yaml")}
    assert {"Diefstal", "Aanvullende informatie gevraagd", "Framenummer"} <= found
    assert "Wij hebben een vraag aan u" in found  # statuses[].citizen
    reference = portal_reference()
    codes = {c.code for c in reference.categories} | {s.code for s in reference.statuses}
    provenance = {c.source for c in reference.categories} | {
        c.assumption for c in reference.categories
    }
    assert not found & (codes | provenance)
    assert reference.title not in found  # the file's title is for maintainers
    control = {text for _line, text in _extracted("meldkamer.yaml")}
    assert "Woninginbraak heterdaad" in control and "Dubbele melding" in control
    assert not control & {c.code for c in bundled_reference().categories}
    assert not any("burglary" in text for text in control)  # assumptions are English notes


def test_a_dataset_without_a_whitelist_gives_nothing() -> None:
    assert _extracted("monitor-rotterdam.yaml") == []  # a plan: quoted as published
    assert list(texts("categories: [{name: 12}]", ["categories[].name"])) == []  # not a text


def test_make_messages_extracts_the_data_texts_with_their_place() -> None:
    found = catalogue.extract()
    assert ("datasets/portal.yaml", 14) in found["Diefstal"]
    assert any(place[0] == "datasets/monitor-indicatoren.yaml" for place in found["Ziekteverzuim"])
    tables = [*LABELS.values(), ROLES, service.STATUS_LABELS, service.INCIDENT_LABELS]
    for table in tables:  # the label tables are marked with N_()
        assert all(text in found for text in table.values()), table
    assert wishlist.LABELS is WISH_LABELS  # one table per enum


def test_data_texts_and_labels_follow_the_locale() -> None:
    status = portal_reference().status("info-gevraagd")
    assert (shown(status.citizen), label(WISH_LABELS, "geen_nacht")) == (
        "Wij hebben een vraag aan u",
        "geen nachtdienst",
    )
    with using("en"):
        assert shown(status.citizen) == "We have a question for you"
        assert shown("Woninginbraak heterdaad") == "Burglary in progress"
        assert label(WISH_LABELS, "geen_nacht") == "no night shift"
        assert label(WISH_LABELS, "x-wens-9") == "x-wens-9"  # an unknown code as it is
        assert shown("Mijn eigen categorie") == "Mijn eigen categorie"  # not in the catalogue
        assert (shown(None), shown(""), shown(3)) == ("", "", "3")  # never the .po header


def test_a_stored_routing_reason_shows_its_explanation_translated() -> None:
    reference = portal_reference()
    rule = reference.routing[-1]
    stored = f"{rule.explanation}: Basisteam Maas-Rotte (Rotterdam)"
    assert reference.route_reason(rule.name, stored) == stored
    with using("en"):
        assert reference.route_reason(rule.name, stored) == (
            "The basic team that serves the municipality of the crime scene: "
            "Basisteam Maas-Rotte (Rotterdam)"
        )
        assert reference.route_reason("weg", "iets anders") == "iets anders"
        assert reference.route_reason(rule.name, None) == ""


def test_a_routing_note_stored_in_dutch_is_shown_translated() -> None:
    """A place without a unit of the rule's kind: the stored note is Dutch, shown translated."""
    reference = portal_reference()
    rule = next(r for r in reference.routing if r.to == "district")
    place = Place("GM0599", "Rotterdam", None, None, 7, None, None)
    unit_id, note = _target(rule, place)
    assert (unit_id, note) == (7, " (geen district bekend voor deze plaats)")
    stored = f"{rule.explanation}{note}: Eenheid Rotterdam (Rotterdam)"
    assert reference.route_reason(rule.name, stored) == stored
    with using("en"):
        shown_reason = reference.route_reason(rule.name, stored)
    assert shown_reason.endswith(
        " (no district known for this place): Eenheid Rotterdam (Rotterdam)"
    )
    assert "Hetzelfde kenmerk" not in shown_reason and "geen district" not in shown_reason


def test_one_dutch_word_two_meanings_two_texts() -> None:
    """The control room's "vrij" (free after a job) is not the wish for a day off."""
    assert label(WISH_LABELS, "vrij") == "vrije dag"
    assert shown(service.STATUS_LABELS["vrij"]) == "vrij"
    with using("en"):
        assert label(WISH_LABELS, "vrij") == "day off"
        assert shown(service.STATUS_LABELS["vrij"]) == "free"


def test_the_monitors_status_and_trend_words_are_translated() -> None:
    assert status.LABELS["uit-koers"] in catalogue.extract()
    with using("en"):
        assert [shown(status.LABELS[s]) for s in ("op-koers", "aandacht")] == [
            "on track",
            "needs attention",
        ]
        assert [shown(word) for word in status.TREND_WORDS] == [
            "improving",
            "deteriorating",
            "unchanged",
            "unknown",
        ]
