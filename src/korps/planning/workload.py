"""Workload per team from a CSV or XLSX table: a ``team`` column and one column per indicator.

Tables reach korps two ways, and never as a path a client names: uploaded bytes (web and
API, stored as a `WorkloadTable` and referred to by id), or a file the command line reads
next to its scenario file (regular files only, bounded in size; devices and FIFOs are
refused before they are opened for reading).
"""

from __future__ import annotations

import csv
import io
import math
import os
import stat
import zipfile
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from korps.common.datafile import DatasetError, Problem
from korps.common.i18n import _

KEY_COLUMN = "team"
MAX_BYTES = 5_000_000  # a workload table of every team in the country is a few hundred kB
MAX_ROWS = 5_000
MAX_COLUMNS = 100
SUFFIXES = (".csv", ".xlsx")

Workload = dict[str, dict[str, float]]


def _number(text: object) -> float:
    if isinstance(text, int | float) and not isinstance(text, bool):
        return float(text)
    value = str(text).strip().replace(" ", "")
    if "," in value:  # Dutch notation: 1.234,5
        value = value.replace(".", "").replace(",", ".")
    return float(value)


def _refuse(name: str, reason: str) -> DatasetError:
    return DatasetError(name, [Problem("", reason)])


def _rows_xlsx(data: bytes, name: str) -> tuple[list[list[object]], str]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise _refuse(name, _("geen leesbaar XLSX-bestand")) from exc
    try:
        sheet = workbook.worksheets[0]
        rows: list[list[object]] = []
        for values in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1):
            row: list[object] = list(values)
            while row and row[-1] is None:  # read-only sheets pad rows to max_col
                row.pop()
            rows.append(row)
            if len(rows) > MAX_ROWS + 1:
                raise _refuse(name, _("meer dan {max_rows} rijen", max_rows=MAX_ROWS))
        return rows, _("blad {sheet} ", sheet=repr(sheet.title))
    finally:
        workbook.close()


def _rows_csv(data: bytes, name: str) -> list[list[object]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _refuse(name, _("geen UTF-8-tekst (byte {start})", start=exc.start)) from exc
    if "\x00" in text:
        raise _refuse(name, _("het bestand bevat een NUL-teken"))
    first = text.split("\n", 1)[0]
    delimiter = next((d for d in (";", "\t") if d in first and "," not in first), ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[list[object]] = []
    try:
        for row in reader:
            rows.append(list[object](row))
            if len(rows) > MAX_ROWS + 1:
                raise _refuse(name, _("meer dan {max_rows} rijen", max_rows=MAX_ROWS))
    except csv.Error as exc:
        raise _refuse(
            name, _("geen geldige CSV (regel {line_num}): {exc}", line_num=reader.line_num, exc=exc)
        ) from exc
    return rows


def _table(data: bytes, name: str) -> tuple[list[str], list[tuple[int, list[object]]], str]:
    """Header and numbered rows; ``where`` names the sheet for XLSX."""
    if len(data) > MAX_BYTES:
        raise _refuse(
            name, _("het bestand is groter dan {max_bytes} MB", max_bytes=MAX_BYTES // 1000000)
        )
    if name.lower().endswith(".xlsx"):
        rows, where = _rows_xlsx(data, name)
    else:
        rows, where = _rows_csv(data, name), ""
    if not rows:
        raise _refuse(name, _("het bestand is leeg"))
    if len(rows[0]) > MAX_COLUMNS:
        raise _refuse(name, _("meer dan {max_columns} kolommen", max_columns=MAX_COLUMNS))
    header = [str(h).strip() if h is not None else "" for h in rows[0]]
    body = [
        (number, row)
        for number, row in enumerate(rows[1:], start=2)
        if any(c not in (None, "") for c in row)
    ]
    return header, body, where


def _excerpt(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "...'"


def parse_workload(data: bytes, *, name: str) -> Workload:
    """``{team: {indicator: value}}``; every value a number >= 0, every team once.

    ``name`` is the file name the table came with (its suffix picks CSV or XLSX); it is
    only used in messages, never opened.
    """
    header, body, where = _table(data, name)
    if KEY_COLUMN not in header:
        raise DatasetError(
            name,
            [
                Problem(
                    where + _("rij {number}", number=1),
                    _("geen kolom {key_column}", key_column=repr(KEY_COLUMN)),
                )
            ],
        )
    key_index = header.index(KEY_COLUMN)
    problems: list[Problem] = []
    result: Workload = {}
    for number, row in body:
        key = str(row[key_index]).strip() if key_index < len(row) else ""
        if not key or key == "None":
            problems.append(
                Problem(where + _("rij {number}", number=number), _("team is leeg"), number)
            )
            continue
        if key in result:
            problems.append(
                Problem(
                    where + _("rij {number}", number=number),
                    _("team {key} komt twee keer voor", key=repr(key)),
                    number,
                )
            )
            continue
        values: dict[str, float] = {}
        for index, column in enumerate(header):
            if index == key_index or not column or column == "name":
                continue
            cell = row[index] if index < len(row) else None
            place = where + _("rij {number}, kolom {column}", number=number, column=repr(column))
            try:
                value = _number(cell)
            except (TypeError, ValueError):
                problems.append(
                    Problem(place, _("geen getal: {value}", value=_excerpt(cell)), number)
                )
                continue
            if not math.isfinite(value) or value < 0:
                problems.append(Problem(place, _("werklast moet een getal >= 0 zijn"), number))
                continue
            values[column] = value
        result[key] = values
    if problems:
        raise DatasetError(name, problems[:25])
    return result


def read_workload_file(path: Path) -> Workload:
    """Read a workload table from disk for the command line: a regular file of at most
    ``MAX_BYTES``. The file is opened without blocking, so a FIFO cannot hang the reader,
    and checked on the open descriptor, so what is checked is what is read."""
    name = str(path)
    if path.suffix.lower() not in SUFFIXES:
        raise _refuse(name, _("een werklasttabel is een .csv- of .xlsx-bestand"))
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise _refuse(
            name, _("kan het bestand niet openen: {strerror}", strerror=exc.strerror)
        ) from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _refuse(name, _("geen gewoon bestand (apparaat, FIFO of map)"))
        if info.st_size > MAX_BYTES:
            raise _refuse(
                name, _("het bestand is groter dan {max_bytes} MB", max_bytes=MAX_BYTES // 1000000)
            )
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(MAX_BYTES + 1)
    finally:
        os.close(fd)
    return parse_workload(data, name=name)
