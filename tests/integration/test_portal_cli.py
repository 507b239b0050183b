"""Issue 16: ``korps portal check|expire|stats`` on a database of its own."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from typer.testing import CliRunner

from korps.cli import app
from korps.identity.models import User
from korps.identity.service import principal_of
from korps.portal import service, workflow
from korps.portal.models import Dossier
from korps.portal.reference import bundled_path
from tests.conftest import Db, loaded_database
from tests.integration.test_portal_workflow import aangifte
from tests.support.auth import make_user


def test_expire_moves_late_questions_once_and_stats_count(
    tmp_path: Path, _pg_admin: Any, use_database: Any
) -> None:
    with loaded_database("sqlite", tmp_path, None) as db:
        _prepare(db)
        use_database(db)
        runner = CliRunner()
        first = runner.invoke(app, ["portal", "expire", "--json"])
        assert first.exit_code == 0, first.output
        assert len(json.loads(first.output)["moved"]) == 1
        again = runner.invoke(app, ["portal", "expire", "--json"])
        assert json.loads(again.output)["moved"] == []
        counts = json.loads(runner.invoke(app, ["portal", "stats", "--json"]).output)
        assert {(c["status"], c["dossiers"]) for c in counts} == {("in-behandeling", 1)}


def _prepare(db: Db) -> None:
    make_user(db.engine, username="melder", grants=[("burger", None)], kind="burger")
    make_user(db.engine, username="mw-cli", grants=[("medewerker", "rotterdam")])
    with db.session() as session:
        users = {u.username: u for u in session.scalars(select(User))}
        citizen = principal_of(session, user=users["melder"])
        staff = principal_of(session, user=users["mw-cli"])
        then = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
        dossier = service.file_dossier(
            session, reporter=citizen, data=aangifte(occurred_on=date(2026, 1, 2)), now=then
        )
        workflow.change_status(
            session, principal=staff, dossier=dossier, to="info-gevraagd", text="Kleur?",
            answer_days=1, now=then,
        )  # fmt: skip
        session.commit()


def test_check_refuses_a_wrong_file_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "portal.yaml"
    path.write_text(
        bundled_path().read_text(encoding="utf-8").replace("deadline_days: 5", "deadline_days: x"),
        encoding="utf-8",
    )
    runner = CliRunner()
    assert runner.invoke(app, ["portal", "check"]).exit_code == 0
    refused = runner.invoke(app, ["portal", "check", str(path)])
    assert refused.exit_code == 1 and "deadline_days" in refused.output


def test_purge_anonymises_long_closed_dossiers_and_their_reporters_once(
    tmp_path: Path, use_database: Any
) -> None:
    with loaded_database("sqlite", tmp_path, None) as db:
        make_user(db.engine, username="oud", grants=[("burger", None)], kind="burger")
        make_user(db.engine, username="actief", grants=[("burger", None)], kind="burger")
        make_user(db.engine, username="mw-purge", grants=[("medewerker", "rotterdam")])
        then = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
        with db.session() as session:
            users = {
                u.username: principal_of(session, user=u) for u in session.scalars(select(User))
            }
            filed = {}
            for name, closed in (("oud", True), ("actief", True), ("actief", False)):
                dossier = service.file_dossier(
                    session, reporter=users[name], now=then,
                    data=aangifte(address="Dorpsstraat 1", occurred_on=date(2026, 1, 2)),
                )  # fmt: skip
                if closed:
                    workflow.change_status(
                        session, principal=users["mw-purge"], dossier=dossier, to="afgehandeld",
                        text="Klaar.", now=then,
                    )  # fmt: skip
                filed[(name, closed)] = dossier.id
            session.commit()
        use_database(db)
        runner = CliRunner()
        first = runner.invoke(app, ["portal", "purge", "--days", "30", "--json"])
        assert first.exit_code == 0, first.output
        assert json.loads(first.output) == {"dossiers": 2, "citizens": 1}
        again = runner.invoke(app, ["portal", "purge", "--days", "30", "--json"])
        assert json.loads(again.output) == {"dossiers": 0, "citizens": 0}
        with db.session() as session:
            addresses = {
                key: session.get(Dossier, dossier_id).address  # type: ignore[union-attr]
                for key, dossier_id in filed.items()
            }
            assert addresses == {("oud", True): None, ("actief", True): None,
                                 ("actief", False): "Dorpsstraat 1"}  # fmt: skip
            oud = session.scalar(select(User).where(User.username == "oud"))
            actief = session.scalar(select(User).where(User.username == "actief"))
            assert oud is not None and oud.email is None and oud.disabled
            assert oud.name == "geanonimiseerde melder"
            assert actief is not None and actief.email == "actief@korps.test"
