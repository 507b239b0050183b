"""Issue 16: the status whitelist over the whole table (every allowed move works with what it
requires, every other move is refused and changes nothing), the question's answer deadline
and its expiry with a fixed clock, and the routing rules with their explanation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from korps.audit.models import AuditEntry
from korps.identity.models import User
from korps.identity.service import principal_of
from korps.organisation.models import Unit
from korps.portal import feedback, service, workflow
from korps.portal.errors import PortalInputError
from korps.portal.models import Dossier, Feedback
from korps.portal.reference import portal_reference
from korps.portal.schemas import AangifteIn, GoodIn
from tests.conftest import BACKENDS, Db, loaded_database
from tests.support.auth import make_user

NOW = datetime(2026, 4, 24, 10, 0, tzinfo=UTC)  # a Friday; Monday 27 April is Koningsdag
REFERENCE = portal_reference()
CODES = [s.code for s in REFERENCE.statuses]
EXTRA = {"question": {"text": "Welk merk?"}, "decision": {"text": "Geen opsporingsindicatie."}}


@pytest.fixture(scope="module", params=BACKENDS)
def db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, _pg_admin: Any
) -> Iterator[Db]:
    with loaded_database(request.param, tmp_path_factory.mktemp("flow"), _pg_admin) as db:
        make_user(db.engine, username="melder", grants=[("burger", None)], kind="burger")
        make_user(db.engine, username="behandelaar", grants=[("medewerker", "rotterdam")])
        yield db


def _principal(session: Session, username: str) -> Any:
    user = session.scalar(select(User).where(User.username == username))
    assert user is not None
    return principal_of(session, user=user)


def aangifte(**changes: Any) -> AangifteIn:
    values: dict[str, Any] = {
        "category": "fietsdiefstal",
        "occurred_on": date(2026, 4, 20),
        "gemeente": "Rotterdam",
        "address": None,
        "lat": None,
        "lon": None,
        "description": "Fiets gestolen bij het station.",
        "goods": [GoodIn("Gazelle", 650.0, None)],
    }
    return AangifteIn(**{**values, **changes})


def _file(session: Session, **changes: Any) -> Dossier:
    me = _principal(session, "melder")
    dossier = service.file_dossier(session, reporter=me, data=aangifte(**changes), now=NOW)
    session.commit()
    return dossier


def _extra(to: str) -> dict[str, Any]:
    requires = REFERENCE.status(to).requires
    if requires == "forward":
        return {"forward_to": REFERENCE.partners[0]}
    return EXTRA.get(requires or "", {})


@pytest.mark.parametrize("start", CODES)
def test_every_allowed_move_works_and_every_other_is_refused(db: Db, start: str) -> None:
    with db.session() as session:
        dossier = _file(session)
        staff = _principal(session, "behandelaar")
        allowed = set(REFERENCE.allowed(start, "medewerker"))
        for to in CODES:
            dossier.status = start
            session.commit()
            audits = session.scalar(select(func.count(AuditEntry.id)))
            if to in allowed:
                workflow.change_status(
                    session, principal=staff, dossier=dossier, to=to, now=NOW, **_extra(to)
                )
                session.commit()
                assert dossier.status == to
                if to == "info-gevraagd":
                    assert dossier.answer_due == date(2026, 5, 11)  # 10 working days
                if REFERENCE.status(to).requires == "decision":
                    assert dossier.decision and dossier.closed_at is not None
                assert session.scalar(select(func.count(AuditEntry.id))) == (audits or 0) + 1
            else:
                with pytest.raises(PortalInputError) as refused:
                    workflow.change_status(
                        session, principal=staff, dossier=dossier, to=to, now=NOW, **_extra(to)
                    )
                session.rollback()
                assert "mag niet" in refused.value.errors["status"]
                assert (
                    session.scalar(select(Dossier.status).where(Dossier.id == dossier.id)) == start
                )
                assert session.scalar(select(func.count(AuditEntry.id))) == audits


def test_a_move_without_what_it_requires_is_refused(db: Db) -> None:
    with db.session() as session:
        dossier = _file(session)
        staff = _principal(session, "behandelaar")
        for to, field in (
            ("info-gevraagd", "toelichting"),
            ("afgehandeld", "toelichting"),
            ("doorgezet", "doorzetten_naar"),
        ):
            with pytest.raises(PortalInputError) as refused:
                workflow.change_status(session, principal=staff, dossier=dossier, to=to, now=NOW)
            session.rollback()
            assert field in refused.value.errors
        with pytest.raises(PortalInputError):
            workflow.change_status(
                session, principal=staff, dossier=dossier, to="doorgezet", forward_to="nergens"
            )
        session.rollback()
        assert session.scalar(select(Dossier.status).where(Dossier.id == dossier.id)) == "ontvangen"


def test_forwarding_to_another_team_moves_the_dossier(db: Db) -> None:
    with db.session() as session:
        dossier = _file(session)
        staff = _principal(session, "behandelaar")
        workflow.change_status(
            session, principal=staff, dossier=dossier, to="doorgezet",
            forward_to="rotterdam-d2-feijenoord", text="Pleegplaats ligt in Feijenoord.",
        )  # fmt: skip
        session.commit()
        team = session.scalar(select(Unit.slug).where(Unit.id == dossier.team_id))
        assert team == "rotterdam-d2-feijenoord" and dossier.route_rule == "doorgezet"


def test_unanswered_question_moves_on_when_its_deadline_passes(db: Db) -> None:
    with db.session() as session:
        dossier = _file(session)
        staff = _principal(session, "behandelaar")
        workflow.change_status(
            session, principal=staff, dossier=dossier, to="info-gevraagd",
            text="Welk slot?", answer_days=2, now=NOW,
        )  # fmt: skip
        session.commit()
        # Friday 24 April + 2 working days: Monday 27 is Koningsdag, so Wednesday 29 April
        assert dossier.answer_due == date(2026, 4, 29)
        on_time = datetime(2026, 4, 29, 20, 0, tzinfo=UTC)  # still the 29th... in UTC
        assert dossier.number not in workflow.expire_questions(session, now=on_time)
        late = datetime(2026, 4, 30, 8, 0, tzinfo=UTC)
        assert dossier.number in workflow.expire_questions(session, now=late)
        session.commit()
        assert dossier.status == REFERENCE.expired_question_to
        assert workflow.expire_questions(session, now=late) == []  # idempotent


def test_answer_moves_the_dossier_by_the_citizens_whitelist(db: Db) -> None:
    with db.session() as session:
        dossier = _file(session)
        staff, me = _principal(session, "behandelaar"), _principal(session, "melder")
        with pytest.raises(PortalInputError):  # no question is open
            workflow.citizen_moves(
                session, principal=me, dossier=dossier, kind="antwoord", text="x"
            )
        session.rollback()
        workflow.change_status(
            session, principal=staff, dossier=dossier, to="info-gevraagd", text="Kleur?"
        )
        workflow.citizen_moves(session, principal=me, dossier=dossier, kind="antwoord", text="Rood")
        session.commit()
        assert dossier.status == "info-ontvangen" and dossier.answer_due is None


@pytest.mark.parametrize(
    ("changes", "rule", "unit"),
    [
        ({}, "basisteam-van-de-plaats", "rotterdam-c1-maas-rotte"),
        (
            {"category": "internetoplichting", "goods": [GoodIn("Telefoon", 6000.0, None)]},
            "oplichting-hoge-schade",
            "rotterdam-c",
        ),
        (
            {"category": "internetoplichting", "goods": [GoodIn("Telefoon", 4999.0, None)]},
            "basisteam-van-de-plaats",
            "rotterdam-c1-maas-rotte",
        ),
        ({"gemeente": "Enschede"}, "basisteam-van-de-plaats", None),
    ],
)
def test_routing_rules_and_their_explanation(
    db: Db, changes: dict[str, Any], rule: str, unit: str | None
) -> None:
    with db.session() as session:
        dossier = _file(session, **changes)
        team = session.get(Unit, dossier.team_id)
        assert team is not None and dossier.route_rule == rule
        if unit is not None:
            assert team.slug == unit
        else:
            assert team.kind == "basisteam"
        explanation = next(r.explanation for r in REFERENCE.routing if r.name == rule)
        assert dossier.route_reason.startswith(explanation) and team.name in dossier.route_reason


def test_same_frame_number_within_30_days_is_a_series(db: Db) -> None:
    with db.session() as session:
        first = _file(session, goods=[GoodIn("Fiets", 500.0, "SERIE-77")])
        second = _file(session, goods=[GoodIn("Fiets", 500.0, "serie 77")])
        assert first.route_rule == "basisteam-van-de-plaats"
        assert second.route_rule == "serie-zelfde-kenmerk"
        assert session.scalar(select(Unit.kind).where(Unit.id == second.team_id)) == "district"


def test_deadline_in_working_days_and_overdue_mark(db: Db) -> None:
    with db.session() as session:
        dossier = _file(session)  # fietsdiefstal: 10 working days from Friday 24 April
        assert dossier.deadline == date(2026, 5, 11)  # skips Koningsdag (27/4)
        assert not service.is_overdue(dossier, today=date(2026, 5, 11))
        assert service.is_overdue(dossier, today=date(2026, 5, 12))
        staff = _principal(session, "behandelaar")
        late = service.queue(
            session, principal=staff, filters=service.QueueFilter(overdue_only=True),
            today=date(2026, 5, 12),
        )  # fmt: skip
        assert dossier.id in {d.id for d in late}


def test_feedback_after_closing_once_and_the_satisfaction_indicator(db: Db) -> None:
    with db.session() as session:
        dossier = _file(session, category="verlies")
        staff, me = _principal(session, "behandelaar"), _principal(session, "melder")
        args = {"principal": me, "dossier": dossier, "text": "", "now": NOW}
        with pytest.raises(PortalInputError) as too_early:
            feedback.give(session, satisfied="ja", score="4", reopen=False, **args)
        assert "zodra het dossier is afgehandeld" in too_early.value.errors["tevreden"]
        workflow.change_status(
            session,
            principal=staff,
            dossier=dossier,
            to="afgehandeld",
            text="Niet gevonden.",
            now=NOW,
        )
        session.commit()
        for wrong in ({"satisfied": "misschien", "score": "4"}, {"satisfied": "ja", "score": "6"}):
            with pytest.raises(PortalInputError):
                feedback.give(session, reopen=False, **wrong, **args)
        with pytest.raises(PortalInputError) as happy_reopen:
            feedback.give(session, satisfied="ja", score="5", reopen=True, **args)
        assert "heropenen" in happy_reopen.value.errors
        given = feedback.give(session, satisfied="nee", score="2", reopen=True, **args)
        session.commit()
        assert given.reopen_requested
        kinds = [e.kind for e in service.timeline(session, dossier=dossier, public_only=False)]
        assert kinds[-1] == "heropenverzoek"
        with pytest.raises(PortalInputError) as twice:
            feedback.give(session, satisfied="ja", score="5", reopen=False, **args)
        assert "al gegeven" in twice.value.errors["tevreden"]
        since, until = datetime(2026, 4, 1, tzinfo=UTC), datetime(2026, 5, 1, tzinfo=UTC)
        everything = feedback.satisfaction(session, since=since, until=until)
        assert everything.answers >= 1 and everything.satisfied_share is not None
        team_path = session.scalar(select(Unit.path).where(Unit.id == dossier.team_id))
        team = feedback.satisfaction(session, since=since, until=until, unit_path=team_path)
        mine = session.scalars(
            select(Feedback)
            .join(Unit, Unit.id == Feedback.team_id)
            .where(Unit.path.startswith(team_path or ""))
        ).all()
        assert team.answers == len(mine)
        assert team.mean_score == round(sum(f.score for f in mine) / len(mine), 2)
        empty = feedback.satisfaction(session, since=until, until=until)
        assert empty == feedback.Satisfaction(0, None, None)
