"""The allocation as JSON, and as CSV/XLSX in the shape of the published tables."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from korps.planning.plan import Result, Row


def row_json(row: Row) -> dict[str, Any]:
    return {
        "key": row.key,
        "name": row.name,
        "level": row.level + 1,
        "group": row.group,
        "score": row.score,
        "target": row.target,
        "share": row.share,
        "proposed": row.total,
        "own": row.proposed,
        "fixed": row.fixed,
        "fixed_below": row.fixed_below,
        "current": row.current,
        "difference": row.difference,
        "bound": row.bound,
        "norm_required": row.norm_required,
        "norm_met": row.norm_met,
        "norm_met_current": row.norm_met_current,
        "notes": row.notes,
    }


def result_json(result: Result) -> dict[str, Any]:
    return {
        "scenario": result.scenario,
        "unit": result.unit,
        "total": result.total,
        "distributed": result.distributed,
        "step": result.step,
        "reserves": [{"name": n, "amount": a} for n, a in result.reserves],
        "columns": result.columns,
        "notes": result.notes,
        "fit": None
        if result.fit is None
        else {
            "weights": result.fit.weights,
            "r_squared": result.fit.r_squared,
            "residuals": result.fit.residuals,
        },
        "rows": [row_json(r) for r in result.rows],
    }


def table(result: Result) -> list[list[Any]]:
    """Header, then per first-level row its children and a total line; reserves; TOTAAL."""
    single = len(result.columns) == 1
    header = ["Naam", *(c for c in result.columns), "Huidig", "Voorstel", "Verschil"]
    if single:
        header.append("Nieuw totaal")

    def line(row: Row, name: str | None = None) -> list[Any]:
        out: list[Any] = [name or row.name]
        out += [round(row.score, 4)] if single else [row.values.get(c) for c in result.columns]
        out += [row.current, row.total, row.difference]
        if single:
            out.append(round(row.score + row.total, 4))
        return out

    rows: list[list[Any]] = [header]
    tops = result.level(0)
    for top in tops:
        children = [r for r in result.rows if r.group == top.key and r.level == 1]
        if children:
            rows.append([top.name])
            rows += [line(child) for child in children]
            rows.append(line(top, f"totaal {top.name}"))
        else:
            rows.append(line(top))
    for name, amount in result.reserves:
        rows.append(
            [name, *("" for _ in result.columns), None, amount, None] + ([""] if single else [])
        )
    current = [t.current for t in tops]
    total_current = (
        sum(c for c in current if c is not None) if any(c is not None for c in current) else None
    )
    proposed = round(sum(t.total for t in tops) + sum(a for _, a in result.reserves), 10)
    rows.append(
        [
            "TOTAAL",
            *("" for _ in result.columns),
            total_current,
            proposed,
            None if total_current is None else round(proposed - total_current, 10),
        ]
        + ([""] if single else [])
    )
    return rows


def _dutch(value: Any) -> str:
    """A number as Dutch Excel reads it: decimal comma, no thousands separator."""
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(round(value, 10)).replace(".", ",").removesuffix(",0")
    return str(value)


def write_csv(result: Result, path: Path, *, dutch: bool = False) -> None:
    """The table as CSV. ``dutch``: what Excel in a Dutch locale opens as columns of
    numbers (semicolon separator, decimal comma, a byte order mark so it reads UTF-8);
    otherwise comma-separated with decimal points."""
    encoding = "utf-8-sig" if dutch else "utf-8"
    with path.open("w", encoding=encoding, newline="") as handle:
        if dutch:
            writer = csv.writer(handle, delimiter=";")
            for row in table(result):
                writer.writerow([_dutch(v) for v in row])
            return
        writer = csv.writer(handle)
        for row in table(result):
            writer.writerow(["" if v is None else v for v in row])


def write_xlsx(result: Result, path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Sterkteverdeling"[:31]
    sheet.append([result.scenario])
    sheet["A1"].font = Font(bold=True, size=13)
    for values in table(result):
        sheet.append(values)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=3):
        label = str(row[0].value or "")
        if (
            label.startswith("totaal")
            or label == "TOTAAL"
            or len([c for c in row if c.value is not None]) == 1
        ):
            for cell in row:
                cell.font = Font(bold=True)
        for cell in row[1:]:
            if isinstance(cell.value, float):
                cell.number_format = "0.0"
    sheet.column_dimensions["A"].width = 32
    workbook.save(path)
