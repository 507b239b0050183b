"""Issue 16: the portal's rules without a database: working days with Dutch public holidays,
the eligibility verdicts, the form's checks, and the reference file refused when wrong."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from korps.common.datafile import DatasetError
from korps.portal.errors import PortalInputError
from korps.portal.reference import bundled_path, load_reference, portal_reference
from korps.portal.schemas import assess, check_aangifte
from korps.portal.workdays import add_working_days, is_working_day

NO = {"nu": "nee", "gevaar": "nee", "dader_bekend": "nee", "geweld": "nee", "onder_13": "nee"}
REQUIRED_CATEGORIES = {
    "diefstal", "fietsdiefstal", "diefstal-uit-auto", "vernieling", "internetoplichting",
    "verlies", "gevonden-voorwerp",
}  # fmt: skip
REQUIRED_STATUSES = [
    "ontvangen", "in-behandeling", "info-gevraagd", "info-ontvangen", "doorgezet",
    "afgehandeld", "heropend", "geannuleerd",
]  # fmt: skip


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 4, 27), False),  # Koningsdag (Monday)
        (date(2026, 4, 3), False),  # Goede Vrijdag
        (date(2026, 4, 6), False),  # Tweede Paasdag
        (date(2026, 5, 14), False),  # Hemelvaart
        (date(2026, 5, 25), False),  # Tweede Pinksterdag
        (date(2026, 12, 25), False),
        (date(2026, 12, 26), False),
        (date(2026, 5, 16), False),  # a Saturday
        (date(2026, 5, 15), True),
        (date(2025, 5, 5), False),  # Bevrijdingsdag in a lustrum year
    ],
)
def test_working_days(day: date, working: bool) -> None:
    assert is_working_day(day) is working


def test_adding_working_days_skips_weekends_and_holidays() -> None:
    assert add_working_days(date(2026, 4, 24), 1) == date(2026, 4, 28)  # over Koningsdag
    assert add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 28)  # over Christmas
    assert add_working_days(date(2026, 5, 13), 1) == date(2026, 5, 15)  # over Hemelvaart
    assert add_working_days(date(2026, 5, 15), 0) == date(2026, 5, 15)


@pytest.mark.parametrize(
    ("yes", "outcome"),
    [
        (set(), "online"),
        ({"nu"}, "112"),
        ({"gevaar", "geweld"}, "112"),
        ({"onder_13", "dader_bekend"}, "ouders"),
        ({"dader_bekend"}, "balie"),
        ({"geweld"}, "balie"),
    ],
)
def test_eligibility_verdicts(yes: set[str], outcome: str) -> None:
    verdict = assess({name: "ja" if name in yes else "nee" for name in NO})
    assert verdict.outcome == outcome
    assert bool(verdict.reasons) is (outcome in ("balie", "ouders"))


def test_form_reports_every_wrong_field_at_once() -> None:
    form = {"categorie": "onbekend", "datum": "2026-12-01", "gemeente": "", "omschrijving": "kort"}
    goods = [("", "-5", "X"), ("Fiets", "12,50", "")]
    with pytest.raises(PortalInputError) as refused:
        check_aangifte(form, goods, reference=portal_reference(), today=date(2026, 11, 30))
    assert set(refused.value.errors) == {"categorie", "datum", "gemeente", "omschrijving", "goed_1"}


def test_form_accepts_dutch_amounts_and_skips_empty_rows() -> None:
    form = {
        "categorie": "diefstal",
        "datum": "2026-11-30",
        "gemeente": "Utrecht",
        "omschrijving": "Mijn tas is gestolen in de trein.",
    }
    goods = [("Tas", "1.250,50", "SN1"), ("", "", "")]
    checked = check_aangifte(form, goods, reference=portal_reference(), today=date(2026, 11, 30))
    assert [(g.description, g.value_eur) for g in checked.goods] == [("Tas", 1250.5)]


def test_bundled_reference_has_what_the_issue_names() -> None:
    reference = portal_reference()
    assert {c.code for c in reference.categories} >= REQUIRED_CATEGORIES
    assert [s.code for s in reference.statuses] == REQUIRED_STATUSES
    assert reference.status("afgehandeld").requires == "decision"
    assert all(s.citizen and s.explanation for s in reference.statuses)
    assert reference.routing[-1].to == "basisteam"


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        ("medewerker: [heropend]\n    burger: []\n  - code: heropend",
         "medewerker: [gesloten]\n    burger: []\n  - code: heropend", "unknown next status"),
        ("deadline_days: 5", "deadline_days: -1", "minimaal 1 (kreeg -1)"),
        ("  - name: basisteam-van-de-plaats\n    when: {}",
         "  - name: basisteam-van-de-plaats\n    when: {categories: [diefstal]}", "last rule"),
        ("  - code: vernieling", "  - code: diefstal", "duplicate"),
        ("  - status: afgehandeld\n    name: Goed teruggevonden",
         "  - status: verdwenen\n    name: Goed teruggevonden", "templates: unknown status"),
    ],
)  # fmt: skip
def test_a_wrong_reference_file_is_refused_with_its_line(
    tmp_path: Path, old: str, new: str, reason: str
) -> None:
    text = bundled_path().read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "portal.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DatasetError) as refused:
        load_reference(path)
    assert reason in str(refused.value) and "portal.yaml:" in str(refused.value)
