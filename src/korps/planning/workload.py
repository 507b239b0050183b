"""Workload per team from a CSV or XLSX file: a ``team`` column and one column per indicator."""

from __future__ import annotations

import csv
import math
import zipfile
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from korps.organisation.datafile import DatasetError, Problem

KEY_COLUMN = "team"


def _number(text: object) -> float:
    if isinstance(text, int | float) and not isinstance(text, bool):
        return float(text)
    value = str(text).strip().replace(" ", "")
    if "," in value:  # Dutch notation: 1.234,5
        value = value.replace(".", "").replace(",", ".")
    return float(value)


def _table(path: Path) -> tuple[list[str], list[tuple[int, list[object]]], str]:
    """Header and numbered rows; ``where`` names the sheet for XLSX."""
    if path.suffix.lower() == ".xlsx":
        try:
            workbook = load_workbook(path, read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            raise DatasetError(
                str(path), [Problem("", f"not a readable XLSX file: {exc}")]
            ) from exc
        sheet = workbook.worksheets[0]
        rows: list[list[object]] = [list(r) for r in sheet.iter_rows(values_only=True)]
        workbook.close()
        where = f"sheet {sheet.title!r} "
    else:
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                rows = [list[object](r) for r in csv.reader(handle)]
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise DatasetError(str(path), [Problem("", f"cannot read CSV: {exc}")]) from exc
        where = ""
    if not rows:
        raise DatasetError(str(path), [Problem("", "the file is empty")])
    header = [str(h).strip() if h is not None else "" for h in rows[0]]
    body = [
        (number, row)
        for number, row in enumerate(rows[1:], start=2)
        if any(c not in (None, "") for c in row)
    ]
    return header, body, where


def read_workload(path: Path) -> dict[str, dict[str, float]]:
    """``{team: {indicator: value}}``; every value a number >= 0, every team once."""
    header, body, where = _table(path)
    if KEY_COLUMN not in header:
        raise DatasetError(str(path), [Problem(f"{where}row 1", f"no {KEY_COLUMN!r} column")])
    key_index = header.index(KEY_COLUMN)
    problems: list[Problem] = []
    result: dict[str, dict[str, float]] = {}
    for number, row in body:
        key = str(row[key_index]).strip() if key_index < len(row) else ""
        if not key or key == "None":
            problems.append(Problem(f"{where}row {number}", "empty team", number))
            continue
        if key in result:
            problems.append(Problem(f"{where}row {number}", f"team {key!r} appears twice", number))
            continue
        values: dict[str, float] = {}
        for index, column in enumerate(header):
            if index == key_index or not column or column == "name":
                continue
            cell = row[index] if index < len(row) else None
            try:
                value = _number(cell)
            except (TypeError, ValueError):
                problems.append(
                    Problem(
                        f"{where}row {number}, column {column!r}", f"not a number: {cell!r}", number
                    )
                )
                continue
            if not math.isfinite(value) or value < 0:
                problems.append(
                    Problem(
                        f"{where}row {number}, column {column!r}",
                        f"workload must be >= 0 (got {value:g})",
                        number,
                    )
                )
                continue
            values[column] = value
        result[key] = values
    if problems:
        raise DatasetError(str(path), problems[:25])
    return result
