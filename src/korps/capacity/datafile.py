"""People files (CSV or XLSX): import all-or-nothing with row and column errors, export.

One header row, then one row per person::

    personeelsnummer,naam,eenheid,functie,contracturen,begin,einde,kwalificaties
    P0001,,rotterdam-d1-charlois,noodhulp,36,2020-01-01,,prio1;hovj:2027-12-31

``kwalificaties`` is a ``;``-separated list of ``name`` or ``name:valid-until``. The file
is read the way occupancy files are (``korps.formation.datafile``): comma or semicolon
CSV, or the first sheet of an XLSX.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar

from openpyxl import Workbook
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from korps.capacity import schemas, service
from korps.common.datafile import DatasetError, Problem, pydantic_reason
from korps.common.i18n import _
from korps.formation.datafile import SUFFIXES, _read_csv, _read_xlsx
from korps.identity.roles import Principal

M = TypeVar("M", bound=BaseModel)
COLUMNS = (
    "personeelsnummer",
    "naam",
    "eenheid",
    "functie",
    "contracturen",
    "begin",
    "einde",
    "kwalificaties",
)
FIELD = {
    "number": "personeelsnummer",
    "name": "naam",
    "unit": "eenheid",
    "function": "functie",
    "contract_hours": "contracturen",
    "start_date": "begin",
    "end_date": "einde",
    "qualifications": "kwalificaties",
}


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _qualifications(text: str) -> list[dict[str, str | None]]:
    out: list[dict[str, str | None]] = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        name, _, until = part.partition(":")
        out.append({"name": name.strip(), "valid_until": until.strip() or None})
    return out


def parse_table(
    file: str,
    raw: list[tuple[int, Sequence[object]]],
    *,
    columns: tuple[str, ...],
    required: int,
    model: type[M],
    convert: Callable[[dict[str, str]], dict[str, object]],
    fields: dict[str, str],
    unique: str | None = None,
) -> list[M]:
    """Rows of a file with a header (``columns``, the first ``required`` of them needed) as
    validated ``model`` objects, or DatasetError with every problem (row and column named).
    ``convert`` turns a row (column -> text) into the model's fields; ``fields`` names the
    column of each field in messages; ``unique`` is a field no two rows may share."""
    rows = [(line, [_text(c) for c in cells]) for line, cells in raw]
    rows = [(line, cells) for line, cells in rows if any(cells)]
    if not rows:
        raise DatasetError(file, [Problem(_("bestand"), _("leeg bestand: een kopregel ontbreekt"))])
    (header_line, header), *body = rows
    names = [h.lower() for h in header]
    missing = [c for c in columns[:required] if c not in names]
    unknown = [h for h in names if h and h not in columns]
    if missing or unknown:
        reasons = (
            [_("kolommen ontbreken: {columns}", columns=", ".join(missing))] if missing else []
        )
        if unknown:
            reasons.append(_("onbekende kolommen: {columns}", columns=", ".join(unknown)))
        raise DatasetError(file, [Problem(_("kopregel"), "; ".join(reasons), header_line)])
    index = {name: names.index(name) for name in columns if name in names}
    problems: list[Problem] = []
    out: list[M] = []
    seen: dict[object, int] = {}
    for line, cells in body:
        cell = {c: (cells[i] if i < len(cells) else "") for c, i in index.items()}
        try:
            item = model.model_validate(convert(cell))
        except ValidationError as exc:
            for error in exc.errors():
                column = fields.get(str(error["loc"][0]), _("rij")) if error["loc"] else _("rij")
                problems.append(
                    Problem(_("kolom {column}", column=column), pydantic_reason(error), line)
                )
            continue
        if unique is not None:
            key = getattr(item, unique)
            if key in seen:
                reason = _(
                    "{column} {key} staat al op regel {line}",
                    column=fields[unique],
                    key=key,
                    line=seen[key],
                )
                problems.append(Problem(_("kolom {column}", column=fields[unique]), reason, line))
                continue
            seen[key] = line
        out.append(item)
    if problems:
        raise DatasetError(file, problems)
    return out


def _person(cell: dict[str, str]) -> dict[str, object]:
    return {
        "number": cell["personeelsnummer"],
        "name": cell.get("naam") or None,
        "unit": cell["eenheid"],
        "function": cell["functie"],
        "contract_hours": cell["contracturen"].replace(",", "."),
        "start_date": cell["begin"],
        "end_date": cell.get("einde") or None,
        "qualifications": _qualifications(cell.get("kwalificaties", "")),
    }


def parse(file: str, raw: list[tuple[int, Sequence[object]]]) -> list[schemas.PersonIn]:
    """Validated rows, or DatasetError with every problem (row and column named)."""
    return parse_table(
        file,
        raw,
        columns=COLUMNS,
        required=6,
        model=schemas.PersonIn,
        convert=_person,
        fields=FIELD,
        unique="number",
    )


def read_rows(path: Path) -> list[tuple[int, Sequence[object]]]:
    """The rows of a CSV (comma or semicolon) or the first sheet of an XLSX."""
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None or not path.is_file():
        raise DatasetError(str(path), [Problem("bestand", _("geen .csv- of .xlsx-bestand"))])
    return list(_read_csv(path) if kind == "csv" else _read_xlsx(path, None)[1])


def read(path: Path) -> list[schemas.PersonIn]:
    return parse(str(path), read_rows(path))


def import_people(
    session: Session, *, principal: Principal | None, file: str, people: list[schemas.PersonIn]
) -> int:
    """Add every person or none: a refused row (unknown team, existing number) rolls back."""
    problems: list[Problem] = []
    for n, person in enumerate(people, start=2):  # check every row before writing any
        try:
            service.check_person(session, principal=principal, data=person)
        except service.CapacityError as exc:
            column = FIELD.get(exc.field, exc.field)
            problems.append(Problem(_("kolom {column}", column=column), str(exc), n))
    if problems:
        raise DatasetError(file, problems)
    try:
        for person in people:
            service.add_person(session, principal=principal, data=person)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return len(people)


def rows(people: list[schemas.PersonOut]) -> list[list[str]]:
    out = [list(COLUMNS)]
    for p in people:
        quals = ";".join(
            q.name + (f":{q.valid_until.isoformat()}" if q.valid_until else "")
            for q in p.qualifications
        )
        out.append(
            [
                p.number,
                p.name or "",
                p.unit,
                p.function,
                f"{p.contract_hours:g}",
                p.start_date.isoformat(),
                p.end_date.isoformat() if isinstance(p.end_date, date) else "",
                quals,
            ]
        )
    return out


def to_csv(people: list[schemas.PersonOut]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows(people))
    return buffer.getvalue()


def to_xlsx(people: list[schemas.PersonOut]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "personeel"
    for row in rows(people):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
