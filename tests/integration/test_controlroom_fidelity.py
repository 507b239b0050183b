"""Fidelity: the live dispatch advice and the simulation's policy choose the same unit.

A recorded sequence of incidents and unit state changes is played into the control room.
At every incident, the live advice (built from the database) is compared with
``rank_units`` called the way the simulation calls it: with the areas, districts and travel
matrices of the simulation's own model of the unit (``korps.planning.twin.scenario_for_unit``
and ``korps.sim.engine.build_model``) and the units' states at that moment.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from korps.controlroom import schemas, service
from korps.controlroom.advice import STATE, advise
from korps.controlroom.models import Incident, PatrolUnit
from korps.controlroom.seed import seed_units
from korps.dispatch.policy import rank_units
from korps.organisation.models import Unit
from korps.planning.twin import scenario_for_unit
from korps.sim.engine import Model, build_model
from tests.conftest import BACKENDS, Db, loaded_database

# ("melding", gemeente, basisteam or None, category): a new incident; the first advised unit
# is sent. ("status", call sign, status): a unit changes status.
SEQUENCE: list[tuple[str, ...]] = [
    ("melding", "Dordrecht", "", "overval"),  # prio 1 -> RT-F3-01
    ("melding", "Dordrecht", "", "overval"),  # -> RT-F3-02
    ("melding", "Dordrecht", "", "vechtpartij"),  # own team busy: district F
    ("status", "RT-F3-01", "ter_plaatse"),
    ("melding", "Zwijndrecht", "", "burenruzie"),  # prio 2, district F first
    ("status", "RT-F4-02", "uit_dienst"),
    ("melding", "Sliedrecht", "", "verkeersongeval-letsel"),
    ("melding", "Dordrecht", "", "geluidsoverlast"),  # prio 3: own team only, all busy
    ("status", "RT-F3-01", "vrij"),  # free again in Dordrecht
    ("melding", "Dordrecht", "", "geluidsoverlast"),
    ("melding", "Rotterdam", "rotterdam-d1-charlois", "woninginbraak-heterdaad"),
    ("melding", "Rotterdam", "rotterdam-d1-charlois", "burenruzie"),
    ("melding", "Rotterdam", "", "fietsdiefstal-aangifte"),
    ("status", "RT-E1-02", "uit_dienst"),
    ("melding", "Barendrecht", "", "overval"),
    ("melding", "Goeree-Overflakkee", "", "verward-persoon"),
    ("melding", "Lansingerland", "", "overval"),
]


@pytest.fixture(scope="module", params=BACKENDS)
def db(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    _pg_admin: Engine | None,
) -> Iterator[Db]:
    def seed(session: Session) -> None:
        seed_units(session, eenheid="rotterdam", per_basisteam=2)

    with loaded_database(request.param, tmp_path_factory.mktemp("fid"), _pg_admin, seed) as db:
        yield db


def simulation_choice(session: Session, model: Model, incident: Incident) -> list[str]:
    """The candidate order the simulation's policy call gives for the current state."""
    slug = {u.id: u.slug for u in session.scalars(select(Unit))}
    units = session.scalars(select(PatrolUnit).order_by(PatrolUnit.call_sign)).all()
    jobs = {i.id: i.priority for i in session.scalars(select(Incident))}
    atom = model.keys.index(slug[incident.basisteam_id])
    ranked, _scopes = rank_units(
        incident.priority,
        atom,
        int(model.atom_district[atom]),
        np.array([model.keys.index(slug[u.location_id]) for u in units], dtype=np.int64),
        np.array([model.keys.index(slug[u.home_id]) for u in units], dtype=np.int64),
        model.atom_district,
        np.array([STATE[u.status] for u in units], dtype=np.int64),
        np.array([jobs.get(u.incident_id or -1, 0) for u in units], dtype=np.int64),
        model.travel,
        True,  # the live advice diverts from prio 3 (only when no unit is free for prio 1)
    )
    return [units[k].call_sign for k in ranked.tolist()]


def test_live_advice_and_simulation_policy_choose_the_same_unit(db: Db) -> None:
    with db.session() as session:
        model = build_model(scenario_for_unit(session, slug="rotterdam", days=60))
        compared = empty = 0
        for step in SEQUENCE:
            if step[0] == "status":
                service.set_status(session, call_sign=step[1], status=step[2], actor="replay")
                continue
            _, gemeente, basisteam, category = step
            data = schemas.IncidentIn(
                eenheid="rotterdam",
                channel="112",
                category=category,
                gemeente=gemeente,
                basisteam=basisteam or None,
            )
            incident, _ = service.intake(session, data=data, actor="replay")
            live = [c.call_sign for c in advise(session, incident_id=incident.id).candidates]
            simulated = simulation_choice(session, model, incident)
            assert live[:1] == simulated[:1], f"{step}: live {live[:3]}, sim {simulated[:3]}"
            assert live == simulated
            compared += 1
            if live:
                service.assign(session, incident_id=incident.id, call_sign=live[0], actor="replay")
            else:
                empty += 1
    assert compared == 13 and empty == 1  # the prio 3 in Dordrecht while F3 was busy
