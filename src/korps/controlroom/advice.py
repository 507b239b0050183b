"""Dispatch advice: the database state turned into the arrays of the shared policy
(:func:`korps.dispatch.policy.rank_units`, the same compiled function the simulation runs),
and its answer mapped back to units with scope, estimated arrival and the norm.

- Units are passed in call-sign order, so a tie in travel time goes to the lower call sign.
- A unit's current area is its home basisteam, or the basisteam of the incident it is on
  scene at or was last freed at (``patrol_unit.location_id``).
- State: beschikbaar and vrij are FREE, uitgegeven / aanrijdend / ter plaatse BUSY (with
  the priority of their incident), uit dienst OFF_DUTY.
- Diversion is on: for a prio-1 incident with no free unit at all, the candidates are the
  units on prio-3 jobs, nearest first (scope "afgeleid van prio 3"); assigning one takes it
  from that job (``service.assign(divert=True)``).
- Estimated arrival = travel minutes from now; it meets the norm when the time since the
  report plus the travel time is within the norm of the incident's priority.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.orm import Session

from korps.common.i18n import _
from korps.controlroom import schemas
from korps.controlroom.areas import Areas, areas_by_id
from korps.controlroom.errors import ConflictError
from korps.controlroom.models import Incident, PatrolUnit
from korps.controlroom.queries import get_incident
from korps.controlroom.reference import Reference, bundled_reference
from korps.controlroom.times import as_utc, minutes_between, utc_now
from korps.db.session import reading
from korps.dispatch.policy import BUSY, FREE, OFF_DUTY, SCOPE_NAMES, rank_units

LISTED = 10  # candidates listed by default (API) and on the incident page
STATE = {
    "beschikbaar": FREE,
    "vrij": FREE,
    "uitgegeven": BUSY,
    "aanrijdend": BUSY,
    "ter_plaatse": BUSY,
    "uit_dienst": OFF_DUTY,
}


@dataclass(frozen=True)
class PolicyInput:
    """Exactly what ``rank_units`` is called with (kept for the fidelity test)."""

    priority: int
    incident_atom: int
    incident_district: int
    unit_atom: npt.NDArray[np.int64]
    unit_home: npt.NDArray[np.int64]
    atom_district: npt.NDArray[np.int64]
    unit_state: npt.NDArray[np.int64]
    unit_job_priority: npt.NDArray[np.int64]
    travel: npt.NDArray[np.float64]
    divert: bool

    def rank(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        return rank_units(
            self.priority,
            self.incident_atom,
            self.incident_district,
            self.unit_atom,
            self.unit_home,
            self.atom_district,
            self.unit_state,
            self.unit_job_priority,
            self.travel,
            self.divert,
        )


class UnitRow(NamedTuple):
    """What the advice needs of a unit (read as plain rows: no ORM objects on the hot path)."""

    call_sign: str
    kind: str
    status: str
    home_id: int
    location_id: int
    job_priority: int  # of the incident it is on; 0 when none


def _units(session: Session, eenheid_id: int) -> list[UnitRow]:
    """The eenheid's units in call-sign order with the priority of their current job."""
    rows = session.execute(
        select(
            PatrolUnit.call_sign,
            PatrolUnit.kind,
            PatrolUnit.status,
            PatrolUnit.home_id,
            PatrolUnit.location_id,
            Incident.priority,
        )
        .outerjoin(Incident, PatrolUnit.incident_id == Incident.id)
        .where(PatrolUnit.eenheid_id == eenheid_id)
        .order_by(PatrolUnit.call_sign)
    ).all()
    return [UnitRow(c, k, s, h, loc, p or 0) for c, k, s, h, loc, p in rows]


def policy_input(
    areas: Areas, incident: Incident, units: Sequence[UnitRow], *, divert: bool
) -> PolicyInput:
    index = areas.index
    atom = index[incident.basisteam_id]
    homes = [index.get(u.home_id, -1) for u in units]
    return PolicyInput(
        priority=incident.priority,
        incident_atom=atom,
        incident_district=int(areas.atom_district[atom]),
        unit_atom=np.array(
            [index.get(u.location_id, h) for u, h in zip(units, homes, strict=True)],
            dtype=np.int64,
        ),
        unit_home=np.array(homes, dtype=np.int64),
        atom_district=areas.atom_district,
        unit_state=np.array(
            [STATE[u.status] if h >= 0 else OFF_DUTY for u, h in zip(units, homes, strict=True)],
            dtype=np.int64,
        ),
        unit_job_priority=np.array([u.job_priority for u in units], dtype=np.int64),
        travel=areas.travel,
        divert=divert,
    )


def advise(
    session: Session,
    *,
    incident_id: int,
    now: datetime | None = None,
    divert: bool = True,
    reference: Reference | None = None,
    limit: int | None = None,
) -> schemas.Advice:
    """Ranked candidate units for an open incident (see the module docstring); the first
    ``limit`` of them (all when None)."""
    with reading(session):
        return _advise(session, incident_id, now, divert, reference, limit)


def _advise(
    session: Session,
    incident_id: int,
    now: datetime | None,
    divert: bool,
    reference: Reference | None,
    limit: int | None,
) -> schemas.Advice:
    now = as_utc(now) if now else utc_now()
    incident = get_incident(session, incident_id=incident_id)
    if incident.status == "afgesloten":
        raise ConflictError(_("melding {incident_id} is afgesloten", incident_id=incident_id))
    areas = areas_by_id(session, eenheid_id=incident.eenheid_id)
    units = _units(session, incident.eenheid_id)
    ranked, scopes = policy_input(areas, incident, units, divert=divert).rank()
    norm = (reference or bundled_reference()).norm(incident.priority)
    elapsed = max(minutes_between(incident.received_at, now) or 0.0, 0.0)
    atom = areas.index[incident.basisteam_id]
    candidates = []
    shown = slice(None, limit)
    for rank, (u, scope) in enumerate(
        zip(ranked[shown].tolist(), scopes[shown].tolist(), strict=True), 1
    ):
        unit = units[u]
        home = areas.index[unit.home_id]
        location = areas.index.get(unit.location_id, home)
        travel = float(areas.travel[incident.priority - 1, location, atom])
        response = elapsed + travel
        candidates.append(
            schemas.Candidate(
                rank=rank,
                call_sign=unit.call_sign,
                kind=unit.kind,
                status=unit.status,
                home=schemas.AreaRef(slug=areas.slugs[home], name=areas.names[home]),
                scope=scope,
                scope_name=SCOPE_NAMES[scope],
                travel_minutes=round(travel, 2),
                response_minutes=round(response, 2),
                meets_norm=None if norm is None else response <= (norm.minutes or 0),
            )
        )
    return schemas.Advice(
        incident_id=incident.id,
        priority=incident.priority,
        basisteam=schemas.AreaRef(slug=areas.slugs[atom], name=areas.names[atom]),
        norm_minutes=None if norm is None else norm.minutes,
        elapsed_minutes=round(elapsed, 2),
        candidates=candidates,
        eligible=len(ranked),
    )


def estimate(
    session: Session, *, incident: Incident, unit: PatrolUnit
) -> tuple[str | None, float | None]:
    """Scope (as the policy names it) and travel minutes of ``unit`` to ``incident``; the
    scope is None when the policy would not send it (e.g. prio 3 from another basisteam)."""
    areas = areas_by_id(session, eenheid_id=incident.eenheid_id)
    index = areas.index
    if unit.home_id not in index:
        return None, None
    atom = index[incident.basisteam_id]
    location = index.get(unit.location_id, index[unit.home_id])
    row = UnitRow(unit.call_sign, unit.kind, "beschikbaar", unit.home_id, unit.location_id, 0)
    free = policy_input(areas, incident, [row], divert=False)
    _, scopes = free.rank()
    scope = SCOPE_NAMES[int(scopes[0])] if len(scopes) else None
    return scope, float(areas.travel[incident.priority - 1, location, atom])


def free_unit_for(session: Session, *, incident: Incident) -> str | None:
    """The call sign of the unit the policy would send to ``incident`` without diverting
    anyone, or None when no unit is free for it. The twin diverts a unit from a prio-3 job
    only when this is None, and so does the live control room (``service.assign``)."""
    areas = areas_by_id(session, eenheid_id=incident.eenheid_id)
    units = _units(session, incident.eenheid_id)
    ranked, _scopes = policy_input(areas, incident, units, divert=False).rank()
    return units[int(ranked[0])].call_sign if len(ranked) else None


def warm_up() -> None:
    """Call the compiled policy once, so that the first advice after a start does not wait
    for numba to load (or compile) it."""
    one = np.zeros(1, dtype=np.int64)
    rank_units(1, 0, 0, one, one, one, one, one, np.zeros((3, 1, 1)), False)
