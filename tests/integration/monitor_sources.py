"""Source data for the monitor's computed actuals, written straight into the other domains'
tables (as their own services would leave them): people with sick leave (capacity), and
dossiers with closing times and questionnaire answers (portal), in two Rotterdam basisteams."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from korps.capacity.models import Absence, Person
from korps.identity.models import User
from korps.organisation.models import Unit
from korps.portal.models import Dossier, Feedback

CENTRUM, CHARLOIS = "rotterdam-b2-centrum", "rotterdam-d1-charlois"
# (number, team, contract hours, start, end, [(first sick day, last sick day)])
PEOPLE = [
    ("M-1", CENTRUM, 36.0, date(2020, 1, 1), None, [(date(2024, 3, 1), date(2024, 3, 10))]),
    ("M-2", CENTRUM, 18.0, date(2024, 7, 1), None, [(date(2024, 9, 1), date(2024, 9, 30))]),
    (
        "M-3",
        CHARLOIS,
        36.0,
        date(2023, 1, 1),
        date(2024, 12, 31),
        [(date(2024, 12, 20), date(2025, 1, 10))],
    ),
    ("M-4", CHARLOIS, 36.0, date(2025, 1, 1), None, [(date(2025, 2, 1), date(2025, 2, 5))]),
]
# (team, status, filed, days to closing or None, satisfied or None: no answer)
DOSSIERS = [
    (CENTRUM, "afgehandeld", datetime(2024, 2, 1, 10, tzinfo=UTC), 10.0, True),
    (CENTRUM, "afgehandeld", datetime(2024, 5, 1, 10, tzinfo=UTC), 4.0, False),
    (CHARLOIS, "afgehandeld", datetime(2024, 6, 1, 10, tzinfo=UTC), 2.5, True),
    (CHARLOIS, "geannuleerd", datetime(2024, 7, 1, 10, tzinfo=UTC), 1.0, None),
    (CENTRUM, "afgehandeld", datetime(2025, 1, 10, 10, tzinfo=UTC), 50.0, False),
    (CENTRUM, "in-behandeling", datetime(2025, 3, 1, 10, tzinfo=UTC), None, None),
]


def seed_sources(session: Session) -> None:
    units = {u.slug: u for u in session.scalars(select(Unit).where(Unit.slug.like("rotterdam%")))}
    for number, team, hours, start, end, sick in PEOPLE:
        person = Person(
            number=number,
            unit_id=units[team].id,
            function="agent",
            contract_hours=hours,
            start_date=start,
            end_date=end,
        )
        session.add(person)
        session.flush()
        for first, last in sick:
            session.add(Absence(person_id=person.id, kind="ziek", starts=first, ends=last))
    citizen = User(
        username="aangever-monitor", name="Aangever", kind="burger", created_at=datetime.now(UTC)
    )
    session.add(citizen)
    session.flush()
    for i, (team, status, filed, days, satisfied) in enumerate(DOSSIERS):
        closed = None if days is None else filed + timedelta(days=days)
        dossier = Dossier(
            number=f"MON-{i}",
            kind="aangifte",
            category="fietsdiefstal",
            channel="online",
            status=status,
            reporter_id=citizen.id,
            team_id=units[team].id,
            gemeente_code="GM0599",
            occurred_on=filed.date(),
            description="test",
            route_rule="test",
            route_reason="test",
            deadline=filed.date() + timedelta(days=28),
            created_at=filed,
            updated_at=closed or filed,
            closed_at=closed,
        )
        session.add(dossier)
        session.flush()
        if satisfied is not None and closed is not None:
            session.add(
                Feedback(
                    dossier_id=dossier.id,
                    satisfied=satisfied,
                    score=4 if satisfied else 2,
                    team_id=units[team].id,
                    category="fietsdiefstal",
                    created_at=closed + timedelta(hours=2),
                )
            )
    session.commit()
