"""Issue 14.12: a refusal names its field in the reader's language and says why in it, also
where the reason comes from Pydantic (a form's schema) and where the field is a code of the
model ("ends", "number"); the control room's timeline shows its stored actions translated.
Dutch by default, English with ``?lang=en``. SQLite and PostgreSQL."""

from __future__ import annotations

from fastapi.testclient import TestClient

from korps.common.i18n import using
from korps.controlroom.timeline import timeline_line
from korps.web.app import create_app
from tests.conftest import Db
from tests.integration.test_capacity_flow import TEAM, db
from tests.support.auth import login_as

__all__ = ["db"]  # capacity's database: a team of 14 people


def _absence(client: TestClient, lang: str, **values: str) -> str:
    data = {"number": "T005", "kind": "verlof", "starts": "2027-02-09", "ends": "2027-02-10"}
    refused = client.post(
        f"/eenheden/{TEAM}/capaciteit/afwezigheid?lang={lang}",
        data={**data, **values, "csrf_token": client.cookies.get("korps_csrf") or ""},
    )
    assert refused.status_code == 422, refused.text
    return refused.text.split('id="fout"', 1)[1].split("</p>", 1)[0]


def test_a_capacity_refusal_names_its_field_in_the_reader_language(db: Db) -> None:
    client = TestClient(create_app(db.engine))
    login_as(client, db.engine, role="teamchef", unit=TEAM)
    dutch = _absence(client, "nl", number="X999")  # a code of the model: "number"
    assert "personeelsnummer: " in dutch and "number" not in dutch
    english = _absence(client, "en", number="X999")
    assert "personnel number: " in english and "personeelsnummer" not in english
    # a reason from the form's schema (Pydantic) in the reader's language, not Pydantic's
    dutch = _absence(client, "nl", kind="onzin")
    assert "soort: " in dutch and "Input should" not in dutch and "toegestaan" in dutch
    english = _absence(client, "en", kind="onzin")
    assert "kind: " in english and "Input should" not in english and "allowed" in english


def test_the_timeline_translates_what_it_stored() -> None:
    assert timeline_line("incident", "afgesloten: dubbele melding") == (
        "melding afgesloten: dubbele melding"
    )
    with using("en"):
        assert timeline_line("incident", "aangemaakt") == "incident created"
        assert timeline_line("unit", "toegewezen RT-D1-01") == "unit assigned RT-D1-01"
        assert timeline_line("incident", "afgesloten: dubbele melding") == (
            "incident closed: dubbele melding"
        )
        assert timeline_line("incident", "iets anders") == "melding iets anders"  # as stored
        assert timeline_line("unit", "status") == "unit status"
