"""The report of a run: compacted replications give the same figures as whole ones, the
monthly prio-1 table counts what happened, and the HTML report shows it per area and month
in Dutch notation."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from korps.common.formatting import number, percent
from korps.common.i18n import using
from korps.sim.engine import Model, Replication, build_model, compact, replicate
from korps.sim.kpi import summarize
from korps.sim.report import MONTH_COLUMNS, assumptions, monthly_rows, result_json, write_plots
from korps.sim.scenario import read_sim_scenario

EXAMPLE = Path(__file__).parents[2] / "examples" / "sim" / "klein.yaml"


@pytest.fixture(scope="module")
def model() -> Model:
    scenario = read_sim_scenario(EXAMPLE)
    return build_model(scenario.model_copy(update={"days": 75, "warmup_days": 5}))


@pytest.fixture(scope="module")
def reps(model: Model) -> list[Replication]:
    return replicate(model, replications=2, seed=3)


def test_compacted_replications_give_the_same_kpis_and_table(
    model: Model, reps: list[Replication]
) -> None:
    small = replicate(model, replications=2, seed=3, keep=compact)
    assert result_json(summarize(model, small, 3)) == result_json(summarize(model, reps, 3))
    assert monthly_rows(model, small) == monthly_rows(model, reps)
    whole = sum(r.on_scene.nbytes + r.incidents.time.nbytes + r.log_times.nbytes for r in reps)
    assert small[0].log_times.size == 0 and small[0].incidents.away_start.size == 0
    kept = sum(
        v.nbytes
        for rep in small
        for part in (rep, rep.incidents)
        for v in vars(part).values()
        if isinstance(v, np.ndarray)
    )
    assert kept < whole  # less than three of the whole replications' arrays


def test_monthly_rows_count_every_prio1_incident_by_area_month_and_class(
    model: Model, reps: list[Replication]
) -> None:
    rows = monthly_rows(model, reps)
    expected: dict[tuple[str, int], list[int]] = {}
    edges = [(0, 1), (31, 2), (59, 3)]  # day a month starts (75 days: Jan-Mar)
    for rep in reps:
        for k in range(len(rep.incidents)):
            t = float(rep.incidents.time[k])
            if rep.incidents.priority[k] != 1 or t < 5 * 1440:
                continue
            month = max(m for start, m in edges if t >= start * 1440)
            response = float(rep.on_scene[k]) - t
            klass = (
                4
                if np.isnan(response)
                else 0
                if response <= 5
                else 1
                if response <= 10
                else 2
                if response <= 15
                else 3
            )
            key = (model.scenario.areas[rep.incidents.atom[k]].key, month)
            expected.setdefault(key, [0] * 5)[klass] += 1
    got = {(r["gebied"], r["maand"]): r for r in rows}
    assert set(got) == set(expected)
    for key, counts in expected.items():
        row = got[key]
        assert row["prio1_meldingen"] == pytest.approx(sum(counts) / 2)
        assert row["binnen_15_min"] == pytest.approx(sum(counts[:3]) / sum(counts))
        classes = MONTH_COLUMNS[5:]
        assert [row[c] for c in classes] == [pytest.approx(c / 2) for c in counts]


def test_the_html_report_shows_the_monthly_table_per_area_in_dutch_notation(
    model: Model, reps: list[Replication], tmp_path: Path
) -> None:
    write_plots(model, reps, summarize(model, reps, 3), tmp_path)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Prio 1 per gebied en maand" in page
    blocks = re.findall(r"<details><summary>(.*?)</summary>(.*?)</details>", page)
    assert [b[0].split(" (")[0] for b in blocks] == ["noord", "zuid"]
    rows = monthly_rows(model, reps)
    for (summary, table), area in zip(blocks, ("noord", "zuid"), strict=True):
        mine = [r for r in rows if r["gebied"] == area]
        total = sum(r["prio1_meldingen"] for r in mine)
        within = sum(r["prio1_meldingen"] * r["binnen_15_min"] for r in mine)
        assert f"{number(total)} prio-1-meldingen" in summary
        assert f"{percent(within / total)} binnen 15 minuten" in summary
        months = re.findall(r"<tr><td>([a-z]{3})</td><td>([^<]*)</td><td>([^<]*)</td>", table)
        assert [m[0] for m in months] == ["jan", "feb", "mrt"]
        for (_, count, share), row in zip(months, mine, strict=True):
            assert count == number(row["prio1_meldingen"])  # 2 replications: one decimal
            assert share == percent(row["binnen_15_min"]) and share.endswith("%")
            assert "," in count and "." not in count.split(",")[1]


def test_the_report_is_dutch_with_dutch_numbers_and_english_under_en(
    model: Model, reps: list[Replication], tmp_path: Path
) -> None:
    """Issue 14.12: the page follows the locale: its language, headings, month names, the
    assumptions and the numbers (85,6% in Dutch, 85.6% in English)."""
    result = summarize(model, reps, 3)
    prio1 = result.priorities[0]
    write_plots(model, reps, result, tmp_path / "nl")
    page = (tmp_path / "nl" / "report.html").read_text(encoding="utf-8")
    share = re.escape(f"{prio1.within_norm.mean * 100:.1f}".replace(".", ",")) + "%"
    assert re.search(rf"<td>{share} \(\d+,\d%-\d+,\d%\)</td>", page)
    assert "<html lang='nl'>" in page
    dutch = ("<th>binnen norm (95%-BI)</th>", "<h2>Aannames</h2>", "vraag per jaar",
             "Prio 1 per gebied en maand", "<td>mrt</td>", "replicaties, seed 3")  # fmt: skip
    assert [text for text in dutch if text not in page] == []
    assert not re.search(r"\d\.\d%", page)  # no English decimal point in a percentage
    incidents = round(float(model.rates.sum()))
    assert f"{incidents // 1000}.{incidents % 1000:03d} incidenten: prio 1" in page
    with using("en"):
        write_plots(model, reps, result, tmp_path / "en")
    page = (tmp_path / "en" / "report.html").read_text(encoding="utf-8")
    assert re.search(rf"<td>{share.replace(',', '.')} \(\d+\.\d%-\d+\.\d%\)</td>", page)
    assert "<html lang='en'>" in page
    english = ("<th>within norm (95% CI)</th>", "<h2>Assumptions</h2>", "demand per year",
               "Prio 1 per area and month", "<td>Mar</td>", "replications, seed 3")  # fmt: skip
    assert [text for text in english if text not in page] == []
    assert "Aannames" not in page and "binnen 15 minuten" not in page
    assert f"{incidents // 1000},{incidents % 1000:03d} incidents: prio 1" in page


def test_the_assumptions_follow_the_locale(model: Model) -> None:
    dutch = dict(assumptions(model))
    assert dutch["beschikbaarheid"].startswith("100% van de diensttijd vrij")
    assert "omrijfactor 1,3" in dutch["rijden"]
    with using("en"):
        english = dict(assumptions(model))
    assert english["availability"].startswith("100% of the time on duty free")
    assert "detour factor 1.3" in english["driving"]
    assert list(english) == ["areas", "demand per year", "roster (units on duty)",
                             "availability", "driving", "control room"]  # fmt: skip
