"""Pydantic shapes of the monitor: a measurement entered, a status row, an indicator's detail."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from korps.monitor.datafile import CODE_MAX, SLUG_MAX, SOURCE_MAX


class MeasurementIn(BaseModel):
    """An actual entered by a user (or one row of an imported file)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    indicator: str = Field(min_length=1, max_length=CODE_MAX)
    unit: str = Field(min_length=1, max_length=SLUG_MAX)
    year: int
    period: str = Field(
        default="", max_length=10, description="empty (the year), K1-K4 or a month 1-12"
    )
    value: float = Field(allow_inf_nan=False)
    source: str = Field(min_length=1, max_length=SOURCE_MAX)


class Point(BaseModel):
    year: int
    period: str = Field(description="2025, 2025-K2 or 2025-03")
    first_month: int = 1
    months: int = 12
    value: float
    origin: str = Field(description="berekend (korps) or the source of an entered value")
    entered_by: str | None = None
    entered_at: str | None = None


class TargetView(BaseModel):
    year: int
    kind: str
    value: float | None = None
    published: str
    source: str
    note: str | None = None


class StatusRow(BaseModel):
    theme: str
    theme_title: str
    indicator: str
    name: str
    measure: str
    direction: str
    obtained: str
    unit: str
    unit_name: str
    series: list[Point]
    targets: list[TargetView]
    status: str
    status_label: str
    trend: str
    reason: str
    ratio: float | None = None
    year: int | None = None
    period: str | None = None  # of the latest measurement used
    value: float | None = None
    target: float | None = None
    published: str = ""
    source: str = ""


class Overview(BaseModel):
    unit: str
    unit_name: str
    plan: str | None
    plan_title: str | None
    today: str
    view: str = Field(description="the year or quarter shown, e.g. 2025 or 2025-K2")
    rows: list[StatusRow]
