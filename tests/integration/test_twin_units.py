"""Every regional unit and the whole police (``politie``) has a twin: basisteams where the
registry has their coverage, municipalities elsewhere; the roster optimiser on Rotterdam
names the areas travel limits and keeps to its caps."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from korps.organisation.models import Gemeente, Unit
from korps.planning.roster import optimise
from korps.planning.twin import PRIO1_PER_INHABITANT, TwinDefaults, scenario_for_unit
from korps.sim.engine import build_model, replicate
from korps.sim.kpi import summarize
from tests.conftest import Db, loaded_database

REGIONS = (
    "noord-nederland",
    "oost-nederland",
    "midden-nederland",
    "noord-holland",
    "amsterdam",
    "den-haag",
    "rotterdam",
    "zeeland-west-brabant",
    "oost-brabant",
    "limburg",
)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Db]:
    with loaded_database("sqlite", tmp_path_factory.mktemp("twin"), None) as db:
        yield db


@pytest.mark.parametrize("slug", REGIONS)
def test_every_regional_unit_runs(db: Db, slug: str) -> None:
    with db.session() as session:
        scenario = scenario_for_unit(session, slug=slug, days=4)
        region = session.scalar(select(Unit.region_code).where(Unit.slug == slug))
        towns = session.scalars(select(Gemeente).where(Gemeente.politie_eenheid_code == region))
        people = sum(g.population for g in towns)
    kinds = {a.kind for a in scenario.areas}
    assert kinds == ({"basisteam"} if slug in ("rotterdam", "oost-nederland") else {"gemeente"})
    prio1 = sum(a.incidents_per_year[1] for a in scenario.areas)
    if kinds == {"gemeente"}:  # every municipality of the unit, with the national rate
        assert prio1 == pytest.approx(people * PRIO1_PER_INHABITANT, rel=1e-3)
        assert all(a.name and not a.name.startswith("gm-") for a in scenario.areas)
    model = build_model(scenario.model_copy(update={"warmup_days": 1}))
    (rep,) = replicate(model, replications=1, seed=1)
    result = summarize(model, [rep], 1)
    assert 0.5 < result.priorities[0].within_norm.mean <= 1.0
    assert len(rep.incidents.away_start) > 0  # units are away for own work at times


def test_politie_is_all_ten_units(db: Db) -> None:
    with db.session() as session:
        scenario = scenario_for_unit(session, slug="politie", days=2)
        everyone = sum(g.population for g in session.scalars(select(Gemeente)))
    regions = {a.district.split("/")[0] for a in scenario.areas}
    assert regions == set(REGIONS)
    assert {a.kind for a in scenario.areas} == {"basisteam", "gemeente"}
    prio1 = sum(a.incidents_per_year[1] for a in scenario.areas)
    assert prio1 == pytest.approx(everyone * PRIO1_PER_INHABITANT, rel=0.02)  # the port etc.
    assert "gemeenten (geen basisteamdekking)" in (scenario.description or "")


def test_a_unit_without_area_is_refused_with_the_reason(db: Db) -> None:
    with db.session() as session, pytest.raises(ValueError, match="geen gebied om te simuleren"):
        scenario_for_unit(session, slug="landelijke-eenheid")


def test_roster_on_rotterdam_names_what_travel_limits_and_keeps_its_caps(db: Db) -> None:
    # the first fitted defaults (speed x1, turnout 1 minute), under which Haringvliet's base
    # is too far for the norm; the joint fit's faster drives bring it within reach
    slower = TwinDefaults(availability=0.65, speed_scale=1.0, turnout_minutes=1.0)
    with db.session() as session:
        scenario = scenario_for_unit(session, slug="rotterdam", defaults=slower)
    lines: list[str] = []
    plan = optimise(
        scenario, replications=1, seed=2, days=30, max_per_area=6, progress=lines.append
    )
    assert plan.met
    assert "rotterdam-e1-haringvliet" in {r.area for r in plan.limited}
    haringvliet = next(r for r in plan.limited if r.area == "rotterdam-e1-haringvliet")
    assert 0.1 < haringvliet.travel_costs < 0.2 and haringvliet.travel_minutes > 10
    assert all(n <= 6 for shifts in plan.units.values() for n in shifts.values())
    assert plan.total_units < 250 and plan.evaluations < 120
    assert any("begrensd door reistijd" in line for line in lines)  # said while it ran


def test_monthly_csv_in_the_published_shape(db: Db, tmp_path: Path) -> None:
    from korps.sim.report import monthly_rows, write_monthly

    with db.session() as session:
        scenario = scenario_for_unit(session, slug="limburg", days=65)
    model = build_model(scenario.model_copy(update={"warmup_days": 3}))
    reps = replicate(model, replications=2, seed=4)
    rows = monthly_rows(model, reps)
    assert {r["maand"] for r in rows} == {1, 2, 3}
    names = {a.name for a in scenario.areas}
    assert {r["gebied"] for r in rows} <= names
    first = [r for r in rows if r["maand"] == 1]
    in_january = [
        (
            (r.incidents.priority == 1)
            & (r.incidents.time >= 3 * 1440)
            & (r.incidents.time < 31 * 1440)
        ).sum()
        for r in reps
    ]
    assert sum(r["prio1_meldingen"] for r in first) == pytest.approx(np.mean(in_january))
    path = tmp_path / "maand.csv"
    write_monthly(rows, path)
    header = path.read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("gebied,soort,maand,prio1_meldingen,binnen_15_min")
