"""Import occupancy (bezetting) from CSV or XLSX: validate every row, upsert in one transaction."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from korps.common.datafile import DatasetError, Problem
from korps.common.i18n import _
from korps.formation import schemas
from korps.formation.datafile import Located, ParsedOccupancy, parse_file
from korps.formation.models import Occupancy
from korps.organisation.models import Unit, UnitFigure

MAX_PROBLEMS = 50
MAX_MESSAGES = 20


def import_occupancy(
    session: Session, *, path: Path, sheet: str | None = None
) -> schemas.ImportReport:
    """Validate and write an occupancy file; on any problem raise DatasetError and write nothing.

    Rows are upserted by (unit, category, period); rows of the database that the file does not
    mention are kept. A row whose value and source are unchanged is not touched, so importing
    the same file twice gives the same database.
    """
    try:
        parsed = parse_file(path, sheet=sheet)
        report = _write(session, parsed=parsed)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return report


def _refuse(file: str, problems: list[Problem]) -> DatasetError:
    problems = sorted(problems, key=lambda p: p.line or 0)
    if len(problems) > MAX_PROBLEMS:
        more = len(problems) - MAX_PROBLEMS
        problems = [
            *problems[:MAX_PROBLEMS],
            Problem(_("bestand"), _("... en nog {count} problemen", count=more)),
        ]
    return DatasetError(file, problems)


def _write(session: Session, *, parsed: ParsedOccupancy) -> schemas.ImportReport:
    slugs = {located.row.unit for located in parsed.rows}
    query = select(Unit.slug, Unit.id).where(Unit.slug.in_(slugs))
    unit_ids = {slug: unit_id for slug, unit_id in session.execute(query)}
    problems = list(parsed.problems)
    problems += [
        parsed.problem(
            located.line, "unit", _("onbekende eenheid {slug}", slug=repr(located.row.unit))
        )
        for located in parsed.rows
        if located.row.unit not in unit_ids
    ]
    if problems:
        raise _refuse(parsed.file, problems)
    ids = list(unit_ids.values())
    existing = {
        (o.unit_id, o.category, o.period): o
        for o in session.scalars(select(Occupancy).where(Occupancy.unit_id.in_(ids)))
    }
    figures = select(UnitFigure.unit_id, UnitFigure.category, UnitFigure.period)
    formation = {
        (unit_id, category, period)
        for unit_id, category, period in session.execute(figures.where(UnitFigure.unit_id.in_(ids)))
    }
    now = datetime.now(UTC)
    default_source = Path(parsed.file).name
    counts = {"inserted": 0, "updated": 0, "unchanged": 0}
    messages: list[str] = []
    for located in parsed.rows:
        row = located.row
        key = (unit_ids[row.unit], row.category, row.period)
        source = row.source or default_source
        occupancy = existing.get(key)
        if occupancy is None:
            session.add(
                Occupancy(
                    unit_id=key[0],
                    category=row.category,
                    period=row.period,
                    value=row.bezetting,
                    source=source,
                    imported_at=now,
                )
            )
            counts["inserted"] += 1
        elif (occupancy.value, occupancy.source) != (row.bezetting, source):
            occupancy.value, occupancy.source, occupancy.imported_at = row.bezetting, source, now
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
        if key not in formation:
            messages.append(_no_formation(parsed, located))
    session.flush()
    if len(messages) > MAX_MESSAGES:
        more = len(messages) - MAX_MESSAGES
        messages = [
            *messages[:MAX_MESSAGES],
            _("... en nog {count} rijen zonder formatie", count=more),
        ]
    return schemas.ImportReport(
        file=parsed.file, rows=len(parsed.rows), messages=messages, **counts
    )


def _no_formation(parsed: ParsedOccupancy, located: Located) -> str:
    row = located.row
    line = located.line
    where = _("rij {line}", line=line) if parsed.sheet else _("regel {line}", line=line)
    return _(
        "{where}: {unit} heeft geen formatiecijfer {category} voor periode {period}, "
        "dus het tekort is niet te berekenen",
        where=where,
        unit=row.unit,
        category=repr(row.category),
        period=repr(row.period),
    )
