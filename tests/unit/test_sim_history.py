"""The incident history CSV (docs/incidents-csv.md): reading refuses bad rows with file, line
and column; writing a simulation's incidents and reading them back loses nothing."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest

from korps.common.datafile import DatasetError
from korps.common.i18n import using
from korps.sim.engine import build_model, replicate
from korps.sim.history import (
    COLUMNS,
    MAX_PROBLEMS,
    History,
    history_of_replication,
    parse_time,
    read_history,
    write_history,
)
from korps.sim.replay import replay, wilson
from korps.sim.scenario import SimScenario

HEADER = ",".join(COLUMNS)
CET = timezone(timedelta(hours=1))


def small_scenario(days: float = 21) -> SimScenario:
    return SimScenario.model_validate(
        {
            "name": "klein",
            "days": days,
            "warmup_days": 7,
            "areas": [
                {"key": "noord", "district": "d1", "lat": 51.95, "lon": 4.45, "area_km2": 40,
                 "incidents_per_year": {1: 3000, 2: 4000, 3: 5000}},
                {"key": "zuid", "district": "d2", "lat": 51.87, "lon": 4.50, "area_km2": 30,
                 "incidents_per_year": {1: 2500, 2: 3500, 3: 4000}},
            ],
            "roster": {
                "shifts": [{"name": "D", "start": "07:00", "end": "19:00"},
                           {"name": "N", "start": "19:00", "end": "07:00"}],
                "units": {"*": {"D": 3, "N": 3}},
            },
        }
    )  # fmt: skip


def write(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "incidents.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def row(
    ident: str = "1",
    priority: str = "1",
    received: str = "2024-03-04T10:00:00+01:00",
    dispatched: str = "2024-03-04T10:02:00+01:00",
    arrived: str = "2024-03-04T10:09:00+01:00",
    cleared: str = "2024-03-04T10:50:00+01:00",
    units: str = "1",
    team: str = "noord",
) -> str:
    return f"{ident},112,,{priority},{team},d1,{received},{dispatched},{arrived},{cleared},{units}"


def test_written_simulation_reads_back_the_same(tmp_path: Path) -> None:
    model = build_model(small_scenario())
    (rep,) = replicate(model, replications=1, seed=7)
    history = history_of_replication(model, rep, start=datetime(2024, 2, 26, tzinfo=CET))
    path = tmp_path / "sim.csv"
    write_history(history, path)
    again = read_history(path)
    assert len(again) == len(history) > 500
    assert again.id == history.id and again.basisteam == history.basisteam
    assert again.district == history.district
    assert np.array_equal(again.priority, history.priority)
    assert np.array_equal(again.units, history.units)
    assert set(again.offset.tolist()) == {60}
    for name in ("received", "dispatched", "arrived", "cleared"):
        ours, theirs = getattr(history, name), getattr(again, name)
        assert np.array_equal(np.isnan(ours), np.isnan(theirs)), name
        assert np.array_equal(ours[~np.isnan(ours)], theirs[~np.isnan(theirs)]), name
    # kept: received after the warm-up (day 7 = Monday 4 March), before the horizon
    assert again.received.min() >= datetime(2024, 3, 4, tzinfo=CET).timestamp()
    assert again.received.max() < datetime(2024, 3, 18, tzinfo=CET).timestamp()
    # line numbers: the header is line 1
    assert again.line[0] == 2 and again.line[-1] == len(again) + 1
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == HEADER and lines[1].startswith("SIM-000001,,,")


def test_history_of_replication_needs_a_monday_midnight_with_offset() -> None:
    model = build_model(small_scenario(days=8))
    (rep,) = replicate(model, replications=1, seed=1)
    with pytest.raises(ValueError, match="UTC offset"):
        history_of_replication(model, rep, start=datetime(2024, 2, 26))
    with pytest.raises(ValueError, match="Monday"):
        history_of_replication(model, rep, start=datetime(2024, 2, 27, tzinfo=CET))


def test_unparseable_time_names_row_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, row("1"), row("2", received="2024-13-01 25:00"))
    with pytest.raises(DatasetError) as caught:
        read_history(path, name="incidents.csv")
    assert str(caught.value) == (
        "incidents.csv:3: kolom 'received_at': geen ISO 8601-tijd: '2024-13-01 25:00'"
    )


def test_every_problem_is_listed(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        row("1"),
        row("2", priority="4"),
        row("1", arrived="gisteren"),  # a duplicate id and a bad time on one line
        row("4", received="2024-03-04T10:00:00"),
        row("5", arrived="2024-03-04T09:00:00+01:00"),
        row("6", units="-1"),
        "7,fax,,2,noord,,2024-03-04T10:00:00+01:00,,,,",
        "8,112,,2,,,,,,,",
        "9,112,,2",
    )
    with using("en"), pytest.raises(DatasetError) as caught:  # the English texts
        read_history(path, name="incidents.csv")
    lines = str(caught.value).splitlines()
    assert lines == [
        "incidents.csv:3: column 'priority': must be 1, 2 or 3 (got '4')",
        "incidents.csv:4: column 'id': duplicate id '1' (first on line 2)",
        "incidents.csv:4: column 'arrived_at': not an ISO 8601 time: 'gisteren'",
        "incidents.csv:5: column 'received_at': ISO 8601 time without UTC offset: "
        "'2024-03-04T10:00:00' (e.g. 2024-03-01T14:05:00+01:00)",
        "incidents.csv:6: column 'arrived_at': before received_at "
        "(2024-03-04T09:00:00+01:00 < 2024-03-04T10:00:00+01:00)",
        "incidents.csv:6: column 'arrived_at': before dispatched_at "
        "(2024-03-04T09:00:00+01:00 < 2024-03-04T10:02:00+01:00)",
        "incidents.csv:7: column 'units': must be a whole number >= 0 (got '-1')",
        "incidents.csv:8: column 'channel': must be one of 112, 0900-8844, 101, online, desk "
        "(got 'fax')",
        "incidents.csv:9: column 'basisteam': empty (required)",
        "incidents.csv:9: column 'received_at': empty (required)",
        "incidents.csv:10: <document>: 4 fields, the header has 11",
    ]


def test_at_most_25_problems_then_a_note(tmp_path: Path) -> None:
    path = write(tmp_path, *(row(str(k), priority="9") for k in range(40)))
    with pytest.raises(DatasetError) as caught:
        read_history(path)
    problems = caught.value.problems
    assert len(problems) == MAX_PROBLEMS + 1
    assert "alleen de eerste 25 staan hier" in problems[-1].reason


def test_header_missing_unknown_and_doubled_columns(tmp_path: Path) -> None:
    header = "id,priority,basisteam,recieved_at,priority"
    path = write(tmp_path, "1,1,noord,x,1", header=header)
    with pytest.raises(DatasetError) as caught:
        read_history(path, name="incidents.csv")
    assert str(caught.value).splitlines() == [
        "incidents.csv:1: kolom 'priority': komt meer dan eens voor",
        "incidents.csv:1: kolom 'recieved_at': onbekende kolom (zie docs/incidents-csv.md)",
        "incidents.csv:1: kolom 'received_at': verplichte kolom ontbreekt "
        "(zie docs/incidents-csv.md)",
    ]


def test_only_required_columns_and_empty_files(tmp_path: Path) -> None:
    path = write(
        tmp_path, "a,2,noord,2024-03-04T10:00:00Z", "", header="id,priority,basisteam,received_at"
    )
    history = read_history(path)
    assert len(history) == 1 and history.units.tolist() == [1] and history.offset.tolist() == [0]
    assert np.isnan(history.arrived[0]) and history.district == [""]
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    with pytest.raises(DatasetError, match="geen kopregel"):
        read_history(tmp_path / "empty.csv")
    with pytest.raises(DatasetError, match="geen meldingen"):
        read_history(write(tmp_path))
    with pytest.raises(DatasetError, match="kan het bestand niet lezen"):
        read_history(tmp_path / "missing.csv")


def test_hour_of_week_is_local_monday_first() -> None:
    times = [
        "2024-03-04T00:30:00+01:00",  # Monday 00:30 local
        "2024-03-10T23:59:00+01:00",  # Sunday 23:59
        "2024-03-31T12:10:00+02:00",  # Sunday 12:10 summer time
        "2024-03-04T22:15:00Z",  # Monday 22:15 UTC
    ]
    parsed = [parse_time(t) for t in times]
    assert all(isinstance(p, tuple) for p in parsed)
    history = History(
        file="t",
        line=np.zeros(4, dtype=np.int64),
        id=["a", "b", "c", "d"],
        channel=[""] * 4,
        category=[""] * 4,
        priority=np.ones(4, dtype=np.int64),
        basisteam=["x"] * 4,
        district=[""] * 4,
        received=np.array([p[0] for p in parsed if isinstance(p, tuple)]),
        offset=np.array([p[1] for p in parsed if isinstance(p, tuple)], dtype=np.int64),
        dispatched=np.full(4, np.nan),
        arrived=np.full(4, np.nan),
        cleared=np.full(4, np.nan),
        units=np.ones(4, dtype=np.int64),
    )
    assert history.hour_of_week().tolist() == [0, 167, 6 * 24 + 12, 22]


def test_replay_counts_unserved_as_late(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        row("1"),  # 9 minutes: within 15
        row("2", arrived="2024-03-04T10:20:00+01:00"),  # 20 minutes: late
        row("3", dispatched="", arrived="", cleared=""),  # no unit: late
        row("4", arrived="2024-03-04T10:15:00+01:00", team="zuid"),  # exactly 15: within
        row("5", priority="2", arrived="2024-03-04T10:31:00+01:00"),  # 31: late for 30
    )
    result = replay(read_history(path))
    prio1, prio2, prio3 = result.priorities
    assert (prio1.incidents, prio1.within_norm.mean, prio1.meets_target) == (4, 0.5, False)
    assert prio1.unserved.mean == 0.25
    assert prio1.p50.mean == pytest.approx(15.0) and prio1.p90.mean == pytest.approx(19.0)
    assert prio2.within_norm.mean == 0.0 and prio3.incidents == 0
    assert prio3.within_norm.mean != prio3.within_norm.mean  # nan: no norm for prio 3
    areas = {(a.key, a.priority): a for a in result.areas}
    assert areas[("noord", 1)].incidents == 3 and areas[("zuid", 1)].within_norm.mean == 1.0
    assert [d.key for d in result.districts] == ["d1", "d1"]


def test_wilson_interval() -> None:
    estimate = wilson(82, 100)
    assert estimate.mean == 0.82
    assert estimate.low == pytest.approx(0.7333, abs=1e-4)  # textbook value
    assert estimate.high == pytest.approx(0.8829, abs=1e-4)
    assert wilson(10, 10).high == pytest.approx(1.0) and wilson(0, 10).low == pytest.approx(0.0)
