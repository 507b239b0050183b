"""Issue 16.5: the individual assessment (IB, directive 2012/29/EU art. 22). The rule table
scores answers into a level and measures (a child is presumed to need protection whatever
the points); the citizen fills it in from their dossier, staff revise it, each save is
audited with before and after, and bad input stores nothing. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from korps.audit.models import AuditEntry
from korps.common.datafile import DatasetError
from korps.organisation.models import Unit
from korps.portal.assessment import bundled_path, load_rules, rule_table, score
from korps.portal.models import Assessment, Dossier
from korps.web.app import create_app
from tests.conftest import BACKENDS, Db, loaded_database
from tests.integration.test_portal_flow import citizen, file_online
from tests.support.auth import login_as

TEAM = "rotterdam-c1-maas-rotte"


def answers(*yes: str) -> dict[str, bool]:
    return {q.code: q.code in yes for q in rule_table().questions}


def form(*yes: str) -> dict[str, str]:
    return {code: "ja" if value else "nee" for code, value in answers(*yes).items()}


@pytest.mark.parametrize(
    ("yes", "points", "level", "measures"),
    [
        ((), 0, "laag", []),
        (("wil-hulp",), 0, "laag", ["slachtofferhulp"]),
        # 3 points alone would be verhoogd; a child is presumed to need protection: hoog
        (
            ("minderjarig",),
            3,
            "hoog",
            ["slachtofferhulp-actief", "vaste-contactpersoon", "kindvriendelijk-verhoor"],
        ),
        (
            ("geweld", "dader-kent-adres"),
            3,
            "verhoogd",
            ["slachtofferhulp-actief", "adres-afschermen"],
        ),
        (
            ("huiselijk", "angst-herhaling"),
            5,
            "verhoogd",
            ["slachtofferhulp-actief", "adres-afschermen", "contactverbod", "zeden-verhoor"],
        ),
        (("haat",), 2, "laag", []),
        (
            ("seksueel", "afhankelijk", "wil-hulp"),
            6,
            "hoog",
            [
                "slachtofferhulp",
                "slachtofferhulp-actief",
                "contactverbod",
                "vaste-contactpersoon",
                "zeden-verhoor",
            ],
        ),
    ],
)
def test_rule_table_scores_level_and_measures(
    yes: tuple[str, ...], points: int, level: str, measures: list[str]
) -> None:
    result = score(answers(*yes), rules=rule_table())
    assert (result.points, result.level, result.measures) == (points, level, measures)


def test_child_presumption_is_in_the_reasons() -> None:
    result = score(answers("minderjarig"), rules=rule_table())
    assert any("vermoed" in reason and "minderjarig" in reason for reason in result.reasons)


def test_a_bad_rule_table_is_refused_with_its_reason(tmp_path: Path) -> None:
    text = bundled_path().read_text("utf-8").replace("question: minderjarig", "question: kind")
    path = tmp_path / "ib.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(DatasetError, match="presumed: unknown question"):
        load_rules(path)


@pytest.fixture(scope="module", params=BACKENDS)
def setup(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, _pg_admin: Any
) -> Iterator[tuple[Db, str]]:
    with loaded_database(request.param, tmp_path_factory.mktemp("ib"), _pg_admin) as db:
        with TestClient(create_app(db.engine)) as owner:
            citizen(owner, db, "ib-burger")
            number = file_online(owner)
        yield db, number


def _assessment(db: Db, number: str) -> Assessment | None:
    with db.session() as session:
        return session.scalar(select(Assessment).join(Dossier).where(Dossier.number == number))


def test_citizen_fills_in_staff_revise_each_audited(setup: tuple[Db, str]) -> None:
    db, number = setup
    app = create_app(db.engine)
    with TestClient(app) as owner, TestClient(app) as team:
        login_as(owner, db.engine, role="burger", unit=None, username="ib-burger")
        page = owner.get(f"/mijn/dossiers/{number}/beoordeling")
        assert page.status_code == 200 and "Is het slachtoffer jonger dan 18 jaar?" in page.text
        # every question must be answered: refused on each field, nothing stored
        partial = owner.post(f"/mijn/dossiers/{number}/beoordeling", data={"geweld": "ja"})
        assert partial.status_code == 422
        assert (
            partial.text.count("beantwoord deze vraag met ja of nee")
            == len(rule_table().questions) - 1
        )
        assert _assessment(db, number) is None
        sent = owner.post(
            f"/mijn/dossiers/{number}/beoordeling",
            data=form("huiselijk", "angst-herhaling"),
            follow_redirects=False,
        )
        assert sent.status_code == 303
        shown = owner.get(sent.headers["location"])
        assert 'data-niveau="verhoogd"' in shown.text and "Adresgegevens afschermen" in shown.text
        first = _assessment(db, number)
        assert first is not None and (first.level, first.version, first.side) == (
            "verhoogd", 1, "burger"
        )  # fmt: skip
        # staff of the team see it on the dossier and revise it (a child: hoog)
        login_as(team, db.engine, role="medewerker", unit=TEAM, username="ib-team")
        dossier_page = team.get(f"/team/dossiers/{number}")
        assert 'id="ib-samenvatting" data-niveau="verhoogd"' in dossier_page.text
        revised = team.post(
            f"/team/dossiers/{number}/beoordeling",
            data=form("huiselijk", "angst-herhaling", "minderjarig"),
            follow_redirects=False,
        )
        # hoog while nobody picked the dossier up: the routing rule on the IB level moves
        # it to the district (datasets/portal.yaml, hoge-beschermingsbehoefte)
        assert revised.status_code == 303
        assert revised.headers["location"] == f"/team/werkvoorraad?herrouteerd={number}"
        assert team.get(f"/team/dossiers/{number}").status_code == 404
    with db.session() as session:
        moved = session.execute(
            select(Unit.slug, Dossier.route_rule)
            .join(Unit, Unit.id == Dossier.team_id)
            .where(Dossier.number == number)
        ).one()
        assert tuple(moved) == ("rotterdam-c", "hoge-beschermingsbehoefte")
        rerouted = session.scalar(
            select(AuditEntry).where(AuditEntry.action == "herrouteerd na individuele beoordeling")
        )
        district = "rotterdam-c"
        rows = session.execute(select(Unit.slug, Unit.id).where(Unit.slug.in_([TEAM, district])))
        ids = {slug: unit_id for slug, unit_id in rows}
        assert rerouted is not None and rerouted.actor == "ib-team"
        assert rerouted.before == {"team_id": ids[TEAM], "rule": "basisteam-van-de-plaats"}
        assert rerouted.after == {
            "team_id": ids["rotterdam-c"],
            "rule": "hoge-beschermingsbehoefte",
        }
    second = _assessment(db, number)
    assert second is not None and (second.level, second.version, second.side) == (
        "hoog", 2, "team"
    )  # fmt: skip
    assert "kindvriendelijk-verhoor" in second.measures
    with db.session() as session:
        trail = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action.startswith("individuele beoordeling"))
            .order_by(AuditEntry.id)
        ).all()
    assert [(e.actor, e.action) for e in trail] == [
        ("ib-burger", "individuele beoordeling vastgelegd"),
        ("ib-team", "individuele beoordeling herzien"),
    ]
    assert trail[1].before is not None and trail[1].before["level"] == "verhoogd"
    assert trail[1].after is not None and trail[1].after["level"] == "hoog"


def test_closed_dossier_only_staff_may_change_it(setup: tuple[Db, str]) -> None:
    db, _ = setup
    app = create_app(db.engine)
    with TestClient(app) as owner, TestClient(app) as team:
        login_as(owner, db.engine, role="burger", unit=None, username="ib-burger")
        number = file_online(owner, goed_kenmerk=["IB-GESLOTEN"])  # no series: stays with TEAM
        login_as(team, db.engine, role="medewerker", unit=TEAM, username="ib-team")
        closed = team.post(
            f"/team/dossiers/{number}/status",
            data={"status": "afgehandeld", "toelichting": "Geen opsporingsindicatie."},
            follow_redirects=False,
        )
        assert closed.status_code == 303
        with db.session() as session:
            audits = session.scalar(select(func.count(AuditEntry.id))) or 0
        refused = owner.post(f"/mijn/dossiers/{number}/beoordeling", data=form("geweld"))
        assert refused.status_code == 422 and "gesloten" in refused.text
        assert _assessment(db, number) is None
        with db.session() as session:  # the refusal wrote nothing but the page's read
            assert (session.scalar(select(func.count(AuditEntry.id))) or 0) <= audits + 1
        done = team.post(
            f"/team/dossiers/{number}/beoordeling", data=form("geweld"), follow_redirects=False
        )
        assert done.status_code == 303
    found = _assessment(db, number)
    assert found is not None and found.level == "laag" and found.points == 2


def test_portal_check_validates_the_ib_and_request_files(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from korps.cli import app
    from korps.portal.requests import bundled_path as requests_path

    runner = CliRunner()
    ok = runner.invoke(app, ["portal", "check"])
    assert ok.exit_code == 0 and "12 IB-vragen, 3 soorten verzoek: in orde" in ok.output
    bad_ib = tmp_path / "ib.yaml"
    bad_ib.write_text(
        bundled_path().read_text("utf-8").replace("min_points: 3", "min_points: 9"), "utf-8"
    )
    refused = runner.invoke(app, ["portal", "check", "--ib", str(bad_ib)])
    assert refused.exit_code != 0 and "min_points rising from 0" in refused.output
    bad_kind = tmp_path / "verzoeken.yaml"
    bad_kind.write_text(
        requests_path().read_text("utf-8").replace("category: hercontact", "category: diefstal"),
        "utf-8",
    )
    wrong = runner.invoke(app, ["portal", "check", "--verzoeken", str(bad_kind)])
    assert wrong.exit_code != 0 and "diefstal: geen categorie van soort verzoek" in wrong.output
