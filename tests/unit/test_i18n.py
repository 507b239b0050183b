"""Issue 14.12: every text a user reads goes through the catalogues, the Dutch one is
complete, and numbers and dates follow the locale."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from babel.messages.catalog import Catalog

from korps.common import catalogue
from korps.common.formatting import date, datetime, number, percent, short, time
from korps.common.i18n import DEFAULT_LOCALE, LOCALES, _, chosen, gettext, using
from korps.common.reasons import reason
from korps.web.limits import dutch_message


@pytest.fixture(scope="module")
def extracted() -> dict[str | tuple[str, ...], list[tuple[str, int]]]:
    return catalogue.extract()


def test_every_marked_text_is_in_every_catalogue(
    extracted: dict[str | tuple[str, ...], list[tuple[str, int]]],
) -> None:
    """A text wrapped in _() or {% trans %} but missing from a catalogue fails here, with
    where it is; `make messages` adds it."""
    assert len(extracted) > 300  # the templates and messages, not a handful
    for locale in LOCALES:
        ids = {m.id if isinstance(m.id, str) else tuple(m.id) for m in catalogue.load(locale)}
        missing = {str(key): locations[0] for key, locations in extracted.items() if key not in ids}
        assert missing == {}, f"{locale}: not in the catalogue (run make messages): {missing}"


def test_the_dutch_catalogue_is_complete() -> None:
    assert catalogue.untranslated(catalogue.load(DEFAULT_LOCALE)) == []


def test_the_english_catalogue_translates_every_message() -> None:
    english = catalogue.load("en")
    assert catalogue.untranslated(english) == []
    same = [m.id for m in english if m.id and m.string == m.id and len(str(m.id)) > 12]
    assert len(same) < 10, same  # a few names stay as they are (RIEC, HBVS+ 2018 ...)


def test_translations_keep_the_placeholders() -> None:
    """{name} and %(name)s are filled in by the code: a translation must keep each one."""
    placeholder = re.compile(r"\{\w+\}|%\(\w+\)s")
    wrong = [
        (m.id, m.string)
        for m in catalogue.load("en")
        if m.id
        and sorted(placeholder.findall(str(m.id))) != sorted(placeholder.findall(str(m.string)))
    ]
    assert wrong == []


def test_untranslated_finds_an_empty_msgstr() -> None:
    made = Catalog(locale="en")
    made.add("Gemeenten", "Municipalities")
    made.add("Een tekst zonder vertaling", "")
    assert catalogue.untranslated(made) == ["Een tekst zonder vertaling"]


def test_texts_follow_the_locale() -> None:
    assert gettext("Gemeenten") == "Gemeenten"
    with using("en"):
        assert gettext("Gemeenten") == "Municipalities"
        assert _("{count} rijen geregistreerde misdrijven", count=3) == (
            "3 rows of registered crime"
        )
    assert gettext("Gemeenten") == "Gemeenten"  # the block restored Dutch
    assert (chosen("en-GB"), chosen("NL"), chosen("fr"), chosen(None)) == ("en", "nl", None, None)


def test_numbers_and_dates_per_locale() -> None:
    moment = dt.datetime(2026, 3, 1, 14, 5, 9, tzinfo=dt.UTC)
    assert (number(279766, 0), number(3833.2), percent(0.979), short(1.0), short(12.25)) == (
        "279.766",
        "3.833,2",
        "97,9%",
        "1",
        "12,25",
    )
    assert (date(moment.date(), "short"), datetime(moment), datetime(moment, "medium")) == (
        "01-03-2026",
        "01-03-2026 14:05",
        "01-03-2026 14:05:09",
    )
    assert date(moment.date(), "long") == "1 maart 2026" and time(moment) == "14:05"
    with using("en"):
        assert (number(279766, 0), number(3833.2), percent(0.979)) == (
            "279,766",
            "3,833.2",
            "97.9%",
        )
        assert date(moment.date(), "long") == "March 1, 2026" and time(moment) == "2:05\u202fPM"
    assert number(None) == percent(None) == date(None) == "–"


def test_validation_messages_are_dutch_and_english() -> None:
    too_long = {"type": "string_too_long", "loc": ("body", "notes"), "ctx": {"max_length": 2000}}
    assert reason(too_long) == "maximaal 2000 tekens"
    assert dutch_message(too_long) == "notities: maximaal 2000 tekens"
    minimum = {"type": "greater_than_equal", "loc": ("total",), "ctx": {"ge": 0.0}}
    assert reason(minimum) == "minimaal 0"
    assert reason({"type": "missing", "loc": ("x",)}) == "verplicht veld ontbreekt"
    ours = {"type": "value_error", "msg": "Value error, alle gewichten zijn 0"}
    assert reason(ours) == "alle gewichten zijn 0"
    with using("en"):
        assert reason(too_long) == "at most 2000 characters"
