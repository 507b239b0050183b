"""Measurement periods of the monitor (pure): a year, a quarter or a month, written ``2025``,
``2025-K2`` and ``2025-03``; how a period's value compares with a yearly target (pro rata for
counts and sums, as it is for shares), and which measurements a view of a year or a quarter
uses (docs/monitor.md, "Periods")."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol, TypeVar

from korps.common.i18n import _

PRO_RATA = ("aantal", "som")  # aggregations that add up over a year: compared pro rata
LENGTHS = {12: "jaar", 3: "kwartaal", 1: "maand"}


@dataclass(frozen=True, order=True)
class Period:
    """``months`` (12, 3 or 1) from ``first_month`` of ``year``."""

    year: int
    first_month: int = 1
    months: int = 12

    @property
    def label(self) -> str:
        if self.months == 12:
            return str(self.year)
        if self.months == 3:
            return f"{self.year}-K{(self.first_month - 1) // 3 + 1}"
        return f"{self.year}-{self.first_month:02d}"

    @property
    def start(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def end(self) -> date:
        """The first day after the period."""
        month = self.first_month + self.months
        return date(self.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)

    @property
    def fraction(self) -> float:
        return self.months / 12

    def last_day(self, today: date) -> date:
        """The period's last day, or ``today`` while it runs."""
        return min(self.end - timedelta(days=1), today)

    def covers(self, other: Period) -> bool:
        """True when ``other`` is a shorter period inside this one."""
        return self.months > other.months and self.start <= other.start and other.end <= self.end

    def moment(self, today: date) -> float:
        """When a measurement of the period counts, in fractional years: at its end, or at
        ``today`` while it runs."""
        day = self.end if today >= self.end else today
        return day.year + (day.timetuple().tm_yday - 1) / 365.25


def year(value: int) -> Period:
    return Period(value)


def quarters(value: int) -> list[Period]:
    return [Period(value, 3 * q + 1, 3) for q in range(4)]


FULL = re.compile(r"^(\d{4})(?:-(?:[KkQq]([1-4])|(\d{1,2})))?$")
PART = re.compile(r"^(?:[KkQq]([1-4])|[Mm]?(\d{1,2})|jaar)?$")


def _checked(year_value: int, quarter: str | None, month: str | None) -> Period:
    if not 2000 <= year_value <= 2100:
        raise ValueError(
            _("jaar {year_value} ligt niet tussen 2000 en 2100", year_value=year_value)
        )
    if quarter:
        return Period(year_value, 3 * (int(quarter) - 1) + 1, 3)
    if month:
        if not 1 <= int(month) <= 12:
            raise ValueError(_("maand {month} bestaat niet (1 tot en met 12)", month=month))
        return Period(year_value, int(month), 1)
    return Period(year_value)


def parse(text: str) -> Period:
    """``2025``, ``2025-K2`` (or Q2) or ``2025-03``; ValueError with a Dutch reason."""
    found = FULL.match(text.strip())
    if found is None:
        shown = text.strip()[:20]
        raise ValueError(
            _("onbekende periode {shown} (schrijf 2025, 2025-K2 of 2025-03)", shown=repr(shown))
        )
    return _checked(int(found[1]), found[2], found[3])


def parse_view(text: str) -> Period | None:
    """The year or quarter a dashboard shows (``2025``, ``2025-K2``); empty: None (this
    year); ValueError with a Dutch reason for a month or a period that is none."""
    if not text.strip():
        return None
    found = parse(text)
    if found.months == 1:
        raise ValueError(_("kies een jaar of een kwartaal (2025 of 2025-K2)"))
    return found


def within(year_value: int, text: str) -> Period:
    """The period ``text`` of ``year_value``: empty or ``jaar`` (the year), ``K1``-``K4``
    (a quarter) or ``1``-``12`` / ``M03`` (a month); ValueError with a Dutch reason."""
    found = PART.match(text.strip())
    if found is None:
        raise ValueError(
            _(
                "onbekende periode {text} (laat leeg voor het jaar, of K1-K4, of 1-12)",
                text=repr(text.strip()[:20]),
            )
        )
    return _checked(year_value, found[1], found[2])


def comparable(value: float, period: Period, aggregation: str) -> float:
    """The value on the scale of a yearly target: a count or sum over part of a year is
    extrapolated pro rata (a quarter's 25 counts as 100 a year); a share stays as it is."""
    return value / period.fraction if aggregation in PRO_RATA else value


def target_for(target: float, period: Period, aggregation: str) -> float:
    """The yearly target on the scale of the period (pro rata for counts and sums)."""
    return target * period.fraction if aggregation in PRO_RATA else target


class Dated(Protocol):
    @property
    def period(self) -> Period: ...


T = TypeVar("T", bound=Dated)


def in_view(items: Sequence[T], *, view: Period, today: date) -> list[T]:
    """The measurements a view of ``view`` (a year or a quarter) uses, oldest first: every
    period of earlier years, and of the view's own year those no longer than the view that
    have ended by its end; none that has not started by ``today``; a shorter period inside a
    longer one that is also there is left out (the year's figure stands for its quarters)."""
    chosen = [
        m
        for m in items
        if m.period.start <= today
        and (
            m.period.year < view.year
            or (
                m.period.year == view.year
                and m.period.months <= view.months
                and m.period.end <= view.end
            )
        )
    ]
    kept = [m for m in chosen if not any(o.period.covers(m.period) for o in chosen)]
    return sorted(kept, key=lambda m: (m.period.end, m.period.months))
