"""Run a scenario against the database (or its inline teams).

Nothing here opens a file a scenario names: a scenario from the web or the API refers to a
stored workload table by id; only the command line reads a `workload:` file, next to its
scenario file, and passes the rows in (``allocate_file``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from korps.common.formatting import signed
from korps.common.i18n import N_, _
from korps.organisation.service import NotFoundError
from korps.planning.allocation import AllocationError
from korps.planning.inputs import database_inputs, inline_inputs, with_workload
from korps.planning.models import WorkloadTable
from korps.planning.plan import Result, run
from korps.planning.scenario import Scenario, read_scenario
from korps.planning.weights import apply_fit, describe
from korps.planning.workload import Workload, parse_workload, read_workload_file

NO_PATHS = N_(
    "`workload` noemt een bestand: bestanden worden alleen vanaf de opdrachtregel gelezen. "
    "Upload de werklasttabel op /werklast (of POST /api/v1/workload-tables) en verwijs ernaar "
    "met `workload_table: <nummer>`."
)


def store_workload(
    session: Session, *, data: bytes, filename: str, name: str = ""
) -> WorkloadTable:
    """Validate an uploaded CSV/XLSX table and store it; nothing is stored when it is refused."""
    return store_workload_rows(
        session, rows=parse_workload(data, name=filename), filename=filename, name=name
    )


def store_workload_rows(
    session: Session, *, rows: Workload, filename: str, name: str = ""
) -> WorkloadTable:
    table = WorkloadTable(
        name=(name.strip() or Path(filename).name)[:200],
        filename=Path(filename).name[:200],
        rows=json.dumps(rows, sort_keys=True),
        created_at=datetime.now(UTC),
    )
    session.add(table)
    session.flush()
    return table


def list_workload(session: Session) -> list[WorkloadTable]:
    return list(session.scalars(select(WorkloadTable).order_by(WorkloadTable.id.desc())))


def stored_workload(session: Session, *, table_id: int) -> Workload:
    table = session.get(WorkloadTable, table_id)
    if table is None:
        raise NotFoundError(_("onbekende werklasttabel {table_id}", table_id=table_id))
    rows: Workload = json.loads(table.rows)
    return rows


def allocate_scenario(
    session: Session | None, *, scenario: Scenario, workload: Workload | None = None
) -> Result:
    """Inputs from the database when the scenario names a unit, else from its inline teams.

    ``workload`` is the table of a `workload:` file the command line has read; without it a
    scenario naming a file is refused, and the file is never opened.
    """
    if scenario.workload is not None and workload is None:
        raise AllocationError(_(NO_PATHS))
    if scenario.workload_table is not None:
        if session is None:
            raise AllocationError(_("`workload_table` staat in de database"))
        try:
            workload = stored_workload(session, table_id=scenario.workload_table)
        except NotFoundError as exc:
            raise AllocationError(f"workload_table: {exc}") from exc
    if scenario.unit is not None:
        if session is None:
            raise ValueError(_("dit scenario leest zijn teams uit de database"))
        inputs = database_inputs(session, scenario)
    else:
        inputs = inline_inputs(scenario)
    if workload is not None:
        inputs = with_workload(inputs, workload)
    scenario, fit = apply_fit(scenario, inputs)
    result = run(scenario, inputs)
    if fit is not None and scenario.fit is not None:
        result.fit = fit
        result.notes.append(describe(fit, scenario.fit))
        for row in result.level(0):
            row.notes.append(
                _(
                    "afwijking van de fit op {target}: {residual}",
                    target=scenario.fit,
                    residual=signed(fit.residuals[row.key]),
                )
            )
    return result


def read_scenario_file(path: Path) -> tuple[Scenario, Workload | None]:
    """The command line's way in: the scenario file and, when it names one, its workload
    file (relative to the scenario file; regular files of bounded size only)."""
    scenario = read_scenario(path)
    if scenario.workload is None:
        return scenario, None
    return scenario, read_workload_file(Path(scenario.workload))


def allocate_file(session: Session | None, *, path: Path) -> Result:
    scenario, workload = read_scenario_file(path)
    return allocate_scenario(session, scenario=scenario, workload=workload)
