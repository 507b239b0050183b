"""Issue 16.7, the work queue: its filters, assignment to a colleague (only someone with a
medewerker or teamchef grant covering the team; others refused in Dutch), bulk actions
(all or nothing: refused dossiers named, nothing half-written), the status templates as
data in the bulk form, and the teamchef's team load. SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from korps.audit.models import AuditEntry
from korps.identity.models import User
from korps.identity.service import principal_of
from korps.organisation.models import Unit
from korps.portal import queue, service
from korps.portal.errors import PortalInputError
from korps.portal.models import Dossier, Entry
from korps.portal.reference import portal_reference
from korps.portal.schemas import AangifteIn, GoodIn, local_today
from korps.web.app import create_app
from tests.conftest import BACKENDS, Db, loaded_database
from tests.support.auth import login_as, make_user

REFERENCE = portal_reference()
OTHER_PLACE = "Dordrecht"  # routed to a basisteam outside the Rotterdam team's grants


@pytest.fixture(scope="module", params=BACKENDS)
def setup(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, _pg_admin: Any
) -> Iterator[tuple[Db, str, str]]:
    with loaded_database(request.param, tmp_path_factory.mktemp("queue"), _pg_admin) as db:
        make_user(db.engine, username="melder", grants=[("burger", None)], kind="burger")
        with db.session() as session:
            team = _team_of(session, _file(session, "Rotterdam"))
            other = _team_of(session, _file(session, OTHER_PLACE))
        assert team != other
        for name, role, unit in (
            ("mw-anna", "medewerker", team),
            ("mw-bram", "medewerker", team),
            ("chef-carla", "teamchef", team),
            ("mw-elders", "medewerker", other),
            ("centralist-dirk", "centralist", "rotterdam"),
        ):
            make_user(db.engine, username=name, grants=[(role, unit)])
        yield db, team, other


def _team_of(session: Session, dossier: Dossier) -> str:
    slug = session.scalar(select(Unit.slug).where(Unit.id == dossier.team_id))
    assert slug is not None
    return slug


def _who(session: Session, username: str) -> Any:
    user = session.scalar(select(User).where(User.username == username))
    assert user is not None
    return principal_of(session, user=user)


def _file(
    session: Session, gemeente: str = "Rotterdam", category: str = "fietsdiefstal"
) -> Dossier:
    data = AangifteIn(
        category=category,
        occurred_on=date(2026, 11, 2),
        gemeente=gemeente,
        address=None,
        lat=None,
        lon=None,
        description="Fiets gestolen bij het station.",
        goods=[GoodIn("Gazelle", 650.0, None)],
    )
    dossier = service.file_dossier(session, reporter=_who(session, "melder"), data=data)
    session.commit()
    return dossier


def _state(db: Db, numbers: list[str]) -> tuple[Any, ...]:
    """What a refused action must leave as it was: each dossier's status, assignee and
    decision, and the counts of timeline entries and audit rows."""
    with db.session() as session:
        rows = session.execute(
            select(Dossier.number, Dossier.status, Dossier.assignee_id, Dossier.decision)
            .where(Dossier.number.in_(numbers))
            .order_by(Dossier.number)
        ).all()
        entries = session.scalar(select(func.count(Entry.id)))
        audits = session.scalar(  # changes; a refusal page may record that it was read
            select(func.count(AuditEntry.id)).where(AuditEntry.action.not_like("ingezien%"))
        )
        return tuple(tuple(r) for r in rows), entries, audits


def _user_id(db: Db, username: str) -> int:
    with db.session() as session:
        found = session.scalar(select(User.id).where(User.username == username))
        assert found is not None
        return found


def test_colleagues_are_those_with_a_grant_covering_the_team(setup: tuple[Db, str, str]) -> None:
    db, team, _other = setup
    make_user(db.engine, username="mw-district", grants=[("medewerker", "rotterdam")])
    with db.session() as session:
        team_id = session.scalar(select(Unit.id).where(Unit.slug == team))
        assert team_id is not None
        names = set(queue.colleagues(session, team_ids={team_id})[team_id].values())
    assert {"Mw Anna", "Mw Bram", "Chef Carla", "Mw District"} <= names
    assert not names & {"Mw Elders", "Centralist Dirk", "Melder"}


def test_assign_to_a_colleague_and_refuse_anyone_else(setup: tuple[Db, str, str]) -> None:
    db, team, _other = setup
    with db.session() as session:
        dossier = _file(session)
        anna = _who(session, "mw-anna")
        queue.assign_to(session, principal=anna, dossier=dossier, user_id=_user_id(db, "mw-bram"))
        session.commit()
        assert dossier.assignee_id == _user_id(db, "mw-bram")
        number = dossier.number
    before = _state(db, [number])
    for stranger in ("mw-elders", "centralist-dirk", "melder"):
        with db.session() as session:
            dossier = service.staff_dossier(
                session, principal=_who(session, "mw-anna"), number=number, audit_read=False
            )
            with pytest.raises(PortalInputError) as refused:
                queue.assign_to(
                    session, principal=_who(session, "mw-anna"), dossier=dossier,
                    user_id=_user_id(db, stranger),
                )  # fmt: skip
            session.rollback()
        message = refused.value.errors["toewijzen_aan"]
        assert "geen rol medewerker of teamchef op het team" in message
        assert stranger.split("-")[-1].title() in message
    assert _state(db, [number]) == before
    with TestClient(create_app(db.engine), follow_redirects=False) as client:
        login_as(client, db.engine, role="medewerker", unit=team, username="mw-anna")
        before = _state(db, [number])  # logging in is audited
        page = client.get(f"/team/dossiers/{number}")
        assert "Mw Bram" in page.text and "Mw Elders" not in page.text
        answer = client.post(
            f"/team/dossiers/{number}/toewijzen", data={"aan": str(_user_id(db, "mw-elders"))}
        )
        assert answer.status_code == 422
        assert "Mw Elders heeft geen rol medewerker of teamchef" in answer.text
        assert _state(db, [number]) == before
        assert (
            client.post(f"/team/dossiers/{number}/toewijzen", data={"aan": "x1"}).status_code == 422
        )
        mine = client.post(f"/team/dossiers/{number}/toewijzen", data={})
        assert mine.status_code == 303
    with db.session() as session:
        assigned = session.scalar(select(Dossier.assignee_id).where(Dossier.number == number))
    assert assigned == _user_id(db, "mw-anna")


def _numbers(html: str) -> set[str]:
    return set(re.findall(r'name="dossiers" value="([0-9-]+)"', html))


def test_the_queue_filters(setup: tuple[Db, str, str]) -> None:
    db, team, other = setup
    bram = _user_id(db, "mw-bram")
    with db.session() as session:
        late = _file(session, category="diefstal")
        late.deadline = local_today(service.utc_now()) - timedelta(days=3)
        mine = _file(session)
        mine.assignee_id = bram
        closed = _file(session)
        closed.status = "afgehandeld"
        loose = _file(session)
        session.commit()
        numbers = {d.number: d for d in (late, mine, closed, loose)}
        ours = set(numbers)
    with TestClient(create_app(db.engine), follow_redirects=False) as client:
        login_as(client, db.engine, role="medewerker", unit=team, username="mw-bram")

        def shown(query: str) -> set[str]:
            page = client.get(f"/team/werkvoorraad?{query}")
            assert page.status_code == 200
            return _numbers(page.text) & ours

        assert shown("") == ours - {closed.number}
        assert shown("alles=true") == ours
        assert shown("status=afgehandeld") == {closed.number}
        assert shown("categorie=diefstal") == {late.number}
        assert shown("te_laat=true") == {late.number}
        assert shown("van_mij=true") == {mine.number}
        assert shown("niet_toegewezen=true") == ours - {closed.number, mine.number}
        page = client.get("/team/werkvoorraad?te_laat=true")
        assert int(re.search(r'id="te-laat">(\d+)<', page.text).group(1)) >= 1  # type: ignore[union-attr]
    with TestClient(create_app(db.engine), follow_redirects=False) as client:
        login_as(client, db.engine, role="medewerker", unit=other, username="mw-elders")
        assert _numbers(client.get("/team/werkvoorraad?alles=true").text) & ours == set()


def test_bulk_assign_is_all_or_nothing(setup: tuple[Db, str, str]) -> None:
    db, team, _other = setup
    with db.session() as session:
        first, second = _file(session), _file(session)
        elsewhere = _file(session, OTHER_PLACE)
        ours = [first.number, second.number]
    bram = _user_id(db, "mw-bram")
    everything = [*ours, elsewhere.number]
    with TestClient(create_app(db.engine), follow_redirects=False) as client:
        login_as(client, db.engine, role="medewerker", unit=team, username="mw-anna")
        before = _state(db, everything)
        form = {"actie": "toewijzen", "toewijzen_aan": str(bram), "filters": "te_laat=true"}
        refused = client.post(
            "/team/werkvoorraad/bulk", data={**form, "dossiers": [*ours, elsewhere.number]}
        )
        assert refused.status_code == 422
        assert "Er is niets gewijzigd" in refused.text
        assert f"<strong>{elsewhere.number}</strong>: {queue.NOT_YOURS}" in refused.text
        assert _state(db, everything) == before
        stranger = client.post(
            "/team/werkvoorraad/bulk",
            data={**form, "dossiers": ours, "toewijzen_aan": str(_user_id(db, "mw-elders"))},
        )
        assert stranger.status_code == 422
        for number in ours:
            assert f"<strong>{number}</strong>: Mw Elders heeft geen rol" in stranger.text
        assert _state(db, everything) == before
        done = client.post("/team/werkvoorraad/bulk", data={**form, "dossiers": ours})
        assert done.status_code == 303
        assert done.headers["location"] == "/team/werkvoorraad?te_laat=true&bijgewerkt=2"
        empty = client.post("/team/werkvoorraad/bulk", data=form)
        assert empty.status_code == 422 and "kies ten minste één dossier" in empty.text
        to_me = client.post(  # "mij", the form's first choice
            "/team/werkvoorraad/bulk", data={**form, "toewijzen_aan": "", "dossiers": ours[:1]}
        )
        assert to_me.status_code == 303
        with db.session() as session:
            mine = session.scalar(select(Dossier.assignee_id).where(Dossier.number == ours[0]))
        assert mine == _user_id(db, "mw-anna")
        again = client.post("/team/werkvoorraad/bulk", data={**form, "dossiers": ours[:1]})
        assert again.status_code == 303
    with db.session() as session:
        assigned = dict(
            session.execute(
                select(Dossier.number, Dossier.assignee_id).where(Dossier.number.in_(everything))
            ).all()
        )
        entries = session.scalar(
            select(func.count(Entry.id))
            .join(Dossier, Dossier.id == Entry.dossier_id)
            .where(Dossier.number.in_(ours), Entry.kind == "toewijzing")
        )
    assert assigned == {ours[0]: bram, ours[1]: bram, elsewhere.number: None}
    assert entries == 4  # two in bulk, one to me, one back


def test_bulk_status_by_the_whitelist_with_a_template(setup: tuple[Db, str, str]) -> None:
    db, team, _other = setup
    template = next(t for t in REFERENCE.templates if t.status == "afgehandeld")
    with db.session() as session:
        first, second, done = _file(session), _file(session), _file(session)
        done.status = "afgehandeld"
        session.commit()
        numbers = [first.number, second.number, done.number]
    with TestClient(create_app(db.engine), follow_redirects=False) as client:
        login_as(client, db.engine, role="medewerker", unit=team, username="mw-bram")
        before = _state(db, numbers)
        page = client.get("/team/werkvoorraad")
        for t in REFERENCE.templates:  # the templates are data, offered in the bulk form
            assert f"{REFERENCE.status(t.status).label}: {t.name}" in page.text
        form = {"actie": "status", "status": "afgehandeld", "toelichting": template.text}
        refused = client.post("/team/werkvoorraad/bulk", data={**form, "dossiers": numbers})
        assert refused.status_code == 422
        assert f"<strong>{done.number}</strong>: van Afgehandeld naar Afgehandeld mag niet" in (
            refused.text
        )
        assert first.number not in re.findall(r"<strong>([0-9-]+)</strong>", refused.text)
        assert _state(db, numbers) == before  # the allowed two were not closed either
        no_text = client.post(
            "/team/werkvoorraad/bulk", data={**form, "toelichting": "", "dossiers": numbers[:2]}
        )
        assert no_text.status_code == 422 and "vul dit veld in" in no_text.text
        assert _state(db, numbers) == before
        ok = client.post("/team/werkvoorraad/bulk", data={**form, "dossiers": numbers[:2]})
        assert ok.status_code == 303
    with db.session() as session:
        rows = session.execute(
            select(Dossier.status, Dossier.decision).where(Dossier.number.in_(numbers[:2]))
        ).all()
    assert [tuple(r) for r in rows] == [("afgehandeld", template.text)] * 2


def test_the_teamchef_sees_the_load_per_colleague(setup: tuple[Db, str, str]) -> None:
    db, team, _other = setup
    with db.session() as session:
        chef = _who(session, "chef-carla")
        today = local_today(service.utc_now())
        rows = queue.team_load(session, principal=chef, today=today)
        team_id = session.scalar(select(Unit.id).where(Unit.slug == team))
        open_codes = [s.code for s in REFERENCE.statuses if s.open]
        expected = dict(
            session.execute(
                select(Dossier.assignee_id, func.count(Dossier.id))
                .where(Dossier.team_id == team_id, Dossier.status.in_(open_codes))
                .group_by(Dossier.assignee_id)
            ).all()
        )
        late = session.scalar(
            select(func.count(Dossier.id)).where(
                Dossier.team_id == team_id,
                Dossier.status.in_(open_codes),
                Dossier.deadline < today,
            )
        )
    ours = [r for r in rows if r.team_id == team_id]
    assert {r.assignee_id: r.open for r in ours if r.open} == expected
    assert sum(r.overdue for r in ours) == late
    assert {"Mw Anna", "Mw Bram", "Chef Carla", "niet toegewezen"} <= {r.assignee for r in ours}
    assert all(r.team_id == team_id for r in rows)  # only the teamchef's own teams
    with TestClient(create_app(db.engine), follow_redirects=False) as client:
        login_as(client, db.engine, role="teamchef", unit=team, username="chef-carla")
        page = client.get("/team/belasting")
        assert page.status_code == 200 and 'data-collega="Mw Bram"' in page.text
        assert 'id="belasting"' in client.get("/team/werkvoorraad").text
    with TestClient(create_app(db.engine), follow_redirects=False) as client:
        login_as(client, db.engine, role="medewerker", unit=team, username="mw-anna")
        assert client.get("/team/belasting").status_code == 403


def test_bulk_names_unknown_numbers_and_refuses_too_many(setup: tuple[Db, str, str]) -> None:
    db, team, _other = setup
    bram = str(_user_id(db, "mw-bram"))
    with TestClient(create_app(db.engine), follow_redirects=False) as client:
        login_as(client, db.engine, role="medewerker", unit=team, username="mw-anna")
        before = _state(db, [])
        form = {"actie": "toewijzen", "toewijzen_aan": bram}
        unknown = [f"2026-{i:08d}" for i in range(25)] + ["x" * 300]
        refused = client.post("/team/werkvoorraad/bulk", data={**form, "dossiers": unknown})
        assert refused.status_code == 422
        named = re.findall(r"<li><strong>([^<]+)</strong>: ([^<]+)</li>", refused.text)
        assert len(named) == 26 and {reason for _, reason in named} == {queue.NOT_YOURS}
        assert ("x" * 20, queue.NOT_YOURS) in named  # a number is cut to its length
        many = [f"2026-{i:08d}" for i in range(queue.BULK_MAX + 5)]
        too_many = client.post("/team/werkvoorraad/bulk", data={**form, "dossiers": many})
        assert too_many.status_code == 422
        assert f"hoogstens {queue.BULK_MAX} dossiers tegelijk" in too_many.text
        odd = client.post(
            "/team/werkvoorraad/bulk", data={**form, "actie": "wissen", "dossiers": many[:1]}
        )
        assert odd.status_code == 422 and "kies toewijzen of status wijzigen" in odd.text
        assert _state(db, []) == before
