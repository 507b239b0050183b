"""Computed actuals from capacity and the portal (SQLite and PostgreSQL): each equals the
source domain's own figure for the same unit and period, is kept with who computed it, when
and from what, and is recomputed on demand; periods shorter than a year in the status."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date, datetime, time
from statistics import mean, median
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from korps.audit.models import AuditEntry
from korps.capacity.models import Absence, Person
from korps.capacity.service import sick_leave_of
from korps.cli import app
from korps.common.i18n import using
from korps.controlroom.times import LOCAL
from korps.identity.errors import Forbidden
from korps.monitor import service
from korps.monitor.actuals import READER, sick_leave
from korps.monitor.compute import compute
from korps.monitor.periods import parse
from korps.monitor.schemas import MeasurementIn, StatusRow
from korps.organisation.models import Unit
from tests.conftest import BACKENDS, Db, loaded_database, snapshot
from tests.integration.monitor_sources import CENTRUM, DOSSIERS
from tests.integration.test_monitor_service import TODAY, _seed, planner

runner = CliRunner()


@pytest.fixture(scope="module", params=BACKENDS)
def db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, _pg_admin: Any
) -> Iterator[Db]:
    with loaded_database(
        request.param, tmp_path_factory.mktemp("monb"), _pg_admin, then=_seed
    ) as found:
        yield found


def _row(db: Db, code: str, slug: str = "rotterdam", view: str | None = None) -> StatusRow:
    with db.session() as session:
        rows = service.overview(
            session, slug=slug, today=TODAY, view=parse(view) if view else None
        ).rows
    return next(r for r in rows if r.indicator == code)


def _values(row: StatusRow) -> dict[str, float]:
    return {p.period: p.value for p in row.series}


@pytest.mark.parametrize("slug", ["rotterdam", CENTRUM])
def test_sick_leave_equals_capacity_for_the_unit_and_period(db: Db, slug: str) -> None:
    with db.session() as session:
        want = {
            label: sick_leave_of(
                session,
                principal=READER,
                slug=slug,
                starts=parse(label).start,
                ends=parse(label).last_day(TODAY),
            )
            for label in ("2024", "2025")
        }
        quarter = sick_leave_of(
            session, principal=READER, slug=slug, starts=date(2024, 7, 1), ends=date(2024, 9, 30)
        )
    row = _row(db, "ziekteverzuim", slug)
    got = _values(row)
    assert got["2024"] == want["2024"].percentage and got["2025"] == want["2025"].percentage
    assert row.obtained == "berekend" and row.published == "Ziekteverzuim; doel 5,9%"
    point = row.series[0]
    assert point.origin.startswith("berekend door korps uit capaciteit")
    assert point.entered_by == "planner-test" and point.entered_at
    assert _values(_row(db, "ziekteverzuim", slug, "2024-K3"))["2024-K3"] == quarter.percentage
    if slug == "rotterdam":
        # by hand: 10 + 30 x 0.5 + 12 days lost of 366 + 184 x 0.5 + 366 days available
        assert got["2024"] == pytest.approx(100 * 37 / 824, abs=0.01)
        # the source is stored in Dutch notation, whatever the language of who computes it
        source = (
            "berekend door korps uit capaciteit (verzuim 37 van 824 beschikbare dagen, "
            "01-01-2024 t/m 31-12-2024)"
        )
        assert source in [p.origin for p in row.series]
        with db.session() as session, using("en"):
            unit = session.scalar(select(Unit).where(Unit.slug == slug))
            assert unit is not None
            found = sick_leave(session, unit=unit, period=parse("2024"), today=TODAY)
        assert found is not None and found[1] == source


def test_satisfaction_equals_the_portal_command(db: Db, use_database: Callable[[Db], None]) -> None:
    use_database(db)
    result = runner.invoke(
        app,
        [
            "portal",
            "tevredenheid",
            "--since",
            "2024-01-01",
            "--until",
            "2025-01-01",
            "--unit",
            "rotterdam",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    portal = json.loads(result.stdout)
    row = _row(db, "tevredenheid-aangifte")
    assert _values(row)["2024"] == round(100 * portal["satisfied_share"], 2)  # as kept
    assert portal["answers"] == 3 and _values(row)["2024"] == pytest.approx(200 / 3, abs=0.01)
    # 2024 two of three satisfied, 2025 none: worse than the previous measurement
    assert row.status == "uit-koers" and row.trend == "verslechtert"


def test_lead_times_are_the_days_from_ontvangen_to_afgehandeld(db: Db) -> None:
    closed = [(filed, days) for _t, status, filed, days, _s in DOSSIERS if status == "afgehandeld"]

    def days_in(first: date, end: date) -> list[float]:
        since, until = (datetime.combine(d, time(), LOCAL) for d in (first, end))
        return [d for f, d in closed if d is not None and since <= f.astimezone(LOCAL) < until]

    year_2024 = days_in(date(2024, 1, 1), date(2025, 1, 1))
    assert len(year_2024) == 3  # the cancelled dossier does not count, nor the open one
    med, avg = _row(db, "doorlooptijd-mediaan"), _row(db, "doorlooptijd-gemiddeld")
    assert _values(med)["2024"] == pytest.approx(median(year_2024), abs=0.01)
    assert _values(avg)["2024"] == pytest.approx(mean(year_2024), abs=0.01)
    quarter = _row(db, "doorlooptijd-mediaan", view="2024-K2")
    assert _values(quarter)["2024-K2"] == pytest.approx(
        median(days_in(date(2024, 4, 1), date(2024, 7, 1))), abs=0.01
    )
    assert med.published == service.NO_TARGET and med.status == "geen-oordeel"


def test_recompute_follows_the_source_and_is_audited(db: Db) -> None:
    before = _values(_row(db, "ziekteverzuim", CENTRUM))["2024"]
    with db.session() as session:
        person = session.scalar(select(Person).where(Person.number == "M-1"))
        assert person is not None
        session.add(
            Absence(
                person_id=person.id, kind="ziek", starts=date(2024, 11, 1), ends=date(2024, 11, 30)
            )
        )
        session.commit()
        assert _values(_row(db, "ziekteverzuim", CENTRUM))["2024"] == before  # kept until ...
        report = compute(session, principal=planner(), slug="rotterdam", today=TODAY)
        audit = session.scalar(
            select(AuditEntry)
            .where(AuditEntry.action == "berekende metingen herberekend")
            .order_by(AuditEntry.id.desc())
        )
        want = sick_leave_of(
            session,
            principal=READER,
            slug=CENTRUM,
            starts=date(2024, 1, 1),
            ends=date(2024, 12, 31),
        )
    after = _values(_row(db, "ziekteverzuim", CENTRUM))["2024"]
    assert after == want.percentage and after > before
    assert report.changed >= 2 and report.added == 0  # 2024 and 2024-K4, unit and above
    assert audit is not None and audit.actor == "planner-test" and audit.after is not None
    assert {
        "indicator": "ziekteverzuim",
        "unit": CENTRUM,
        "period": "2024",
        "before": before,
        "after": after,
    } in audit.after["changes"]


def test_only_a_planner_of_the_unit_recomputes_and_nothing_changes(db: Db) -> None:
    before = snapshot(db)
    with db.session() as session, pytest.raises(Forbidden):
        compute(session, principal=planner("/999999/"), slug="rotterdam", today=TODAY)
    assert snapshot(db) == before


def test_a_quarter_of_a_sum_is_compared_pro_rata(db: Db) -> None:
    with db.session() as session:
        item = MeasurementIn(
            indicator="waardebeslag",
            unit="rotterdam",
            year=2025,
            period="K1",
            value=6_000_000,
            source="FIOD kwartaalcijfers",
        )
        service.enter(session, principal=planner(), items=[item], today=TODAY)
    row = _row(db, "waardebeslag")
    yearly = next(t.value for t in row.targets if t.year == 2025)
    assert yearly is not None
    assert row.period == "2025-K1" and row.value == 6_000_000
    assert row.target == pytest.approx(yearly / 4)  # 24 million a year >= 23.2 million
    assert row.status == "op-koers" and "pro rata" in row.reason
    # the year view of 2024 does not see 2025's quarter
    assert _row(db, "waardebeslag", view="2024").series == []
