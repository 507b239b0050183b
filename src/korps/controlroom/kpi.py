"""Response-time KPIs against the norms, and the incident history CSV (docs/incidents-csv.md).

Response time (aanrijdtijd) = first unit on scene - received, in minutes. For a period
(incidents *received* in [since, until)) and a grouping, each row gives per priority: the
incidents counted, how many got a unit on scene, and the share *within the norm* of the
judged incidents: a unit on scene within the norm counts as within; on scene later, or
still open with the norm run out and nobody on scene, as late. An incident closed without
any unit on scene is counted apart (``closed_without_unit``) and is never within the norm;
an open one whose norm has not run out yet is pending. With the share comes its 95 %
Wilson score interval (``korps.sim.replay.wilson``), and below ``min_incidents`` judged
incidents (reference data) the row says there are too few to judge (``too_few``; ``met``
stays empty). P50/P90 (linear interpolation between order statistics) are of the arrivals.
Grouped by unit, an incident counts for every unit sent, with that unit's own arrival.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import datetime
from typing import NamedTuple

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from korps.common.i18n import _
from korps.controlroom import schemas
from korps.controlroom.areas import get_eenheid
from korps.controlroom.models import Assignment, Incident, PatrolUnit
from korps.controlroom.reference import Reference, bundled_reference
from korps.controlroom.schemas import KpiRow
from korps.controlroom.times import as_utc, local, minutes_between, utc_now
from korps.organisation.models import Unit
from korps.sim.history import COLUMNS as HISTORY_COLUMNS
from korps.sim.replay import wilson

CSV_COLUMNS = HISTORY_COLUMNS  # docs/incidents-csv.md: the format the digital twin reads
OPEN = ("nieuw", "uitgegeven", "ter_plaatse")  # an incident in any other state is closed


def _period(since: datetime, until: datetime) -> tuple[datetime, datetime]:
    since, until = as_utc(since), as_utc(until)
    if until <= since:
        raise ValueError(_("tot: moet na vanaf liggen"))
    return since, until


class Sample(NamedTuple):
    """One incident (or, grouped by unit, one assignment) as the KPI counts it."""

    response: float | None  # minutes from report to on scene; None: nobody arrived
    closed: bool  # closed (or, per unit, released) without an arrival, if response is None
    elapsed: float  # minutes from report to the report's moment (now)


def _row(key: str, label: str, priority: int, samples: list[Sample], ref: Reference) -> KpiRow:
    """Count, share within the norm with its Wilson interval, and P50/P90 for one row.

    Judged: on scene within the norm (within), on scene after it or still open past it
    (late). Not judged: closed without any unit on scene (counted apart, never within the
    norm) and open incidents whose norm has not yet run out (pending)."""
    arrived = np.array([s.response for s in samples if s.response is not None], dtype=np.float64)
    norm = ref.norm(priority)
    closed = sum(1 for s in samples if s.response is None and s.closed)
    row = KpiRow(
        key=key,
        label=label,
        priority=priority,
        count=len(samples),
        arrived=int(arrived.size),
        closed_without_unit=closed,
        norm_minutes=norm.minutes if norm else None,
        target_share=norm.share if norm else None,
        min_incidents=ref.kpi.min_incidents,
    )
    if arrived.size:
        row.p50_minutes = round(float(np.percentile(arrived, 50)), 2)
        row.p90_minutes = round(float(np.percentile(arrived, 90)), 2)
    if norm is None or norm.minutes is None:
        return row
    limit = norm.minutes + 1e-9
    within = int((arrived <= limit).sum())
    overdue = sum(1 for s in samples if s.response is None and not s.closed and s.elapsed > limit)
    row.within_norm = within
    row.late = int(arrived.size) - within + overdue
    row.pending = len(samples) - closed - int(arrived.size) - overdue
    judged = within + row.late
    if judged:
        estimate = wilson(within, judged)
        row.share_within_norm = round(estimate.mean, 4)
        row.ci_low, row.ci_high = round(estimate.low, 4), round(estimate.high, 4)
    row.too_few = judged < ref.kpi.min_incidents
    if judged and not row.too_few and norm.share is not None:
        row.met = within / judged >= norm.share - 1e-12
    return row


def kpis(
    session: Session,
    *,
    eenheid: str,
    since: datetime,
    until: datetime,
    group: schemas.KpiGroup = "priority",
    reference: Reference | None = None,
    now: datetime | None = None,
) -> schemas.KpiReport:
    """Count, share within norm (with its Wilson interval) and P50/P90 response time per
    priority and ``group``; open incidents are judged as of ``now`` (default: now)."""
    ref = reference or bundled_reference()
    root = get_eenheid(session, slug=eenheid)
    since, until = _period(since, until)
    moment = as_utc(now) if now else utc_now()
    in_period = (
        Incident.eenheid_id == root.id,
        Incident.received_at >= since,
        Incident.received_at < until,
    )
    samples: dict[tuple[str, int], list[Sample]] = defaultdict(list)
    labels: dict[str, str] = {}

    def sample(received: datetime, arrived: datetime | None, closed: bool) -> Sample:
        elapsed = minutes_between(received, moment) or 0.0
        return Sample(minutes_between(received, arrived), closed and arrived is None, elapsed)

    if group == "unit":
        query = (
            select(PatrolUnit.call_sign, Incident.priority, Incident.received_at, Assignment)
            .join(Assignment, Assignment.incident_id == Incident.id)
            .join(PatrolUnit, Assignment.patrol_unit_id == PatrolUnit.id)
            .where(*in_period)
        )
        for call_sign, priority, received_at, assignment in session.execute(query):
            labels[call_sign] = call_sign
            released = assignment.released_at is not None
            samples[(call_sign, priority)].append(
                sample(received_at, assignment.arrived_at, released)
            )
    else:
        column = {
            "priority": Incident.priority,
            "basisteam": Incident.basisteam_id,
            "district": Incident.district_id,
        }[group]
        names: dict[int, tuple[str, str]] = {}
        if group != "priority":
            names = {
                i: (s, n) for i, s, n in session.execute(select(Unit.id, Unit.slug, Unit.name))
            }
        grouped = select(
            column, Incident.priority, Incident.received_at, Incident.arrived_at, Incident.status
        )
        for key, priority, received, arrived, status in session.execute(grouped.where(*in_period)):
            if group == "priority":
                slug, name = str(priority), _("prio {n}", n=priority)
            else:
                unknown = ("-", _("onbekend"))  # the row of incidents outside any unit
                slug, name = names.get(key, unknown) if key else unknown
            labels[slug] = name
            samples[(slug, priority)].append(sample(received, arrived, status not in OPEN))
    rows = [
        _row(key, labels[key], priority, values, ref)
        for (key, priority), values in sorted(samples.items(), key=lambda kv: (kv[0][0], kv[0][1]))
    ]
    if group != "priority":
        rows.sort(key=lambda r: (r.label, r.priority))
    return schemas.KpiReport(
        eenheid=schemas.AreaRef(slug=root.slug, name=root.name),
        since=since,
        until=until,
        group=group,
        rows=rows,
        min_incidents=ref.kpi.min_incidents,
    )


def _time(value: datetime | None) -> str:
    return "" if value is None else local(value).isoformat(timespec="seconds")


def export_rows(
    session: Session, *, eenheid: str, since: datetime, until: datetime
) -> list[dict[str, str]]:
    """Incidents received in [since, until) in the columns of docs/incidents-csv.md."""
    root = get_eenheid(session, slug=eenheid)
    since, until = _period(since, until)
    counts = (
        select(Assignment.incident_id, func.count(Assignment.id).label("n"))
        .group_by(Assignment.incident_id)
        .subquery()
    )
    basisteam = Unit.__table__.alias("basisteam")
    district = Unit.__table__.alias("district")
    query = (
        select(Incident, basisteam.c.slug, district.c.slug, counts.c.n)
        .join(basisteam, basisteam.c.id == Incident.basisteam_id)
        .outerjoin(district, district.c.id == Incident.district_id)
        .outerjoin(counts, counts.c.incident_id == Incident.id)
        .where(
            Incident.eenheid_id == root.id,
            Incident.received_at >= since,
            Incident.received_at < until,
        )
        .order_by(Incident.received_at, Incident.id)
    )
    return [
        {
            "id": str(incident.id),
            "channel": incident.channel,
            "category": incident.category,
            "priority": str(incident.priority),
            "basisteam": basisteam_slug,
            "district": district_slug or "",
            "received_at": _time(incident.received_at),
            "dispatched_at": _time(incident.dispatched_at),
            "arrived_at": _time(incident.arrived_at),
            "cleared_at": _time(incident.cleared_at),
            "units": str(units or 0),
        }
        for incident, basisteam_slug, district_slug, units in session.execute(query)
    ]


def export_csv(session: Session, *, eenheid: str, since: datetime, until: datetime) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(export_rows(session, eenheid=eenheid, since=since, until=until))
    return buffer.getvalue()
