"""Issue 14.12: refusals speak the reader's language. A refusal raised by a service (identity,
the portal's form, capacity, the control room) reaches the reader in Dutch by default and in
English under ``?lang=en`` (or ``using("en")`` outside a request), translated once: the
values in it (names, numbers, codes) are kept as they are. SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from korps.common.i18n import LOCALE_COOKIE, using
from korps.identity.errors import IdentityError
from korps.identity.service import create_user
from korps.monitor.periods import within
from korps.web.app import create_app
from tests.conftest import Db
from tests.integration.test_controlroom import cr_db
from tests.integration.test_portal_flow import FIETS
from tests.support.auth import login_as, make_user, set_csrf

TEAM = "rotterdam-d1-charlois"
__all__ = ["cr_db"]  # the control room's database: bundled data and two units per team


def in_dutch(client: TestClient) -> None:
    """Forget the language a previous ``?lang=`` chose: the default again."""
    client.cookies.delete(LOCALE_COOKIE)


def test_a_refused_user_name_in_the_cli_language(cr_db: Db) -> None:
    def refusal() -> str:
        with cr_db.session() as session, pytest.raises(IdentityError) as refused:
            create_user(session, username="X!", name="X", email=None, kind="medewerker")
        return str(refused.value)

    assert refusal().startswith("gebruikersnaam: 3 tot 80 tekens; kleine letters")
    with using("en"):
        assert refusal().startswith("username: 3 to 80 characters; lower-case letters")
    assert refusal().startswith("gebruikersnaam: 3 tot 80 tekens")  # the block ended
    with cr_db.session() as session, using("en"), pytest.raises(IdentityError) as unknown:
        create_user(session, username="nieuw-x", name="X", email="geen-adres", kind="medewerker")
    assert str(unknown.value) == "not a valid e-mail address: 'geen-adres'"  # the value kept


def test_a_parsed_period_is_refused_in_the_locale() -> None:
    with pytest.raises(ValueError, match=r"^maand 13 bestaat niet \(1 tot en met 12\)$"):
        within(2025, "13")
    with using("en"), pytest.raises(ValueError, match=r"^month 13 does not exist \(1 to 12\)$"):
        within(2025, "13")


def test_the_citizens_form_names_the_refused_field_in_english(cr_db: Db) -> None:
    with TestClient(create_app(cr_db.engine)) as client:
        make_user(cr_db.engine, username="taaltje", grants=[("burger", None)], kind="burger")
        login_as(client, cr_db.engine, role="burger", unit=None, username="taaltje")
        future: dict[str, Any] = {**FIETS, "datum": "2999-01-01", "omschrijving": "kort"}
        dutch = client.post("/aangifte/nieuw", data=future)
        assert dutch.status_code == 422 and 'id="fout-datum"' in dutch.text
        assert "de datum ligt in de toekomst" in dutch.text
        assert "beschrijf wat er gebeurde (minstens 10 tekens)" in dutch.text
        english = client.post("/aangifte/nieuw?lang=en", data=future)
        assert english.status_code == 422 and 'id="fout-datum"' in english.text
        assert "the date is in the future" in english.text
        assert "describe what happened (at least 10 characters)" in english.text
        assert "de datum ligt in de toekomst" not in english.text


def test_a_capacity_refusal_through_the_api(cr_db: Db) -> None:
    url = f"/api/v1/units/{TEAM}/sick-leave?from=2026-03-31&to=2026-03-01"
    with TestClient(create_app(cr_db.engine)) as client:
        login_as(client, cr_db.engine, role="medewerker", unit=TEAM)
        dutch = client.get(url)
        assert dutch.status_code == 422
        assert dutch.json()["detail"] == "ends: de periode eindigt voordat ze begint"
        english = client.get(url + "&lang=en")
        assert english.status_code == 422
        assert english.json()["detail"] == "ends: the period ends before it begins"


def test_the_control_room_says_why_in_the_readers_language(cr_db: Db) -> None:
    api = "/api/v1/controlroom"
    with TestClient(create_app(cr_db.engine)) as client:
        login_as(client, cr_db.engine, role="centralist", unit="rotterdam")
        created = client.post(
            f"{api}/incidents",
            json={
                "eenheid": "rotterdam",
                "channel": "112",
                "category": "woninginbraak-heterdaad",
                "gemeente": "Rotterdam",
                "basisteam": TEAM,
                "address": "Wolphaertsbocht 100",
                "idempotency_key": uuid.uuid4().hex,
            },
        )
        assert created.status_code == 201, created.text
        number = created.json()["id"]
        unit = client.get(f"{api}/incidents/{number}/advice").json()["candidates"][0]["call_sign"]
        first = client.post(f"{api}/incidents/{number}/assignments", json={"unit": unit})
        assert first.status_code == 201
        dutch = client.post(f"{api}/incidents/{number}/assignments", json={"unit": unit})
        assert dutch.status_code == 409
        assert dutch.json()["detail"] == f"{unit} is uitgegeven (melding {number}): niet vrij"
        english = client.post(f"{api}/incidents/{number}/assignments?lang=en", json={"unit": unit})
        assert english.status_code == 409
        detail = english.json()["detail"]
        assert detail.startswith(f"{unit} is ") and detail.endswith(
            f" (incident {number}): not free"
        )
        assert "uitgegeven" not in detail  # the status is translated as well
        missing = client.get(f"{api}/incidents/99999999?lang=en")
        assert missing.status_code == 404
        assert missing.json()["detail"] == "unknown incident 99999999"
        in_dutch(client)
        assert client.get(f"{api}/incidents/99999999").json()["detail"] == (
            "onbekende melding 99999999"
        )


def test_refusals_of_the_pages_in_the_readers_language(cr_db: Db) -> None:
    """A refusal raised in a page module (not a service) is translated as well."""
    app = create_app(cr_db.engine)
    with TestClient(app) as citizen, TestClient(app) as operator:
        set_csrf(citizen)
        different = {
            "gebruikersnaam": "tweemaal",
            "naam": "T",
            "email": "t@voorbeeld.nl",
            "wachtwoord": "een-lang-wachtwoord-1",
            "herhaling": "een-lang-wachtwoord-2",
        }
        dutch = citizen.post("/registreren", data=different)
        assert dutch.status_code == 422 and "de twee wachtwoorden zijn niet gelijk" in dutch.text
        english = citizen.post("/registreren?lang=en", data=different)
        assert english.status_code == 422 and "the two passwords are not the same" in english.text
        assert "wachtwoorden" not in english.text
        login_as(operator, cr_db.engine, role="centralist", unit="rotterdam")
        board = operator.get("/api/v1/controlroom/board?eenheid=rotterdam").json()
        unit = next(iter(board["units"].values()))[0]["call_sign"]
        path = f"/meldkamer/eenheden/{unit}/dienst"
        refused = operator.post(path + "?lang=en", data={"status": "weg"})
        assert refused.status_code == 409 and "choose off duty or available" in refused.text
        in_dutch(operator)
        refused = operator.post(path, data={"status": "weg"})
        assert "kies uit dienst of beschikbaar" in refused.text
