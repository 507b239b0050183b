"""Issue 16.7 in the browser: a medewerker filters the team's work queue (kind, not
assigned), chooses two dossiers and assigns them to a colleague in one bulk action; the
queue comes back with the same filters and the database holds both assignments."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from korps.identity.models import User
from korps.identity.service import create_user, grant, principal_of
from korps.portal.models import Dossier
from korps.portal.schemas import AangifteIn, GoodIn
from korps.portal.service import file_dossier
from tests.conftest import BACKENDS, Db, loaded_database
from tests.e2e.conftest import login, serve, staff

pytestmark = pytest.mark.e2e
TEAM = "rotterdam-c1-maas-rotte"  # the basisteam Rotterdam's dossiers are routed to


def _file(session: Session, reporter: User, category: str) -> str:
    data = AangifteIn(
        category=category,
        occurred_on=date(2026, 11, 2),
        gemeente="Rotterdam",
        address=None,
        lat=None,
        lon=None,
        description="Gestolen bij het station.",
        goods=[GoodIn("Zwarte herenfiets", 450.0, None)],
    )
    dossier = file_dossier(session, reporter=principal_of(session, user=reporter), data=data)
    session.commit()
    return dossier.number


@pytest.fixture(scope="module", params=BACKENDS)
def queue_site(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    _pg_admin: Engine | None,
) -> Iterator[tuple[str, Db, str, dict[str, list[str]]]]:
    made: dict[str, Any] = {}

    def seed(session: Session) -> None:
        made["secret"] = staff(session, username="mw-werkvoorraad", role="medewerker", unit=TEAM)
        create_user(session, username="mw-collega", name="Collega Cor", kind="medewerker")
        grant(session, username="mw-collega", role="medewerker", unit=TEAM, actor="test")
        citizen = create_user(
            session, username="burger-wv", name="Burger", kind="burger", email="b@korps.test"
        )
        grant(session, username="burger-wv", role="burger", unit=None, actor="test")
        session.commit()
        made["numbers"] = {
            "fiets": [_file(session, citizen, "fietsdiefstal") for _ in range(2)],
            "anders": [_file(session, citizen, "diefstal")],
        }

    folder = tmp_path_factory.mktemp("werkvoorraad")
    with (
        loaded_database(request.param, folder, _pg_admin, then=seed) as db,
        serve(db.engine) as url,
    ):
        yield url, db, made["secret"], made["numbers"]


def test_a_medewerker_filters_and_assigns_two_dossiers_to_a_colleague(
    browser: Any, queue_site: tuple[str, Db, str, dict[str, list[str]]]
) -> None:
    from playwright.sync_api import expect

    base, db, secret, numbers = queue_site
    page = browser.new_context().new_page()
    login(page, base, username="mw-werkvoorraad", secret=secret)
    page.goto(base + "/team/werkvoorraad")
    rows = page.locator("#werkvoorraad tbody tr")
    expect(rows).to_have_count(3)
    page.get_by_label("Soort").select_option("fietsdiefstal")
    page.locator("input[name=niet_toegewezen]").check()
    page.get_by_role("button", name="Filteren").click()
    expect(rows).to_have_count(2)
    for number in numbers["fiets"]:
        page.get_by_label(f"Kies {number}").check()
    page.get_by_label("Toewijzen aan").select_option(label="Collega Cor")
    page.locator("#bulk-toewijzen").click()
    expect(page.locator("#bijgewerkt")).to_contain_text("2 dossiers bijgewerkt")
    assert "categorie=fietsdiefstal" in page.url and "niet_toegewezen=true" in page.url
    expect(page.locator("#werkvoorraad")).to_contain_text("Geen dossiers met deze filters")
    with db.session() as session:
        colleague = session.scalar(select(User.id).where(User.username == "mw-collega"))
        assigned = dict(
            session.execute(
                select(Dossier.number, Dossier.assignee_id).where(
                    Dossier.number.in_(numbers["fiets"] + numbers["anders"])
                )
            ).all()
        )
    assert assigned == {
        numbers["fiets"][0]: colleague,
        numbers["fiets"][1]: colleague,
        numbers["anders"][0]: None,
    }
    page.goto(base + "/team/werkvoorraad")
    expect(page.locator("#werkvoorraad")).to_contain_text("Collega Cor")
