"""The working-time rules (Arbeidstijdenwet, ATW) as data, and an independent checker.

Pure: takes shifts as (person, start, end) and returns every violation with the rule named.
The roster generator (``korps.capacity.generator``) encodes the same rules as constraints;
its results are re-checked here, so a solver bug cannot pass unnoticed.

Definitions (ATW art. 1:7 and 5:8, the "overlegregeling" for the police where stricter):

* a **night shift** is a shift with more than one hour of work between 00:00 and 06:00;
* a **series** is a run of shifts on consecutive calendar days (by the day a shift starts);
  a night series is such a run of night shifts;
* **weekly hours** count a shift in the ISO week it starts in.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from typing import Any

from korps.common.formatting import short
from korps.common.i18n import N_, _

#: rule code -> what it says (Dutch, shown to users through the catalogue: ``describe``)
RULES: dict[str, str] = {
    "dienstduur": N_("maximaal {max_shift_hours} uur per dienst"),
    "weekuren": N_("maximaal {max_week_hours} uur per week"),
    "nachtdienstduur": N_("maximaal {max_night_shift_hours} uur per nachtdienst"),
    "rust": N_("minstens {min_rest_hours} uur rust tussen diensten"),
    "rust_na_nacht": N_(
        "minstens {rest_after_late_night_hours} uur rust na een nachtdienst die na "
        "{late_night_end_hour}:00 eindigt"
    ),
    "rust_na_nachtreeks": N_(
        "minstens {rest_after_night_series_hours} uur rust na een reeks van "
        "{night_series_length} of meer nachtdiensten"
    ),
    "nachten_per_periode": N_(
        "maximaal {max_nights_per_period} nachtdiensten per {night_period_weeks} weken"
    ),
    "reeks_met_nacht": N_(
        "maximaal {max_series_with_night} diensten achter elkaar als er een nachtdienst bij is"
    ),
}


@dataclass(frozen=True)
class WorkingTimeRules:
    """The limits; defaults are the ATW's (values may come from a file, see ``from_mapping``)."""

    max_shift_hours: float = 12.0
    max_week_hours: float = 60.0
    max_night_shift_hours: float = 10.0
    min_rest_hours: float = 11.0
    rest_after_late_night_hours: float = 14.0
    late_night_end_hour: float = 2.0
    rest_after_night_series_hours: float = 46.0
    night_series_length: int = 3
    max_nights_per_period: int = 36
    night_period_weeks: int = 16
    max_series_with_night: int = 7
    night_window_start_hour: float = 0.0
    night_window_end_hour: float = 6.0
    night_min_hours_in_window: float = 1.0

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> WorkingTimeRules:
        known = {f.name: f.type for f in fields(cls)}
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise ValueError(
                _("onbekende arbeidstijdregel(s): {unknown}", unknown=", ".join(unknown))
            )
        values: dict[str, Any] = {}
        for name, raw in data.items():
            kind = int if known[name] == "int" else float
            if isinstance(raw, bool) or not isinstance(raw, int | float) or raw < 0:
                raise ValueError(_("{name}: een getal van 0 of meer verwacht", name=name))
            values[name] = kind(raw)
        return cls(**values)

    def describe(self, code: str) -> str:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        return _(
            RULES[code], **{k: short(v) if isinstance(v, float) else v for k, v in values.items()}
        )


@dataclass(frozen=True)
class Worked:
    """One shift worked by one person."""

    person: str
    start: datetime
    end: datetime

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


@dataclass(frozen=True)
class Violation:
    rule: str  # a key of RULES
    person: str
    at: datetime  # the start of the shift that breaks the rule
    detail: str  # with the figures, in the language of the check

    def message(self, rules: WorkingTimeRules) -> str:
        when = f"{self.at:%Y-%m-%d %H:%M}"
        return f"{self.person} {when}: {rules.describe(self.rule)} ({self.detail})"


def night_hours(start: datetime, end: datetime, rules: WorkingTimeRules) -> float:
    """Hours of [start, end) that fall in the night window of any day."""
    total = 0.0
    day = start.date() - timedelta(days=1)
    while datetime.combine(day, time()) < end:
        midnight = datetime.combine(day, time(), tzinfo=start.tzinfo)
        low = midnight + timedelta(hours=rules.night_window_start_hour)
        high = midnight + timedelta(hours=rules.night_window_end_hour)
        overlap = (min(end, high) - max(start, low)).total_seconds() / 3600
        total += max(0.0, overlap)
        day += timedelta(days=1)
    return total


def is_night(start: datetime, end: datetime, rules: WorkingTimeRules) -> bool:
    return night_hours(start, end, rules) > rules.night_min_hours_in_window


def rest_needed(start: datetime, end: datetime, rules: WorkingTimeRules) -> tuple[float, str]:
    """Hours of rest after a shift, and the rule: more after a night shift that ends after
    02:00 (and before noon: the morning after the night)."""
    if is_night(start, end, rules):
        end_hour = end.hour + end.minute / 60
        if rules.late_night_end_hour < end_hour <= 12:
            return rules.rest_after_late_night_hours, "rust_na_nacht"
    return rules.min_rest_hours, "rust"


def _hours(delta: timedelta) -> float:
    return delta.total_seconds() / 3600


def _series(days: list[date]) -> list[list[date]]:
    """Runs of consecutive calendar days in the sorted, distinct ``days``."""
    runs: list[list[date]] = []
    for day in days:
        if runs and (day - runs[-1][-1]).days == 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return runs


def check_person(shifts: list[Worked], rules: WorkingTimeRules) -> list[Violation]:
    """Every violation in one person's shifts (sorted by start here)."""
    out: list[Violation] = []
    ordered = sorted(shifts, key=lambda s: s.start)
    nights = [is_night(s.start, s.end, rules) for s in ordered]
    for shift, night in zip(ordered, nights, strict=True):
        if shift.hours > rules.max_shift_hours:
            hours = _("{hours} uur", hours=short(shift.hours))
            out.append(Violation("dienstduur", shift.person, shift.start, hours))
        if night and shift.hours > rules.max_night_shift_hours:
            out.append(
                Violation(
                    "nachtdienstduur",
                    shift.person,
                    shift.start,
                    _("{hours} uur", hours=short(shift.hours)),
                )
            )
    for before, after in itertools.pairwise(ordered):
        rest = _hours(after.start - before.end)
        needed, rule = rest_needed(before.start, before.end, rules)
        if rest < needed:
            rested = _("{hours} uur rust", hours=short(rest))
            out.append(Violation(rule, after.person, after.start, rested))
    weeks: dict[tuple[int, int], float] = {}
    first_of_week: dict[tuple[int, int], datetime] = {}
    for shift in ordered:
        iso = shift.start.isocalendar()
        key = (iso.year, iso.week)
        weeks[key] = weeks.get(key, 0.0) + shift.hours
        first_of_week.setdefault(key, shift.start)
    for key, total in weeks.items():
        if total > rules.max_week_hours:
            detail = _(
                "{hours} uur in week {week} van {year}",
                hours=short(total),
                week=key[1],
                year=key[0],
            )
            out.append(Violation("weekuren", ordered[0].person, first_of_week[key], detail))
    out.extend(_night_rules(ordered, nights, rules))
    return out


def _night_rules(
    ordered: list[Worked], nights: list[bool], rules: WorkingTimeRules
) -> list[Violation]:
    out: list[Violation] = []
    if not ordered:
        return out
    person = ordered[0].person
    night_shifts = [s for s, n in zip(ordered, nights, strict=True) if n]
    night_days = sorted({s.start.date() for s in night_shifts})
    for run in _series(night_days):
        if len(run) < rules.night_series_length:
            continue
        last_end = max(s.end for s in night_shifts if s.start.date() == run[-1])
        later = [s for s in ordered if s.start >= last_end]
        if later:
            rest = _hours(later[0].start - last_end)
            if rest < rules.rest_after_night_series_hours:
                detail = _(
                    "{hours} uur rust na {nights} nachten", hours=short(rest), nights=len(run)
                )
                out.append(Violation("rust_na_nachtreeks", person, later[0].start, detail))
    window = timedelta(weeks=rules.night_period_weeks)
    starts = [s.start for s in night_shifts]
    for i, first in enumerate(starts):
        count = sum(1 for other in starts[i:] if other < first + window)
        if count > rules.max_nights_per_period:
            detail = _("{count} nachten vanaf {day}", count=count, day=first.date().isoformat())
            out.append(Violation("nachten_per_periode", person, first, detail))
            break
    night_set = set(night_days)
    for run in _series(sorted({s.start.date() for s in ordered})):
        if len(run) > rules.max_series_with_night and night_set.intersection(run):
            at = min(s.start for s in ordered if s.start.date() == run[0])
            detail = _(
                "{count} dagen achter elkaar vanaf {day}", count=len(run), day=run[0].isoformat()
            )
            out.append(Violation("reeks_met_nacht", person, at, detail))
    return out


def check(shifts: Iterable[Worked], rules: WorkingTimeRules | None = None) -> list[Violation]:
    """Every violation of ``rules`` (default: the ATW) in ``shifts``, person by person."""
    limits = rules or WorkingTimeRules()
    by_person: dict[str, list[Worked]] = {}
    for shift in shifts:
        if shift.end <= shift.start:
            raise ValueError(
                _("{person}: een dienst moet na zijn begin eindigen", person=shift.person)
            )
        by_person.setdefault(shift.person, []).append(shift)
    out: list[Violation] = []
    for person in sorted(by_person):
        out.extend(check_person(by_person[person], limits))
    return out
