"""The incident history CSV (docs/incidents-csv.md): a validating reader and a writer.

``read_history`` checks every row and refuses the file with all its problems (up to 25),
each named by file, line and column; nothing is half-read. ``write_history`` writes the same
format (atomically: a failed write leaves no file), e.g. a simulation's incidents through
``history_of_replication``.

Times are kept as seconds since 1970-01-01 UTC (``nan``: empty), with the UTC offset of
``received_at`` per row so that local time (the hour-of-week profile) can be recovered.
"""

from __future__ import annotations

import csv
import math
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

import numpy as np
import numpy.typing as npt

from korps.common.datafile import DatasetError, Problem
from korps.common.i18n import _
from korps.sim.engine import Model, Replication

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

COLUMNS = (
    "id",
    "channel",
    "category",
    "priority",
    "basisteam",
    "district",
    "received_at",
    "dispatched_at",
    "arrived_at",
    "cleared_at",
    "units",
)
REQUIRED = ("id", "priority", "basisteam", "received_at")
TIMES = ("received_at", "dispatched_at", "arrived_at", "cleared_at")
CHANNELS = ("112", "0900-8844", "101", "online", "desk")
MAX_PROBLEMS = 25
HOURS_MONDAY_TO_EPOCH = 72  # 1970-01-01 was a Thursday: Monday 00:00 is 72 hours earlier
# (later time column, earlier time column): the later may not come before the earlier
ORDER = (
    ("dispatched_at", "received_at"),
    ("arrived_at", "received_at"),
    ("arrived_at", "dispatched_at"),
    ("cleared_at", "received_at"),
    ("cleared_at", "arrived_at"),
)


@dataclass(frozen=True)
class History:
    """Incidents of a history, one index per incident, in file order."""

    file: str
    line: IntArray  # line of the row in the file (0 where not read from a file)
    id: list[str]
    channel: list[str]
    category: list[str]
    priority: IntArray
    basisteam: list[str]
    district: list[str]
    received: FloatArray  # seconds since 1970-01-01 UTC
    offset: IntArray  # UTC offset of received_at in minutes: local = received + 60 x offset
    dispatched: FloatArray  # nan where empty
    arrived: FloatArray
    cleared: FloatArray
    units: IntArray

    def __len__(self) -> int:
        return len(self.id)

    def response_minutes(self) -> FloatArray:
        """Response time (aanrijdtijd): arrived_at - received_at; nan where no unit arrived."""
        return (self.arrived - self.received) / 60.0

    def on_scene_minutes(self) -> FloatArray:
        return (self.cleared - self.arrived) / 60.0

    def intake_minutes(self) -> FloatArray:
        """received_at to dispatched_at (intake, operator queue and waiting for a unit)."""
        return (self.dispatched - self.received) / 60.0

    def local_hours(self) -> FloatArray:
        """Hours since Monday 1969-12-29 00:00 in the local time of each received_at."""
        local = self.received + 60.0 * self.offset
        return local / 3600.0 + HOURS_MONDAY_TO_EPOCH

    def hour_of_week(self) -> IntArray:
        """0..167, Monday 00:00-01:00 local time first."""
        return (np.floor(self.local_hours()).astype(np.int64)) % 168

    def span_seconds(self) -> float:
        return float(self.received.max() - self.received.min()) if len(self) else 0.0

    def firstline_of(self, column: str, value: str) -> int:
        values = self.basisteam if column == "basisteam" else self.district
        return int(self.line[values.index(value)])


def parse_time(text: str) -> tuple[float, int] | str:
    """``(seconds since epoch, UTC offset in minutes)``, or the reason ``text`` is refused."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return _("geen ISO 8601-tijd: {text}", text=repr(text))
    offset = moment.utcoffset()
    if offset is None:
        return _(
            "ISO 8601-tijd zonder UTC-verschil: {text} (bijvoorbeeld 2024-03-01T14:05:00+01:00)",
            text=repr(text),
        )
    return moment.timestamp(), int(offset.total_seconds() // 60)


def format_time(seconds: float, offset_minutes: int) -> str:
    if math.isnan(seconds):
        return ""
    zone = timezone(timedelta(minutes=int(offset_minutes)))
    return datetime.fromtimestamp(round(seconds), tz=zone).isoformat(timespec="seconds")


class _Rows:
    """Collects the parsed rows and the problems of one file."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.truncated = False
        self.line: list[int] = []
        self.text: dict[str, list[str]] = {c: [] for c in ("id", "channel", "category")}
        self.text |= {"basisteam": [], "district": []}
        self.priority: list[int] = []
        self.times: dict[str, list[float]] = {c: [] for c in TIMES}
        self.offset: list[int] = []
        self.units: list[int] = []
        self.seen: dict[str, int] = {}

    def problem(self, line: int, column: str, reason: str) -> None:
        if len(self.problems) >= MAX_PROBLEMS:
            self.truncated = True
            return
        self.problems.append(Problem(_column(column) if column else "", reason, line))

    def add(self, line: int, row: dict[str, str]) -> None:
        before = len(self.problems)
        ident = row["id"]
        if not ident:
            self.problem(line, "id", _("leeg (verplicht)"))
        elif ident in self.seen:
            self.problem(
                line,
                "id",
                _(
                    "dubbele id {id} (eerst op regel {line})",
                    id=repr(ident),
                    line=self.seen[ident],
                ),
            )
        else:
            self.seen[ident] = line
        channel = row.get("channel", "")
        if channel and channel not in CHANNELS:
            self.problem(
                line,
                "channel",
                _(
                    "moet een van {values} zijn (gegeven: {value})",
                    values=", ".join(CHANNELS),
                    value=repr(channel),
                ),
            )
        priority = row["priority"]
        if priority not in ("1", "2", "3"):
            self.problem(
                line, "priority", _("moet 1, 2 of 3 zijn (gegeven: {value})", value=repr(priority))
            )
        if not row["basisteam"]:
            self.problem(line, "basisteam", _("leeg (verplicht)"))
        moments: dict[str, float] = {}
        offset = 0
        for column in TIMES:
            text = row.get(column, "")
            if not text:
                if column == "received_at":
                    self.problem(line, column, _("leeg (verplicht)"))
                moments[column] = math.nan
                continue
            parsed = parse_time(text)
            if isinstance(parsed, str):
                self.problem(line, column, parsed)
                moments[column] = math.nan
                continue
            moments[column] = parsed[0]
            if column == "received_at":
                offset = parsed[1]
        for later, earlier in ORDER:
            if moments[later] < moments[earlier]:  # False where either is nan
                self.problem(
                    line,
                    later,
                    _(
                        "voor {earlier} ({later} < {first})",
                        earlier=earlier,
                        later=row[later],
                        first=row[earlier],
                    ),
                )
        units_text = row.get("units", "")
        units = 1
        if units_text:
            try:
                units = int(units_text)
            except ValueError:
                units = -1
            if units < 0:  # 0: no unit was sent (as the control room exports it)
                self.problem(
                    line,
                    "units",
                    _("moet een geheel getal >= 0 zijn (gegeven: {value})", value=repr(units_text)),
                )
        if len(self.problems) > before or self.truncated:
            return
        self.line.append(line)
        for column, values in self.text.items():
            values.append(row.get(column, ""))
        self.priority.append(int(priority))
        for column, values_t in self.times.items():
            values_t.append(moments[column])
        self.offset.append(offset)
        self.units.append(units)

    def history(self) -> History:
        return History(
            file=self.file,
            line=np.array(self.line, dtype=np.int64),
            id=self.text["id"],
            channel=self.text["channel"],
            category=self.text["category"],
            priority=np.array(self.priority, dtype=np.int64),
            basisteam=self.text["basisteam"],
            district=self.text["district"],
            received=np.array(self.times["received_at"], dtype=np.float64),
            offset=np.array(self.offset, dtype=np.int64),
            dispatched=np.array(self.times["dispatched_at"], dtype=np.float64),
            arrived=np.array(self.times["arrived_at"], dtype=np.float64),
            cleared=np.array(self.times["cleared_at"], dtype=np.float64),
            units=np.array(self.units, dtype=np.int64),
        )


def _column(name: str) -> str:
    return _("kolom {column}", column=repr(name))


def _header(file: str, header: list[str]) -> list[str]:
    names = [h.strip() for h in header]
    problems = []
    for name in dict.fromkeys(names):
        if name not in COLUMNS:
            reason = _("onbekende kolom (zie docs/incidents-csv.md)")
            problems.append(Problem(_column(name), reason, 1))
        elif names.count(name) > 1:
            problems.append(Problem(_column(name), _("komt meer dan eens voor"), 1))
    problems.extend(
        Problem(_column(name), _("verplichte kolom ontbreekt (zie docs/incidents-csv.md)"), 1)
        for name in REQUIRED
        if name not in names
    )
    if problems:
        raise DatasetError(file, problems[:MAX_PROBLEMS])
    return names


def read_history(path: Path, name: str | None = None) -> History:
    """Read and validate a history CSV; raise DatasetError listing every problem (up to 25)."""
    file = name or str(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            try:
                header = next(reader)
            except StopIteration:
                empty = _("leeg bestand: geen kopregel")
                raise DatasetError(file, [Problem("", empty, 1)]) from None
            names = _header(file, header)
            rows = _Rows(file)
            for fields in reader:
                if not fields or (len(fields) == 1 and not fields[0].strip()):
                    continue  # a blank line
                line = reader.line_num
                if len(fields) != len(names):
                    rows.problem(
                        line,
                        "",
                        _(
                            "{fields} velden, de kopregel heeft er {header}",
                            fields=len(fields),
                            header=len(names),
                        ),
                    )
                elif not rows.truncated:
                    rows.add(line, dict(zip(names, (f.strip() for f in fields), strict=True)))
                if rows.truncated:
                    break
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        unreadable = _("kan het bestand niet lezen: {error}", error=str(exc))
        raise DatasetError(file, [Problem("", unreadable)]) from exc
    if rows.problems:
        problems = list(rows.problems)
        if rows.truncated:
            more = _("meer problemen; alleen de eerste {count} staan hier", count=MAX_PROBLEMS)
            problems.append(Problem("", more))
        raise DatasetError(file, problems)
    if not rows.line:
        none = _("geen meldingen: het bestand heeft alleen een kopregel")
        raise DatasetError(file, [Problem("", none, 1)])
    return rows.history()


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` that replaces it when the block ends without error;
    on error it is removed, so a failed write leaves nothing behind."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def write_history(history: History, path: Path) -> None:
    """Write ``history`` in the CSV format; a failed write leaves no file behind."""
    with replacing(path) as temporary, temporary.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        for k in range(len(history)):
            offset = int(history.offset[k])
            writer.writerow(
                (
                    history.id[k],
                    history.channel[k],
                    history.category[k],
                    int(history.priority[k]),
                    history.basisteam[k],
                    history.district[k],
                    format_time(float(history.received[k]), offset),
                    format_time(float(history.dispatched[k]), offset),
                    format_time(float(history.arrived[k]), offset),
                    format_time(float(history.cleared[k]), offset),
                    int(history.units[k]),
                )
            )


def history_of_replication(
    model: Model,
    rep: Replication,
    *,
    start: datetime,
    first_day: float | None = None,
    last_day: float | None = None,
    prefix: str = "SIM-",
) -> History:
    """The incidents of one simulated replication as a history.

    ``start`` is the wall-clock time of simulation minute 0 (a Monday 00:00 with a UTC
    offset, which every time of the history gets); only incidents received in
    ``[first_day, last_day)`` are kept (default: after the warm-up, to the horizon). Times
    are rounded to the second.
    """
    if start.utcoffset() is None:
        raise ValueError("start needs a UTC offset")
    if start.weekday() != 0 or start.time() != time(0, 0):
        raise ValueError("start must be a Monday 00:00 (simulation minute 0)")
    offset_td = start.utcoffset()
    assert offset_td is not None
    scenario = model.scenario
    low = (scenario.warmup_days if first_day is None else first_day) * 1440.0
    high = (scenario.days if last_day is None else last_day) * 1440.0
    incidents = rep.incidents
    keep = np.flatnonzero((incidents.time >= low) & (incidents.time < high))
    origin = start.timestamp()

    def seconds(minutes: FloatArray) -> FloatArray:
        return np.asarray(np.round(origin + minutes[keep] * 60.0), dtype=np.float64)

    count = int(keep.shape[0])
    atoms = incidents.atom[keep]
    return History(
        file="<simulation>",
        line=np.zeros(count, dtype=np.int64),
        id=[f"{prefix}{k + 1:06d}" for k in range(count)],
        channel=[""] * count,
        category=[""] * count,
        priority=incidents.priority[keep].copy(),
        basisteam=[model.keys[a] for a in atoms],
        district=[model.districts[model.atom_district[a]] for a in atoms],
        received=seconds(incidents.time),
        offset=np.full(count, int(offset_td.total_seconds() // 60), dtype=np.int64),
        dispatched=seconds(rep.dispatched),
        arrived=seconds(rep.on_scene),
        cleared=seconds(rep.cleared),
        units=incidents.units[keep].copy(),
    )
