"""The formation scenario adopted with a plan: one of planning's saved scenarios of the plan's
unit (or a unit below it), recorded with its version, who adopted it and when; audited. Only a
planner or beheerder of the unit adopts (issue 13.5)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from korps.audit.service import record
from korps.common.datafile import DatasetError
from korps.common.i18n import _
from korps.identity.errors import Forbidden
from korps.identity.roles import Principal, allows
from korps.monitor.errors import MonitorRefused
from korps.monitor.models import Plan
from korps.monitor.service import EDITORS, get_unit, plan_for
from korps.organisation.models import Unit
from korps.planning.models import SavedScenario
from korps.planning.store import list_saved, scenario_of


@dataclass(frozen=True)
class Adopted:
    slug: str
    name: str
    version: int
    by: str
    at: datetime  # shown in Dutch local time (| tijdstip)
    deleted: bool


def scenarios_for(session: Session, *, unit: Unit) -> list[SavedScenario]:
    """The saved scenarios (not deleted) that distribute over ``unit`` or a unit below it."""
    targets: dict[int, str] = {}
    saved = list_saved(session, reader=None)
    for s in saved:
        try:
            target = scenario_of(s).unit
        except DatasetError:
            continue
        if target is not None:
            targets[s.id] = target
    paths = {
        slug: path
        for slug, path in session.execute(
            select(Unit.slug, Unit.path).where(Unit.slug.in_(set(targets.values())))
        )
    }
    return [s for s in saved if paths.get(targets.get(s.id, ""), "").startswith(unit.path)]


def adopted(session: Session, *, plan: Plan) -> Adopted | None:
    if plan.scenario_id is None:
        return None
    saved = session.get(SavedScenario, plan.scenario_id)
    if saved is None or plan.scenario_adopted_at is None:
        return None
    return Adopted(
        slug=saved.slug,
        name=saved.name,
        version=plan.scenario_version or saved.version,
        by=plan.scenario_adopted_by or "",
        at=plan.scenario_adopted_at,
        deleted=saved.deleted_at is not None,
    )


def adopt_scenario(session: Session, *, principal: Principal, slug: str, scenario: str) -> Plan:
    """Mark the saved scenario ``scenario`` (its latest version) as the plan's adopted
    formation; commits. Refused: no own plan, not a scenario of the unit, no rights."""
    unit = get_unit(session, slug=slug)
    plan = plan_for(session, unit=unit)
    if plan is None or plan.unit_id != unit.id:
        raise MonitorRefused("unit", _("{name} heeft geen eigen plan", name=unit.name))
    if not allows(principal, EDITORS, unit.path):
        raise Forbidden(_("u mag geen formatiescenario vaststellen voor {name}", name=unit.name))
    chosen = next((s for s in scenarios_for(session, unit=unit) if s.slug == scenario), None)
    if chosen is None:
        raise MonitorRefused(
            "scenario",
            _(
                "{scenario} is geen opgeslagen scenario van {name}",
                scenario=repr(scenario[:120]),
                name=unit.name,
            ),
        )
    before = {"scenario": plan.scenario_id, "version": plan.scenario_version}
    plan.scenario_id, plan.scenario_version = chosen.id, chosen.version
    plan.scenario_adopted_by, plan.scenario_adopted_at = principal.username, datetime.now(UTC)
    record(
        session,
        entity="monitor_plan",
        entity_id=plan.id,
        action="formatiescenario vastgesteld",
        before=before,
        after={"scenario": chosen.slug, "version": chosen.version, "name": chosen.name},
    )
    session.commit()
    return plan
