"""Occupancy files (CSV or XLSX) and their parser, with file/line/column errors.

One header row, then one row per unit, category and period::

    unit,category,period,bezetting,source
    rotterdam-d1-charlois,wijkagenten,2023-2026,"17,5",HR-systeem 1-1-2025

``bezetting`` is fte >= 0 with a decimal point or a Dutch decimal comma; ``source`` is
optional. A CSV may be separated by commas or semicolons (Excel's Dutch export); an XLSX is
read from its first sheet unless a sheet is named. See docs/formation.md.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from korps.common import reasons
from korps.common.datafile import DatasetError, Problem
from korps.common.fields import StorableText
from korps.common.i18n import N_, _
from korps.organisation.datafile import SOURCE_MAX, Category, Slug

COLUMNS = ("unit", "category", "period", "bezetting", "source")
REQUIRED = ("unit", "category", "period", "bezetting")
# a period starts with its (first) year: 2024, 2023-2026, 2024-q1 (not "yesterday")
PERIOD_RE = r"^[0-9]{4}([-/._][0-9A-Za-z]+)*$"
NUMBER_RE = re.compile(r"[+-]?([0-9]+([.,][0-9]*)?|[.,][0-9]+)")  # ASCII digits only
FILE = N_("bestand")  # the path of problems with the whole file
SUFFIXES = {".csv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx"}

Period = Annotated[str, Field(pattern=PERIOD_RE, max_length=20)]
Fte = Annotated[float, Field(ge=0, allow_inf_nan=False)]

HINTS = {
    "unit": N_("geen eenheid-slug (kleine letters a-z, 0-9 en '-', bijv. rotterdam-d1-charlois)"),
    "category": N_("geen categorie (kleine letters a-z, 0-9 en '_', bijv. wijkagenten)"),
    "period": N_(
        "geen periode: een jaartal, eventueel gevolgd door - . / _ en letters of "
        "cijfers (bijv. 2024 of 2023-2026)"
    ),
}


def parse_fte(value: object) -> float:
    """A number of fte from a cell: 12, 12.5 or the Dutch 12,5. No thousands separators."""
    if isinstance(value, bool):
        raise PydanticCustomError("not_a_number", _("geen getal ({value})"), {"value": repr(value)})
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = str(value).strip()
        if not NUMBER_RE.fullmatch(text):
            raise PydanticCustomError(
                "not_a_number",
                _("geen getal ({value}); schrijf fte als 12.5 of 12,5, met de cijfers 0-9"),
                {"value": repr(text[:40])},
            )
        number = float(text.replace(",", "."))
    if number == 0 and math.copysign(1.0, number) < 0:  # would be stored as -0.0
        raise PydanticCustomError(
            "negative_zero", _("negatieve nul ({value}): schrijf 0"), {"value": repr(value)}
        )
    if not math.isfinite(number):
        raise PydanticCustomError(
            "not_a_number", _("geen eindig getal ({value})"), {"value": repr(value)}
        )
    return number


class OccupancyRow(BaseModel):
    """One validated row: occupancy (bezetting) in fte of a unit for a category and period."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    unit: Slug
    category: Category
    period: Period
    bezetting: Fte
    source: StorableText | None = Field(default=None, max_length=SOURCE_MAX)

    @field_validator("period", mode="before")
    @classmethod
    def _period_as_text(cls, value: object) -> object:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("bezetting", mode="before")
    @classmethod
    def _fte(cls, value: object) -> float:
        return parse_fte(value)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.unit, self.category, self.period)


@dataclass(frozen=True)
class Located:
    """A valid row and the line (CSV) or row number (XLSX) it came from."""

    line: int
    row: OccupancyRow


@dataclass
class ParsedOccupancy:
    """A parsed file: its valid rows, and the problems of the rows that were not."""

    file: str
    sheet: str | None = None
    header: dict[str, int] = field(default_factory=dict)
    rows: list[Located] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def problem(self, line: int | None, column: str | None, reason: str) -> Problem:
        """A problem at a line and column: ``column bezetting``, or for XLSX the sheet and cell."""
        return Problem(self.place(line, column), reason, line)

    def header_problem(self, line: int, reason: str) -> Problem:
        if self.sheet is None:
            return Problem(_("kopregel"), reason, line)
        where = _("blad {sheet}, kopregel", sheet=repr(self.sheet))
        return Problem(where, reason, line)

    def place(self, line: int | None, column: str | None) -> str:
        if self.sheet is None:
            if column:
                return _("kolom {column}", column=column)
            return _("rij") if line else _(FILE)
        where = _("blad {sheet}", sheet=repr(self.sheet))
        if column and line and column in self.header:
            cell = f"{get_column_letter(self.header[column] + 1)}{line}"
            return _("{where}, cel {cell}, kolom {column}", where=where, cell=cell, column=column)
        if column:
            return _("{where}, kolom {column}", where=where, column=column)
        return _("{where}, rij {line}", where=where, line=line) if line else where


def _reason(column: str, error: Any) -> str:
    kind, value = error["type"], error.get("input")
    if kind == "missing":
        return _("lege cel: een waarde is verplicht")
    if kind == "greater_than_equal":
        return _("negatieve waarde {value}: bezetting is fte >= 0", value=format(value, "g"))
    if kind == "string_pattern_mismatch":
        hint = _(HINTS[column]) if column in HINTS else reasons.reason(error)
        return _("{hint} (kreeg {value})", hint=hint, value=repr(value))
    if kind == "string_too_long":
        return _("{reason} (kreeg {count} tekens)", reason=reasons.reason(error), count=len(value))
    return reasons.reason(error)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _read_csv(path: Path) -> list[tuple[int, Sequence[object]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(
            str(path), [Problem(_(FILE), _("CSV-bestand niet te lezen: {error}", error=exc))]
        ) from exc
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    # strict: an unterminated quote (or text after a closing quote) is an error, not a cell
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, Sequence[object]]] = []
    try:
        start = 1
        for cells in reader:
            rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        reason = _(
            "ongeldige CSV (bijv. een aanhalingsteken dat niet gesloten wordt): {error}", error=exc
        )
        raise DatasetError(str(path), [Problem(_(FILE), reason, reader.line_num or None)]) from exc
    return rows


def _read_xlsx(path: Path, sheet: str | None) -> tuple[str, list[tuple[int, Sequence[object]]]]:
    try:
        workbook = load_workbook(path, data_only=True)
    # openpyxl raises many kinds of errors for a broken file (zip, XML, missing parts):
    # every one means the same thing to the user.
    except Exception as exc:
        reason = _(
            "geen leesbare XLSX-werkmap ({kind}: {error})", kind=type(exc).__name__, error=exc
        )
        raise DatasetError(str(path), [Problem(_(FILE), reason)]) from exc
    try:
        if sheet is None:
            worksheet = workbook.worksheets[0] if workbook.worksheets else None
        else:
            worksheet = workbook[sheet] if sheet in workbook.sheetnames else None
        if not isinstance(worksheet, Worksheet):
            names = ", ".join(repr(n) for n in workbook.sheetnames)
            reason = (
                _("geen werkblad {sheet} (bladen: {names})", sheet=repr(sheet), names=names)
                if sheet
                else _("geen werkblad")
            )
            raise DatasetError(str(path), [Problem(_(FILE), reason)])
        rows: list[tuple[int, Sequence[object]]] = list(
            enumerate(worksheet.iter_rows(min_row=1, values_only=True), start=1)
        )
        return worksheet.title, rows
    finally:
        workbook.close()


def _header(parsed: ParsedOccupancy, line: int, cells: Sequence[object]) -> None:
    allowed, required = ", ".join(COLUMNS), ", ".join(REQUIRED)
    for index, cell in enumerate(cells):
        name = "" if cell is None else str(cell).strip().lower()
        if not name:
            continue
        if name not in COLUMNS:
            parsed.problems.append(
                parsed.header_problem(
                    line,
                    _(
                        "onbekende kolom {name} (toegestaan: {allowed})",
                        name=repr(name),
                        allowed=allowed,
                    ),
                )
            )
        elif name in parsed.header:
            parsed.problems.append(
                parsed.header_problem(line, _("dubbele kolom {name}", name=repr(name)))
            )
        else:
            parsed.header[name] = index
    for name in REQUIRED:
        if name not in parsed.header:
            parsed.problems.append(
                parsed.header_problem(
                    line,
                    _(
                        "ontbrekende kolom {name} (verplicht: {required})",
                        name=repr(name),
                        required=required,
                    ),
                )
            )


def _row(
    parsed: ParsedOccupancy,
    line: int,
    cells: Sequence[object],
    seen: dict[tuple[str, str, str], int],
) -> None:
    columns = set(parsed.header.values())
    for index, cell in enumerate(cells):
        if index not in columns and not _blank(cell):
            where = (
                _("kolom {letter}", letter=get_column_letter(index + 1))
                if parsed.sheet
                else _("veld {number}", number=index + 1)
            )
            parsed.problems.append(
                parsed.problem(
                    line,
                    None,
                    _("waarde {cell} in {where}, dat geen kop heeft", cell=repr(cell), where=where),
                )
            )
    data = {
        name: cells[index]
        for name, index in parsed.header.items()
        if index < len(cells) and not _blank(cells[index])
    }
    try:
        row = OccupancyRow.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            column = str(error["loc"][0]) if error["loc"] else None
            parsed.problems.append(parsed.problem(line, column, _reason(column or "", error)))
        return
    if row.key in seen:
        reason = _(
            "dubbele rij voor eenheid {unit}, categorie {category}, periode {period} "
            "(eerder op {place} {line})",
            unit=repr(row.unit),
            category=repr(row.category),
            period=repr(row.period),
            place=_("rij") if parsed.sheet else _("regel"),
            line=seen[row.key],
        )
        parsed.problems.append(parsed.problem(line, None, reason))
        return
    seen[row.key] = line
    parsed.rows.append(Located(line, row))


def parse_rows(
    file: str, raw: list[tuple[int, Sequence[object]]], *, sheet: str | None = None
) -> ParsedOccupancy:
    """Validate raw rows (the first non-empty one is the header); collect every problem."""
    parsed = ParsedOccupancy(file=file, sheet=sheet)
    filled = [(line, cells) for line, cells in raw if not all(_blank(c) for c in cells)]
    if not filled:
        parsed.problems.append(
            parsed.problem(
                None,
                None,
                _("leeg bestand: een kopregel verwacht ({columns})", columns=", ".join(COLUMNS)),
            )
        )
        return parsed
    (header_line, header), *body = filled
    _header(parsed, header_line, header)
    if parsed.problems:
        return parsed
    if not body:
        parsed.problems.append(parsed.problem(header_line, None, _("geen rijen onder de kopregel")))
    seen: dict[tuple[str, str, str], int] = {}
    for line, cells in body:
        _row(parsed, line, cells, seen)
    return parsed


def parse_file(path: Path, *, sheet: str | None = None) -> ParsedOccupancy:
    """Read a CSV or XLSX file; file-level errors raise DatasetError, row errors are collected."""
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise DatasetError(
            str(path),
            [Problem(_(FILE), _("geen ondersteund bestandstype (gebruik .csv of .xlsx)"))],
        )
    if not path.is_file():
        raise DatasetError(str(path), [Problem(_(FILE), _("bestand bestaat niet"))])
    if kind == "csv":
        if sheet is not None:
            raise DatasetError(
                str(path), [Problem(_(FILE), _("een CSV-bestand heeft geen werkbladen"))]
            )
        return parse_rows(str(path), _read_csv(path))
    title, raw = _read_xlsx(path, sheet)
    return parse_rows(str(path), raw, sheet=title)
