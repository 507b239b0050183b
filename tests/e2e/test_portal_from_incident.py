"""Issue 16.2 in the browser: a centralist opens a burglary incident in the control room,
follows its link to the aangifte form (filled in from the incident), completes the
reporter's e-mail address and a good, and registers it; the page then names the one dossier
of that incident, and the database holds it with channel meldkamer beside the incident."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from korps.controlroom import schemas, service
from korps.portal.models import Dossier, DossierIncident
from tests.conftest import BACKENDS, Db, loaded_database
from tests.e2e.conftest import login, serve, staff

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module", params=BACKENDS)
def site(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    _pg_admin: Engine | None,
) -> Iterator[tuple[str, Db, str, int]]:
    made: dict[str, Any] = {}

    def seed(session: Session) -> None:
        made["secret"] = staff(
            session, username="cen-aangifte", role="centralist", unit="rotterdam"
        )
        data = schemas.IncidentIn(
            eenheid="rotterdam",
            channel="112",
            category="woninginbraak-heterdaad",
            gemeente="Rotterdam",
            address="Coolsingel 40",
            caller_name="Jan Jansen",
        )
        made["incident"] = service.intake(session, data=data, actor="test")[0].id
        session.commit()

    folder = tmp_path_factory.mktemp("uit-melding")
    with (
        loaded_database(request.param, folder, _pg_admin, then=seed) as db,
        serve(db.engine) as url,
    ):
        yield url, db, made["secret"], made["incident"]


def test_a_centralist_registers_the_aangifte_of_an_incident(
    browser: Any, site: tuple[str, Db, str, int]
) -> None:
    from playwright.sync_api import expect

    base, db, secret, incident = site
    page = browser.new_context().new_page()
    login(page, base, username="cen-aangifte", secret=secret)
    page.goto(f"{base}/meldkamer/meldingen/{incident}")
    page.locator("#aangifte-openen").click()
    expect(page).to_have_url(f"{base}/team/meldingen/{incident}/aangifte")
    expect(page.get_by_label("Soort")).to_have_value("diefstal")  # mapped from the incident
    expect(page.get_by_label("Naam melder")).to_have_value("Jan Jansen")
    expect(page.get_by_label("Adres", exact=True)).to_have_value("Coolsingel 40")
    page.get_by_label("E-mailadres melder").fill("jan.jansen@voorbeeld.nl")
    page.get_by_label("Goed 1").fill("Laptop")
    page.get_by_label("Waarde 1").fill("900")
    page.get_by_role("button", name="Aangifte registreren").click()
    expect(page.locator("#dossier-bij-melding")).to_be_visible()
    with db.session() as session:
        rows = session.execute(
            select(Dossier.number, Dossier.channel, Dossier.category)
            .join(DossierIncident, DossierIncident.dossier_id == Dossier.id)
            .where(DossierIncident.incident_id == incident)
        ).all()
    assert [(channel, category) for _, channel, category in rows] == [("meldkamer", "diefstal")]
    expect(page.locator("#dossier-bij-melding")).to_contain_text(rows[0][0])
    page.reload()  # the form is not offered again: one dossier per incident
    expect(page.locator("#aangifte")).to_have_count(0)
    expect(page.locator("#dossier-bij-melding")).to_contain_text(rows[0][0])
    page.get_by_role("link", name="Terug naar de melding").click()
    expect(page).to_have_url(f"{base}/meldkamer/meldingen/{incident}")
