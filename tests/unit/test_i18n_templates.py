"""Issue 14.12: dates in the templates follow the locale (no ``strftime``, which writes
English day names and one fixed order) and a sentence is one message, not fragments glued
around values that a translator cannot reorder."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from korps.common.formatting import day, local, local_datetime
from korps.common.i18n import using
from korps.web.templating import TEMPLATES_DIR

TEMPLATES = sorted(TEMPLATES_DIR.rglob("*.html"))
#: the texts of ``_("...")`` and ``_('...')`` calls in a template line
CALL = re.compile(r"""\b_\(\s*(?:"([^"]*)"|'([^']*)')""")
#: words that only join a sentence: alone in a message they are a fragment of one
CONNECTORS = {"door", "op", "van", "vóór", "voor", "naar", "als", "t/m", "tot en met",
              "waarvan", "met", "of", "en", "bij", "tot"}  # fmt: skip


def fragments(text: str) -> list[str]:
    """The messages in ``text`` (a template) that are pieces of a sentence: a lone
    connector ("door", "op"), a text that goes on from one before it (". Behandeld door",
    "; het valt onder ...") or one with a bracket it does not close ("(antwoord vóór")."""
    found = []
    for match in CALL.finditer(text):
        message = match.group(1) if match.group(1) is not None else match.group(2)
        if (
            message.strip() in CONNECTORS
            or re.match(r"[.;,)]", message)
            or message.count("(") != message.count(")")
        ):
            found.append(message)
    return found


def test_the_templates_are_found() -> None:
    assert len(TEMPLATES) > 50


def test_no_template_formats_a_date_with_strftime() -> None:
    """strftime writes 'Mon 04-01' in every locale: the templates use the filters datum,
    dag, tijdstip and tijd (korps.common.formatting) instead."""
    used = [
        f"{path.relative_to(TEMPLATES_DIR)}:{number}"
        for path in TEMPLATES
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "strftime(" in line
    ]
    assert used == []


def test_no_template_translates_a_sentence_in_fragments() -> None:
    found = {
        str(path.relative_to(TEMPLATES_DIR)): pieces
        for path in TEMPLATES
        if (pieces := fragments(path.read_text(encoding="utf-8")))
    }
    assert found == {}


@pytest.mark.parametrize(
    ("line", "pieces"),
    [
        ('{{ _("Wij reageren uiterlijk") }} {{ d }}{{ _(". Behandeld door") }} {{ t }}',
         [". Behandeld door"]),
        ("{{ x }} {{ _('op') }} {{ unit }}", ["op"]),
        ('{{ _("(antwoord vóór") }} {{ d }})', ["(antwoord vóór"]),
        ('{{ _("Tot en met") }} <input> {{ _("Behandeld door") }} {{ _("(automatisch)") }}', []),
        ('{% trans due=d %}(antwoord vóór {{ due }}){% endtrans %}', []),
    ],
)  # fmt: skip
def test_fragments_are_told_from_labels(line: str, pieces: list[str]) -> None:
    """A label before a field ("Tot en met", "Behandeld door") is a whole message."""
    assert fragments(line) == pieces


def test_days_and_moments_per_locale() -> None:
    monday = dt.date(2027, 1, 4)
    summer = dt.datetime(2026, 7, 1, 12, 5)  # naive: UTC, as SQLite gives it back
    assert (day(monday), day(monday, "Md"), day(monday, "E"), day(None)) == (
        "ma 04-01",
        "04-01",
        "ma",
        "–",
    )
    assert local_datetime(summer) == "01-07-2026 14:05"  # Amsterdam is UTC+2 in summer
    assert local_datetime(dt.datetime(2026, 1, 1, 23, 30, tzinfo=dt.UTC)) == "02-01-2026 00:30"
    assert local(dt.datetime(2026, 12, 31, 23, 30)).date() == dt.date(2027, 1, 1)
    with using("en"):
        assert (day(monday), day(monday, "Md"), day(monday, "E")) == ("Mon, 1/4", "1/4", "Mon")
        assert local_datetime(summer) == "7/1/26, 2:05\u202fPM"
