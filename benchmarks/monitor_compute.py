"""Recomputing the monitor's computed actuals for Rotterdam (the eenheid, its districts and
basisteams; every year and quarter of the plan up to the clock) on a SQLite file with
synthetic source data, and reading the status table after it.

Run: ``.venv/bin/python benchmarks/monitor_compute.py [--people 2000] [--dossiers 5000]``

Source data (seeded ``numpy.random.Generator``, same seed same data): ``--people`` people
spread over Rotterdam's basisteams with one to three sick spells each in 2023-2026, and
``--dossiers`` portal dossiers, four in five closed with an answer to the questionnaire. The
bundled organisation and monitor files are loaded first. Prints the seconds of the
computation, of a second one (nothing changed), of the status table, and the counts.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import func, select

from korps.capacity.models import Absence, Person
from korps.db.session import make_engine
from korps.identity.models import User
from korps.identity.roles import Principal, Scope
from korps.monitor import service
from korps.monitor.compute import compute
from korps.monitor.models import Measurement
from korps.organisation.models import Unit
from korps.portal.models import Dossier, Feedback

CLOCK = date(2026, 11, 30)
BIN = Path(sys.executable).parent
PRINCIPAL = Principal(
    user_id=0,
    username="benchmark",
    name="benchmark",
    kind="medewerker",
    scopes=(Scope(role="beheerder", unit_id=None, unit_path="/"),),
)


def _setup(url: str) -> None:
    env = {"KORPS_DATABASE_URL": url, "PATH": str(BIN)}
    for command in (["db", "init"], ["load", "all"], ["monitor", "load"]):
        subprocess.run([str(BIN / "korps"), *command], check=True, env=env, capture_output=True)


def _seed(url: str, people: int, dossiers: int) -> None:
    rng = np.random.default_rng(13)
    engine = make_engine(url)
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        teams = session.scalars(
            select(Unit).where(Unit.slug.like("rotterdam%"), Unit.kind == "basisteam")
        ).all()
        citizen = User(
            username="burger-bench", name="B", kind="burger", created_at=datetime.now(UTC)
        )
        session.add(citizen)
        session.flush()
        for i in range(people):
            start = date(2020, 1, 1) + timedelta(days=int(rng.integers(0, 2000)))
            person = Person(
                number=f"B{i:05d}",
                unit_id=teams[int(rng.integers(len(teams)))].id,
                function="agent",
                contract_hours=float(rng.choice([24.0, 32.0, 36.0])),
                start_date=start,
                end_date=None,
            )
            session.add(person)
            session.flush()
            for _ in range(int(rng.integers(1, 4))):
                first = date(2023, 1, 1) + timedelta(days=int(rng.integers(0, 1430)))
                last = first + timedelta(days=int(rng.integers(0, 20)))
                session.add(Absence(person_id=person.id, kind="ziek", starts=first, ends=last))
        for i in range(dossiers):
            filed = datetime(2023, 1, 1, 9, tzinfo=UTC) + timedelta(
                hours=int(rng.integers(0, 34000))
            )
            closed = filed + timedelta(days=float(rng.exponential(12.0)))
            done = rng.random() < 0.8 and closed.date() <= CLOCK
            team = teams[int(rng.integers(len(teams)))]
            dossier = Dossier(
                number=f"BENCH-{i}", kind="aangifte", category="fietsdiefstal", channel="online",
                status="afgehandeld" if done else "in-behandeling", reporter_id=citizen.id,
                team_id=team.id, gemeente_code="GM0599", occurred_on=filed.date(),
                description="benchmark", route_rule="b", route_reason="b",
                deadline=filed.date() + timedelta(days=28), created_at=filed,
                updated_at=closed if done else filed, closed_at=closed if done else None,
            )  # fmt: skip
            session.add(dossier)
            session.flush()
            if done:
                session.add(
                    Feedback(
                        dossier_id=dossier.id, satisfied=bool(rng.random() < 0.7),
                        score=int(rng.integers(1, 6)), team_id=team.id, category="fietsdiefstal",
                        created_at=closed + timedelta(hours=3),
                    )
                )  # fmt: skip
        session.commit()
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--dossiers", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        _setup(url)
        _seed(url, args.people, args.dossiers)
        engine = make_engine(url)
        from sqlalchemy.orm import Session

        with Session(engine) as session:
            started = time.perf_counter()
            first = compute(session, principal=PRINCIPAL, slug="rotterdam", today=CLOCK)
            computed = time.perf_counter() - started
            started = time.perf_counter()
            again = compute(session, principal=PRINCIPAL, slug="rotterdam", today=CLOCK)
            recomputed = time.perf_counter() - started
            started = time.perf_counter()
            table = service.overview(session, slug="rotterdam", today=CLOCK)
            read = time.perf_counter() - started
            kept = session.scalar(select(func.count(Measurement.id)))
        engine.dispose()
    print(f"source: {args.people} people, {args.dossiers} dossiers (SQLite file)")
    print(
        f"compute rotterdam: {first.units} units x {len(first.periods)} periods: "
        f"{computed:.2f} s ({first.added} figures kept)"
    )
    print(f"compute again (nothing changed: {again.unchanged} equal): {recomputed:.2f} s")
    print(f"status table ({len(table.rows)} rows) read: {read * 1000:.0f} ms; measurements {kept}")


if __name__ == "__main__":
    main()
