"""Read actuals from a CSV or XLSX file (columns indicator, eenheid, jaar, waarde, bron, and
optionally periode: empty for the year, K1-K4 or a month 1-12) into validated rows with their
line numbers; the service then writes all or none."""

from __future__ import annotations

import csv
import io

from pydantic import ValidationError

from korps.common.i18n import _
from korps.monitor.errors import MonitorRefused
from korps.monitor.schemas import MeasurementIn

COLUMNS = ("indicator", "eenheid", "jaar", "waarde", "bron")
MAX_ROWS = 5000


def _cells(content: bytes, filename: str) -> list[list[str]]:
    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
        except Exception as exc:  # openpyxl raises many kinds for a file that is no workbook
            raise MonitorRefused(
                "bestand", _("geen leesbaar XLSX-bestand ({name})", name=type(exc).__name__)
            ) from exc
        if sheet is None:
            raise MonitorRefused("bestand", _("het werkboek heeft geen blad"))
        return [
            ["" if c is None else str(c) for c in row] for row in sheet.iter_rows(values_only=True)
        ]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MonitorRefused("bestand", _("geen UTF-8-tekst")) from exc
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if ";" in first else ","
    try:
        return list(csv.reader(io.StringIO(text), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise MonitorRefused("bestand", _("onleesbare CSV: {error}", error=exc)) from exc


def _number(text: str) -> float:
    """``20.917.070,5`` and ``20.917.070`` (Dutch: a comma, or two or more dots, make the dots
    thousands separators), ``97.5`` and ``97,5`` (one dot or a comma: the decimal sign)."""
    cleaned = text.strip().replace(" ", "")
    if "," in cleaned or cleaned.count(".") > 1:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    value = float(cleaned)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(text)
    return value


def read_rows(content: bytes, filename: str) -> tuple[list[MeasurementIn], list[int]]:
    """The rows and their line numbers; raises MonitorRefused naming line and column."""
    rows = _cells(content, filename)
    if not rows:
        raise MonitorRefused("bestand", _("het bestand is leeg"))
    header = [c.strip().lower() for c in rows[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise MonitorRefused(
            "bestand", _("kolommen ontbreken: {columns}", columns=", ".join(missing)), 1
        )
    if len(rows) - 1 > MAX_ROWS:
        raise MonitorRefused("bestand", _("meer dan {max_rows} regels", max_rows=MAX_ROWS))
    items: list[MeasurementIn] = []
    lines: list[int] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        cell = dict(zip(header, row, strict=False))
        try:
            year = int(cell.get("jaar", "").strip())
        except ValueError:
            raise MonitorRefused(
                "jaar", _("geen jaartal: {value}", value=repr(cell.get("jaar", ""))), number
            ) from None
        try:
            value = _number(cell.get("waarde", ""))
        except ValueError:
            raise MonitorRefused(
                "waarde", _("geen getal: {value}", value=repr(cell.get("waarde", ""))), number
            ) from None
        try:
            items.append(
                MeasurementIn(
                    indicator=cell.get("indicator", ""),
                    unit=cell.get("eenheid", ""),
                    year=year,
                    period=cell.get("periode", "").strip().removesuffix(".0"),
                    value=value,
                    source=cell.get("bron", ""),
                )
            )
        except ValidationError as exc:
            field = str(exc.errors()[0]["loc"][0])
            raise MonitorRefused(field, _("ontbreekt of is ongeldig"), number) from None
        lines.append(number)
    if not items:
        raise MonitorRefused("bestand", _("geen regels met metingen"))
    return items, lines
