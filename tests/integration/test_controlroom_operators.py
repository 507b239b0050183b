"""Issue #14, the operators' items, on SQLite and PostgreSQL:

8. a point (lat/lon) in a split municipality decides the basisteam (nearest part centre);
9. the KPI counts late, open and closed-without-unit incidents honestly, with the Wilson
   interval and "too few to judge";
10. closing an incident no unit reached needs a reason, stored, shown and audited;
11. the channels of the unit's country; units added, changed and taken out of service by
    the centralist of their eenheid (Oost-Nederland had none); Dutch refusals; and the
    control room's JSON lists paged.

One database per backend with every bundled dataset and one unit per Rotterdam basisteam.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from korps.controlroom import closing, kpi, schemas, service
from korps.controlroom.advice import advise
from korps.controlroom.areas import areas_of
from korps.controlroom.errors import InputError
from korps.controlroom.locations import nearest_part
from korps.controlroom.models import AuditEntry, Incident, PatrolUnit
from korps.controlroom.seed import seed_units
from korps.web.app import create_app
from tests.conftest import BACKENDS, Db, loaded_database, snapshot
from tests.support.auth import login_as

API = "/api/v1/controlroom"
DAY = datetime(2024, 5, 6, 8, 0, tzinfo=UTC)  # a recorded day; times are injected


@pytest.fixture(scope="module", params=BACKENDS)
def db(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    _pg_admin: Engine | None,
) -> Iterator[Db]:
    with loaded_database(
        request.param,
        tmp_path_factory.mktemp("operators"),
        _pg_admin,
        then=lambda session: seed_units(session, eenheid="rotterdam", per_basisteam=1),
    ) as found:
        yield found


@pytest.fixture(scope="module")
def client(db: Db) -> Iterator[TestClient]:
    with TestClient(create_app(db.engine)) as test_client:
        login_as(test_client, db.engine, role="centralist", unit="rotterdam")
        yield test_client


def _intake(db: Db, now: datetime | None = None, **fields: Any) -> int:
    data: dict[str, Any] = {
        "eenheid": "rotterdam",
        "channel": "112",
        "category": "overval",
        "gemeente": "Rotterdam",
    }
    data.update(fields)
    with db.session() as session:
        if now is not None:
            data["received_at"] = now
            data["historical_import"] = True
        incident, _ = service.intake(
            session, data=schemas.IncidentIn(**data), actor="test", now=now
        )
        return incident.id


# --- 8: coordinates decide the basisteam -----------------------------------------------


def test_a_point_south_of_the_maas_lands_in_charlois_and_charlois_is_advised_first(
    db: Db,
) -> None:
    number = _intake(db, lat=51.88, lon=4.47)
    without_point = _intake(db)
    with db.session() as session:
        incident = session.get(Incident, number)
        plain = session.get(Incident, without_point)
        assert incident is not None and plain is not None
        rows = session.execute(select(PatrolUnit.home_id, PatrolUnit.call_sign)).tuples()
        sign_of_home = {home: sign for home, sign in rows}
        areas = areas_of(session, slug="rotterdam")
        assert areas.slugs[areas.index[incident.basisteam_id]] == "rotterdam-d1-charlois"
        # without a point the largest share decides, as before (and as documented)
        assert areas.slugs[areas.index[plain.basisteam_id]] == "rotterdam-c1-maas-rotte"
        advice = advise(session, incident_id=number)
    assert advice.basisteam.slug == "rotterdam-d1-charlois"
    assert advice.candidates[0].home.slug == "rotterdam-d1-charlois"
    assert advice.candidates[0].call_sign == sign_of_home[incident.basisteam_id]


def test_every_part_centre_resolves_to_its_own_basisteam_and_a_named_one_wins(db: Db) -> None:
    with db.session() as session:
        areas = areas_of(session, slug="rotterdam")
    parts = areas.covers["GM0599"]
    assert len(parts) == 9
    for part in parts:
        assert part.lat is not None and part.lon is not None
        assert nearest_part(areas, "GM0599", part.lat, part.lon) == part
    # Hoogvliet (51.862, 4.355) is Oude Maas; the operator may still name another part
    assert areas.slugs[areas.index[nearest_part(areas, "GM0599", 51.862, 4.36).basisteam_id]] == (
        "rotterdam-e3-oude-maas"
    )
    number = _intake(db, lat=51.88, lon=4.47, basisteam="rotterdam-b2-centrum")
    with db.session() as session:
        incident = session.get(Incident, number)
        assert incident is not None
        assert areas.slugs[areas.index[incident.basisteam_id]] == "rotterdam-b2-centrum"


# --- 10: closing without arrival needs a reason ----------------------------------------


def test_closing_without_arrival_asks_for_a_reason_and_stores_it(
    db: Db, client: TestClient
) -> None:
    number = _intake(db, gemeente="Maassluis", category="overval")
    before = snapshot(db)
    bare = client.post(f"{API}/incidents/{number}/close")
    assert bare.status_code == 422
    assert bare.json()["detail"][0]["loc"] == ["body", "reason"]
    assert "kies een reden" in bare.json()["detail"][0]["msg"]
    unknown = client.post(f"{API}/incidents/{number}/close", json={"reason": "zomaar"})
    assert unknown.status_code == 422 and "onbekende reden 'zomaar'" in unknown.text
    other = client.post(f"{API}/incidents/{number}/close", json={"reason": "anders"})
    assert other.status_code == 422
    assert other.json()["detail"][0]["loc"] == ["body", "note"]
    assert "toelichting verplicht" in other.json()["detail"][0]["msg"]
    page = client.post(f"/meldkamer/meldingen/{number}/afsluiten", data={"reason": ""})
    assert page.status_code == 422 and "reden: er is nooit een eenheid" in page.text
    assert snapshot(db) == before  # nothing written by any refusal

    closed = client.post(
        f"{API}/incidents/{number}/close",
        json={"reason": "anders", "note": "melder bleek zelf agent te zijn"},
    )
    assert closed.status_code == 200
    body = closed.json()
    assert (body["status"], body["close_reason"], body["close_reason_name"]) == (
        "afgesloten",
        "anders",
        "Anders",
    )
    assert body["close_note"] == "melder bleek zelf agent te zijn"
    shown = client.get(f"/meldkamer/meldingen/{number}")
    assert "Anders: melder bleek zelf agent te zijn" in shown.text
    assert "melding afgesloten: anders" in shown.text and "incident afgesloten" not in shown.text
    board = client.get("/meldkamer/rotterdam/bord").text
    row = re.search(rf'<tr data-id="{number}">.*?</tr>', board, re.DOTALL)
    assert row is not None and '<span class="reden">Anders</span>' in row.group(0)
    with db.session() as session:
        entry = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity == "incident", AuditEntry.entity_id == number)
            .order_by(AuditEntry.id.desc())
        ).first()
    assert entry is not None and entry.action == "afgesloten: anders"
    assert entry.after is not None and entry.after["close_reason"] == "anders"
    assert entry.after["close_note"] == "melder bleek zelf agent te zijn"
    again = client.post(f"{API}/incidents/{number}/close", json={"reason": "dubbel"})
    assert again.status_code == 409 and again.json()["detail"] == (
        f"melding {number} is al afgesloten"
    )


def test_the_page_closes_with_a_reason_from_the_list(db: Db, client: TestClient) -> None:
    number = _intake(db, gemeente="Vlaardingen", category="burenruzie")
    page = client.get(f"/meldkamer/meldingen/{number}")
    for name in ("Dubbele melding", "Ingetrokken door melder", "Telefonisch afgehandeld"):
        assert name in page.text
    done = client.post(
        f"/meldkamer/meldingen/{number}/afsluiten",
        data={"reason": "telefonisch"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    with db.session() as session:
        incident = session.get(Incident, number)
        assert incident is not None
        assert (incident.status, incident.close_reason) == ("afgesloten", "telefonisch")


# --- 9: the KPI judges honestly ------------------------------------------------------


def _arrive(db: Db, number: int, call_sign: str, received: datetime, minutes: float) -> None:
    with db.session() as session:
        service.assign(
            session,
            incident_id=number,
            call_sign=call_sign,
            actor="t",
            now=received + timedelta(minutes=1),
        )
        at = received + timedelta(minutes=minutes)
        service.set_status(session, call_sign=call_sign, status="ter_plaatse", actor="t", now=at)
        service.set_status(
            session, call_sign=call_sign, status="vrij", actor="t", now=at + timedelta(minutes=5)
        )


def test_five_prio1_with_one_on_scene_is_not_100_percent(db: Db) -> None:
    """The issue's case: of 5 prio-1 incidents (Hoeksche Waard, 6 May 2024) one had a unit
    on scene (8 min); two are still open past the 15-minute norm (late), one was closed
    as a duplicate (apart, never within), one is open for 5 minutes (its norm still runs).
    Judged: 1 within, 2 late -> 33.3 %, Wilson 95 %: 6.15 % to 79.2 %; too few to judge."""
    now = DAY + timedelta(hours=2)
    received = [DAY, DAY + timedelta(minutes=10), DAY + timedelta(minutes=20)]
    received += [DAY + timedelta(minutes=30), now - timedelta(minutes=5)]
    numbers = [_intake(db, r, gemeente="Hoeksche Waard") for r in received]
    _arrive(db, numbers[0], "RT-F1-01", received[0], 8.0)
    with db.session() as session:
        closing.close_incident(
            session, incident_id=numbers[3], actor="t", reason="dubbel", now=received[3]
        )
        report = kpi.kpis(
            session,
            eenheid="rotterdam",
            since=DAY,
            until=DAY + timedelta(hours=3),
            group="basisteam",
            now=now,
        )
    row = next(r for r in report.rows if r.key == "rotterdam-f1-hoeksche-waard" and r.priority == 1)
    assert (row.count, row.arrived, row.within_norm, row.late) == (5, 1, 1, 2)
    assert (row.closed_without_unit, row.pending) == (1, 1)
    assert row.share_within_norm == pytest.approx(1 / 3, abs=1e-4)
    assert (row.ci_low, row.ci_high) == (0.0615, 0.7923)
    assert row.too_few and row.met is None and report.min_incidents == 20


def test_twenty_judged_incidents_give_a_verdict(db: Db, client: TestClient) -> None:
    """Goeree-Overflakkee (E1), 7 May 2024: 20 prio-1 incidents on scene, 17 within 15
    minutes -> 85 % >= 82 %: gehaald, with Wilson 95 % 64.0 % to 94.8 %."""
    day = DAY + timedelta(days=1)
    for n in range(20):
        received = day + timedelta(hours=n // 2, minutes=(n % 2) * 30)
        number = _intake(db, received, gemeente="Goeree-Overflakkee")
        _arrive(db, number, "RT-E1-01", received, 10.0 if n < 17 else 25.0)
    with db.session() as session:
        report = kpi.kpis(
            session,
            eenheid="rotterdam",
            since=day,
            until=day + timedelta(days=1),
            group="basisteam",
            now=day + timedelta(days=1),
        )
    row = next(r for r in report.rows if r.key == "rotterdam-e1-haringvliet")
    assert (row.within_norm, row.late, row.share_within_norm) == (17, 3, 0.85)
    assert (row.ci_low, row.ci_high, row.too_few, row.met) == (0.6396, 0.9476, False, True)
    page = client.get(
        "/meldkamer/rotterdam/kpi",
        params={"since": "2024-05-07", "until": "2024-05-07", "group": "basisteam"},
    )
    assert page.status_code == 200
    assert "64,0% – 94,8%" in page.text and "gehaald (82% binnen 15 min)" in page.text


# --- 11: channels per country, unit management, Dutch refusals, paging ---------------


def test_rotterdam_offers_no_101_and_refuses_it_in_dutch(db: Db, client: TestClient) -> None:
    form = client.get("/meldkamer/rotterdam/nieuw")
    options = re.findall(r'<option value="([^"]+)"[^>]*>[^<]*</option>', form.text)
    assert {"112", "0900-8844", "online", "desk"} <= set(options)
    assert "101" not in options and "101 (België)" not in form.text
    before = snapshot(db)
    refused = client.post(
        f"{API}/incidents",
        json={
            "eenheid": "rotterdam",
            "channel": "101",
            "category": "overval",
            "gemeente": "Dordrecht",
        },
    )
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["msg"] == (
        "kanaal '101' bestaat niet voor Eenheid Rotterdam (een van: 112, 0900-8844, online, desk)"
    )
    assert snapshot(db) == before


def test_the_centralist_of_oost_nederland_adds_changes_and_stands_down_a_unit(db: Db) -> None:
    with TestClient(create_app(db.engine)) as on:
        login_as(on, db.engine, role="centralist", unit="oost-nederland", username="cen-on")
        start = on.get("/meldkamer", follow_redirects=False)
        assert start.headers["location"] == "/meldkamer/oost-nederland"
        empty = on.get("/meldkamer/oost-nederland/eenheden")
        assert empty.status_code == 200 and "nog geen eenheden" in empty.text
        # a Rotterdam basisteam is refused on this meldkamer's page, and nothing is written
        before = snapshot(db)
        foreign = on.post(
            "/meldkamer/oost-nederland/eenheden",
            data={"call_sign": "ON-X-01", "basisteam": "rotterdam-d1-charlois", "kind": "motor"},
        )
        assert foreign.status_code == 422
        assert "hoort niet bij eenheid" in foreign.text and "oost-nederland" in foreign.text
        bad = on.post(
            "/meldkamer/oost-nederland/eenheden",
            data={"call_sign": "on vd 1", "basisteam": "on-vechtdal"},
        )
        assert bad.status_code == 422 and "roepnaam" in bad.text
        assert snapshot(db) == before
        added = on.post(
            "/meldkamer/oost-nederland/eenheden",
            data={"call_sign": "on-vd-01", "basisteam": "on-vechtdal", "kind": "noodhulp"},
            follow_redirects=False,
        )
        assert added.status_code == 303
        listed = on.get("/meldkamer/oost-nederland/eenheden")
        assert 'data-unit="ON-VD-01"' in listed.text and "uit dienst" in listed.text
        in_service = on.post(
            "/meldkamer/eenheden/ON-VD-01/dienst",
            data={"status": "beschikbaar"},
            follow_redirects=False,
        )
        assert in_service.status_code == 303
        changed = on.post(
            "/meldkamer/eenheden/ON-VD-01/wijzigen",
            data={"kind": "motor", "basisteam": "on-vechtdal", "version": "2"},
            follow_redirects=False,
        )
        assert changed.status_code == 303
        stale = on.post(
            "/meldkamer/eenheden/ON-VD-01/wijzigen",
            data={"kind": "noodhulp", "basisteam": "on-vechtdal", "version": "2"},
        )
        assert stale.status_code == 409 and "gewijzigd sinds versie 2" in stale.text
        down = on.post(
            "/meldkamer/eenheden/ON-VD-01/dienst",
            data={"status": "uit_dienst"},
            follow_redirects=False,
        )
        assert down.status_code == 303
        api = on.get(f"{API}/units", params={"eenheid": "oost-nederland"}).json()
        assert [(u["call_sign"], u["kind"], u["status"]) for u in api] == [
            ("ON-VD-01", "motor", "uit_dienst")
        ]
        # Rotterdam's board cannot change an Oost-Nederland unit through its own path
    with TestClient(create_app(db.engine)) as rotterdam:
        login_as(rotterdam, db.engine, role="centralist", unit="rotterdam", username="cen-rt2")
        assert rotterdam.get("/meldkamer/oost-nederland/eenheden").status_code == 403
        assert (
            rotterdam.post(
                "/meldkamer/eenheden/ON-VD-01/dienst", data={"status": "beschikbaar"}
            ).status_code
            == 403
        )
        sideways = rotterdam.post(
            "/meldkamer/rotterdam/eenheden/status",
            data={"unit": "ON-VD-01", "status": "beschikbaar"},
        )
        assert sideways.status_code == 409 and "hoort niet bij deze meldkamer" in sideways.text
    with db.session() as session:
        unit = session.scalar(select(PatrolUnit).where(PatrolUnit.call_sign == "ON-VD-01"))
        assert unit is not None and unit.status == "uit_dienst"
        actions = session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.entity == "unit", AuditEntry.entity_id == unit.id)
            .order_by(AuditEntry.id)
        ).all()
        actors = set(
            session.scalars(
                select(AuditEntry.actor).where(
                    AuditEntry.entity == "unit", AuditEntry.entity_id == unit.id
                )
            )
        )
    assert list(actions) == ["aangemaakt", "status", "gewijzigd", "status"]
    assert actors == {"cen-on"}


def test_update_refuses_a_unit_on_a_job(db: Db) -> None:
    number = _intake(db, gemeente="Schiedam")
    with db.session() as session:
        service.assign(session, incident_id=number, call_sign="RT-A2-01", actor="t")
        with pytest.raises(Exception, match="staat op melding"):
            from korps.controlroom.units import update_unit

            update_unit(
                session,
                call_sign="RT-A2-01",
                data=schemas.UnitEdit(basisteam="rotterdam-a1-waterweg"),
                actor="t",
            )
        with pytest.raises(InputError, match="onbekend basisteam"):
            update_unit(
                session,
                call_sign="RT-A2-01",
                data=schemas.UnitEdit(basisteam="nergens"),
                actor="t",
            )


def test_incidents_and_units_are_paged(db: Db, client: TestClient) -> None:
    seen: list[int] = []
    url = f"{API}/incidents?eenheid=rotterdam&limit=7"
    total = -1
    while url:
        answer = client.get(url)
        assert answer.status_code == 200
        total = int(answer.headers["x-total-count"])
        seen += [row["id"] for row in answer.json()]
        found = re.match(r'<([^>]+)>; rel="next"', answer.headers.get("link", ""))
        url = found.group(1) if found else ""
    assert len(seen) == total == len(set(seen)) and total > 7
    units = client.get(f"{API}/units", params={"eenheid": "rotterdam", "limit": 5, "offset": 15})
    assert units.headers["x-total-count"] == "17" and len(units.json()) == 2
    assert "link" not in units.headers
    first = client.get(f"{API}/units", params={"eenheid": "rotterdam", "limit": 5})
    assert [u["call_sign"] for u in first.json()] == sorted(u["call_sign"] for u in first.json())
    assert 'rel="next"' in first.headers["link"] and "offset=5" in first.headers["link"]
    assert client.get(f"{API}/incidents/999999").json()["detail"] == "onbekende melding 999999"
