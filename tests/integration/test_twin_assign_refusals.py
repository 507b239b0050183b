"""The live assignment refuses what the twin never does (issue 15.5): a closed incident, and
a car of another regional unit; nothing is written when it refuses."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from korps.controlroom import closing, schemas, service, units
from korps.controlroom.errors import ConflictError
from korps.controlroom.models import Assignment, PatrolUnit
from korps.controlroom.seed import seed_units
from tests.conftest import BACKENDS, Db, loaded_database


@pytest.fixture(scope="module", params=BACKENDS)
def db(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    _pg_admin: Engine | None,
) -> Iterator[Db]:
    def seed(session: Session) -> None:
        seed_units(session, eenheid="rotterdam", per_basisteam=1)
        car = schemas.UnitIn(call_sign="ON-VD-01", basisteam="on-vechtdal", status="beschikbaar")
        units.create_unit(session, data=car, actor="test")

    with loaded_database(request.param, tmp_path_factory.mktemp("refuse"), _pg_admin, seed) as db:
        yield db


def _incident(session: Session) -> int:
    data = schemas.IncidentIn(
        eenheid="rotterdam", channel="112", category="burenruzie", gemeente="Dordrecht"
    )
    incident, _ = service.intake(session, data=data, actor="test")
    return incident.id


def _assignments(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Assignment)) or 0


def test_a_closed_incident_is_refused(db: Db) -> None:
    with db.session() as session:
        number = _incident(session)
        closing.close_incident(session, incident_id=number, actor="test", reason="dubbel")
        before = _assignments(session)
        car = session.scalars(
            select(PatrolUnit.call_sign).where(PatrolUnit.call_sign.like("RT-%"))
        ).first()
        assert car is not None
        with pytest.raises(ConflictError, match="is afgesloten"):
            service.assign(session, incident_id=number, call_sign=car, actor="test")
        assert _assignments(session) == before


def test_another_regional_units_car_is_refused(db: Db) -> None:
    with db.session() as session:
        number = _incident(session)
        rotterdam = {
            u.eenheid_id
            for u in session.scalars(select(PatrolUnit).where(PatrolUnit.call_sign.like("RT-%")))
        }
        stranger = session.scalars(
            select(PatrolUnit).where(PatrolUnit.eenheid_id.not_in(rotterdam))
        ).first()
        assert stranger is not None
        before = _assignments(session)
        with pytest.raises(ConflictError, match="hoort bij een andere eenheid"):
            service.assign(session, incident_id=number, call_sign=stranger.call_sign, actor="t")
        assert _assignments(session) == before
