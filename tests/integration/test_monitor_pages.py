"""The monitor's pages as each role sees them (SQLite and PostgreSQL): a gezag reads the
Rotterdam monitor, drills into prio-1 response times, reads the plan and gets the PDF; a
planner enters, imports and adopts; refusals are 422 in Dutch with the field and write nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from korps.audit.models import AuditEntry
from korps.common.i18n import LOCALE_COOKIE
from korps.monitor.models import Measurement, Plan
from korps.planning.models import SavedScenario
from korps.web.app import create_app
from tests.conftest import BACKENDS, Db, loaded_database, snapshot
from tests.integration.test_monitor_service import _seed
from tests.support.auth import login_as

EXAMPLE = Path(__file__).parents[2] / "examples" / "rotterdam-wijkagent-norm.yaml"


@pytest.fixture(scope="module", params=BACKENDS)
def db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, _pg_admin: Any
) -> Iterator[Db]:
    with loaded_database(
        request.param, tmp_path_factory.mktemp("monp"), _pg_admin, then=_seed
    ) as found:
        yield found


@pytest.fixture
def client(db: Db) -> Iterator[TestClient]:
    with TestClient(create_app(db.engine), follow_redirects=False) as found:
        yield found


def test_gezag_reads_the_monitor_drills_down_and_gets_the_report(
    db: Db, client: TestClient
) -> None:
    login_as(client, db.engine, role="gezag", unit="rotterdam")
    page = client.get("/eenheden/rotterdam/monitor")
    assert page.status_code == 200
    assert "Aanrijdtijden prio 1" in page.text and "tenminste 82%binnen 15 minuten" in page.text
    assert 'id="meting"' not in page.text  # no entry form for the gezag
    detail = client.get("/eenheden/rotterdam/monitor/indicator/aanrijdtijd-prio-1")
    assert detail.status_code == 200
    assert "<svg" in detail.text and 'data-unit="rotterdam-b"' in detail.text
    district = client.get("/eenheden/rotterdam-d/monitor/indicator/aanrijdtijd-prio-1")
    assert district.status_code == 200 and 'data-unit="rotterdam-d1-charlois"' in district.text
    plan = client.get("/eenheden/rotterdam/monitor/plan")
    assert plan.status_code == 200
    assert "Waar willen wij staan?" in plan.text and "Bezetting wijkagenten" in plan.text
    assert "Geen doelstellingen." in plan.text and 'id="vaststellen"' not in plan.text
    pdf = client.get("/eenheden/rotterdam/monitor/rapport.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    api = client.get("/api/v1/monitor/rotterdam")
    assert api.status_code == 200
    rows = {r["indicator"]: r for r in api.json()["rows"]}
    first = rows["aanrijdtijd-prio-1"]["series"][0]
    assert (first["period"], first["value"], first["entered_by"]) == ("2024", 60.0, "planner-test")
    assert first["origin"].startswith("berekend door korps uit de meldkamer-KPI")
    quarter = client.get("/api/v1/monitor/rotterdam", params={"periode": "2024-K1"})
    assert quarter.status_code == 200 and quarter.json()["view"] == "2024-K1"
    bad = client.get("/api/v1/monitor/rotterdam", params={"periode": "2024-K9"})
    assert bad.status_code == 422 and "onbekende periode" in bad.text
    assert client.post("/eenheden/rotterdam/monitor/berekenen").status_code == 403
    dutch = client.get("/eenheden/rotterdam/monitor/rapport")
    assert dutch.status_code == 200 and '<html lang="nl">' in dutch.text
    assert "<h2>Status per indicator</h2>" in dutch.text
    english = client.get("/eenheden/rotterdam/monitor/rapport", params={"lang": "en"})
    assert english.status_code == 200 and '<html lang="en">' in english.text
    assert "<h2>Status by indicator</h2>" in english.text and "<h2>Sources</h2>" in english.text
    client.cookies.delete(LOCALE_COOKIE)  # the next requests in Dutch again


def test_gezag_of_another_unit_and_writes_are_refused(db: Db, client: TestClient) -> None:
    login_as(client, db.engine, role="gezag", unit="oost-nederland", username="gezag-on")
    assert client.get("/eenheden/rotterdam/monitor").status_code == 403
    assert client.get("/eenheden/oost-nederland/monitor/plan").status_code == 200
    login_as(client, db.engine, role="gezag", unit="rotterdam")
    before = snapshot(db)
    form = {
        "indicator": "profcheck",
        "unit": "rotterdam",
        "year": "2024",
        "value": "90",
        "source": "x",
    }
    assert client.post("/eenheden/rotterdam/monitor/metingen", data=form).status_code == 403
    assert snapshot(db) == before


@pytest.mark.parametrize(
    "changes,needle",
    [
        ({"value": "135"}, "waarde: een percentage ligt tussen 0 en 100"),
        ({"indicator": "onbekend"}, "indicator: onbekende indicator"),
        ({"unit": "atlantis"}, "eenheid: onbekende eenheid"),
        ({"year": "2019"}, "jaar: jaar 2019 valt buiten"),
        ({"value": "veel"}, "waarde: geen getal"),
        ({"period": "K5"}, "periode: onbekende periode"),
    ],
)
def test_planner_refusals_are_422_and_write_nothing(
    db: Db, client: TestClient, changes: dict[str, str], needle: str
) -> None:
    login_as(client, db.engine, role="planner", unit="rotterdam")
    form = {
        "indicator": "diverse-instroom",
        "unit": "rotterdam",
        "year": "2024",
        "value": "31",
        "source": "HR",
    }
    form.update(changes)
    before = snapshot(db)
    answer = client.post("/eenheden/rotterdam/monitor/metingen", data=form)
    assert answer.status_code == 422 and needle in answer.text
    assert snapshot(db) == before


def test_planner_enters_imports_and_adopts(db: Db, client: TestClient) -> None:
    user = login_as(client, db.engine, role="planner", unit="rotterdam")
    form = {
        "indicator": "diverse-instroom",
        "unit": "rotterdam-b",
        "year": "2024",
        "value": "31,5",
        "source": "HR-rapportage",
    }
    assert client.post("/eenheden/rotterdam/monitor/metingen", data=form).status_code == 303
    again = client.post("/eenheden/rotterdam/monitor/metingen", data=form)
    assert again.status_code == 422 and "al een meting" in again.text
    csv = "indicator,eenheid,jaar,waarde,bron\n"
    csv += "verdachten-om-mensenhandel,rotterdam,2024,27,OM-cijfers\n"
    files = {"bestand": ("metingen.csv", csv.encode(), "text/csv")}
    assert client.post("/eenheden/rotterdam/monitor/import", files=files).status_code == 303
    lines = "indicator,eenheid,jaar,waarde,bron\nprofcheck,rotterdam,2024,88,HR\n"
    lines += "waardebeslag,rotterdam,2024,-5,OM\n"  # line 3: negative, so line 2 is not kept
    bad = {"bestand": ("m.csv", lines.encode(), "text/csv")}
    before = snapshot(db)
    refused = client.post("/eenheden/rotterdam/monitor/import", files=bad)
    assert refused.status_code == 422 and "regel 3" in refused.text and snapshot(db) == before
    with db.session() as session:
        rows = session.scalars(select(Measurement).order_by(Measurement.id)).all()
        assert [(m.value, m.entered_by, m.source) for m in rows][-2:] == [
            (31.5, user, "HR-rapportage"),
            (27.0, user, "OM-cijfers"),
        ]
    page = client.get("/eenheden/rotterdam/monitor/indicator/verdachten-om-mensenhandel")
    assert "OM-cijfers" in page.text and "aandacht nodig" in page.text  # 27 of 30 in 2024
    english = client.get("/eenheden/rotterdam/monitor/indicator/verdachten-om-mensenhandel?lang=en")
    assert "needs attention" in english.text and "aandacht nodig" not in english.text
    verdict = re.search(r'<p id="oordeel">(.*?)</p>', english.text, re.S)
    assert verdict is not None, english.text
    assert re.search(r"Trend: (improving|deteriorating|unchanged|unknown)\.", verdict.group(1))
    client.get("/eenheden/rotterdam/monitor?lang=nl")
    assert (
        client.post(
            "/eenheden/rotterdam/monitor/plan/vaststellen", data={"datum": "2099-01-01"}
        ).status_code
        == 422
    )
    assert (
        client.post(
            "/eenheden/rotterdam/monitor/plan/vaststellen", data={"datum": "2023-03-15"}
        ).status_code
        == 303
    )
    with db.session() as session:
        plan = session.scalar(select(Plan).where(Plan.code == "rotterdam-2023-2026"))
        assert plan is not None and (plan.status, str(plan.adopted_on)) == (
            "vastgesteld",
            "2023-03-15",
        )
    assert (
        "vastgesteld door het RVO op 15-03-2023"
        in client.get("/eenheden/rotterdam/monitor/plan").text
    )


def test_planner_views_a_quarter_recomputes_and_adopts_a_scenario(
    db: Db, client: TestClient
) -> None:
    user = login_as(client, db.engine, role="planner", unit="rotterdam", username="planner-kw")
    page = client.get("/eenheden/rotterdam/monitor", params={"periode": "2024-K3"})
    assert page.status_code == 200 and '<strong id="getoond">2024-K3</strong>' in page.text
    row = page.text.split('data-indicator="ziekteverzuim"')[1].split("</tr>")[0]
    assert "<td>2024-K3</td>" in row  # the quarter's own sick leave, computed from capacity
    wrong = client.get("/eenheden/rotterdam/monitor", params={"periode": "2024-03"})
    assert wrong.status_code == 422 and "kies een jaar of een kwartaal" in wrong.text
    assert client.post("/eenheden/rotterdam/monitor/berekenen").status_code == 303
    with db.session() as session:
        who = session.scalars(select(Measurement.entered_by).distinct()).all()
        assert user in who
        now = datetime.now(UTC)
        session.add(
            SavedScenario(
                slug="wijkagentnorm-rotterdam",
                name="Wijkagentnorm Rotterdam",
                text=EXAMPLE.read_text(encoding="utf-8"),
                created_at=now,
                updated_at=now,
                version=2,
            )
        )
        session.commit()
    plan = client.get("/eenheden/rotterdam/monitor/plan")
    assert 'id="scenario-vaststellen"' in plan.text and "Nog geen formatiescenario" in plan.text
    before = snapshot(db)
    refused = client.post("/eenheden/rotterdam/monitor/plan/scenario", data={"scenario": "x"})
    assert refused.status_code == 422 and "geen opgeslagen scenario van" in refused.text
    assert snapshot(db) == before
    done = client.post(
        "/eenheden/rotterdam/monitor/plan/scenario", data={"scenario": "wijkagentnorm-rotterdam"}
    )
    assert done.status_code == 303
    shown = client.get("/eenheden/rotterdam/monitor/plan").text
    assert 'href="/scenarios/wijkagentnorm-rotterdam/versies/2"' in shown
    # when, in Dutch local time and notation (not 2026-12-01T01:30)
    assert re.search(rf"vastgesteld door {user} op \d\d-\d\d-\d{{4}} \d\d:\d\d\.", shown)
    with db.session() as session:
        audit = session.scalar(
            select(AuditEntry).where(AuditEntry.action == "formatiescenario vastgesteld")
        )
    assert audit is not None and audit.after == {
        "scenario": "wijkagentnorm-rotterdam",
        "version": 2,
        "name": "Wijkagentnorm Rotterdam",
    }
    login_as(client, db.engine, role="gezag", unit="rotterdam", username="gezag-sc")
    assert 'id="scenario-vaststellen"' not in client.get("/eenheden/rotterdam/monitor/plan").text
    assert (
        client.post(
            "/eenheden/rotterdam/monitor/plan/scenario",
            data={"scenario": "wijkagentnorm-rotterdam"},
        ).status_code
        == 403
    )
