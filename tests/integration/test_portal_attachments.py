"""Issue 16.4: attachments are checked by their bytes (a renamed executable, an SVG with
script, a zip bomb are refused), limited in size and count with a clear message, stored
outside the database under their SHA-256, and served as a download only to those who may
read the dossier (another citizen, staff of another team: 404, audited)."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from korps.audit.models import AuditEntry
from korps.portal.attachments import MAX_BYTES, MAX_FILES
from korps.portal.models import Attachment
from korps.web.app import create_app
from tests.conftest import BACKENDS, Db, loaded_database
from tests.integration.test_portal_flow import citizen, file_online
from tests.support.auth import login_as

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(64))
JPEG = b"\xff\xd8\xff\xe0" + b"JFIF" + bytes(200)
TEAM = "rotterdam-c1-maas-rotte"
OTHER_TEAM = "rotterdam-d2-feijenoord"


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("nul.bin", bytes(20 * 1024 * 1024))
    return buffer.getvalue()


@pytest.fixture(scope="module", params=BACKENDS)
def setup(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, _pg_admin: Any
) -> Iterator[tuple[Db, str, Path]]:
    files = tmp_path_factory.mktemp("bijlagen")
    with (
        pytest.MonkeyPatch.context() as patch,
        loaded_database(request.param, tmp_path_factory.mktemp("att"), _pg_admin) as db,
    ):
        patch.setenv("KORPS_PORTAL_FILES", str(files))
        with TestClient(create_app(db.engine)) as owner:
            citizen(owner, db, "fotograaf")
            number = file_online(owner, goed_kenmerk=["FOTO-1"])
        yield db, number, files


def _owner(db: Db) -> TestClient:
    client = TestClient(create_app(db.engine))
    login_as(client, db.engine, role="burger", unit=None, username="fotograaf")
    return client


def _rows(db: Db) -> int:
    with db.session() as session:
        return session.scalar(select(func.count(Attachment.id))) or 0


def test_photo_is_stored_by_hash_and_served_as_a_download(setup: tuple[Db, str, Path]) -> None:
    db, number, files = setup
    with _owner(db) as owner:
        sent = owner.post(
            f"/mijn/dossiers/{number}/bijlagen",
            files={"bestand": ("../../fiets.png", PNG, "image/png")},
            follow_redirects=False,
        )
        assert sent.status_code == 303, sent.text
        digest = hashlib.sha256(PNG).hexdigest()
        assert (files / digest).read_bytes() == PNG
        with db.session() as session:
            row = session.scalars(select(Attachment).order_by(Attachment.id.desc())).first()
            assert row is not None and row.sha256 == digest and row.filename == "fiets.png"
            attachment_id = row.id
        page = owner.get(f"/mijn/dossiers/{number}")
        assert "fiets.png" in page.text and "Bijlage toegevoegd" in page.text
        got = owner.get(f"/mijn/dossiers/{number}/bijlagen/{attachment_id}")
        assert got.status_code == 200 and got.content == PNG
        assert got.headers["content-type"] == "image/png"
        assert (
            got.headers["content-disposition"]
            == f'attachment; filename="bijlage-{attachment_id}.png"'
        )
        assert got.headers["x-content-type-options"] == "nosniff"
    with TestClient(create_app(db.engine)) as team:
        login_as(team, db.engine, role="medewerker", unit=TEAM, username="mw-foto")
        assert team.get(f"/team/dossiers/{number}/bijlagen/{attachment_id}").content == PNG


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("foto.jpg", b"MZ\x90\x00" + bytes(500), "(JPEG, PNG) en PDF"),
        ("plaatje.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
         "(JPEG, PNG) en PDF"),
        ("bewijs.pdf", _zip_bomb(), "(JPEG, PNG) en PDF"),
        ("groot.jpg", JPEG + bytes(MAX_BYTES), "te groot: maximaal 4 MB"),
        ("leeg.jpg", b"", "kies een bestand"),
    ],
)  # fmt: skip
def test_bad_uploads_are_refused_with_a_message_and_store_nothing(
    setup: tuple[Db, str, Path], name: str, content: bytes, message: str
) -> None:
    db, number, files = setup
    before, on_disk = _rows(db), sorted(files.iterdir())
    with _owner(db) as owner:
        refused = owner.post(
            f"/mijn/dossiers/{number}/bijlagen", files={"bestand": (name, content, "image/jpeg")}
        )
    assert refused.status_code == 422
    assert 'id="fout-bestand"' in refused.text and message in refused.text
    assert _rows(db) == before and sorted(files.iterdir()) == on_disk


def test_a_body_over_the_upload_limit_is_refused_before_it_is_read(
    setup: tuple[Db, str, Path],
) -> None:
    db, number, _files = setup
    before = _rows(db)
    with _owner(db) as owner:
        big = JPEG + bytes(6 * 1024 * 1024)
        refused = owner.post(
            f"/mijn/dossiers/{number}/bijlagen", files={"bestand": ("x.jpg", big, "image/jpeg")}
        )
    assert refused.status_code == 413 and _rows(db) == before


def test_count_limit(setup: tuple[Db, str, Path]) -> None:
    db, number, _files = setup
    with _owner(db) as owner:
        for index in range(MAX_FILES + 1):
            content = JPEG + index.to_bytes(2, "big")
            sent = owner.post(
                f"/mijn/dossiers/{number}/bijlagen",
                files={"bestand": (f"{index}.jpg", content, "image/jpeg")},
            )
        assert sent.status_code == 422 and f"hoogstens {MAX_FILES} bijlagen" in sent.text
    with db.session() as session:
        assert session.scalar(select(func.count(Attachment.id))) == MAX_FILES


def test_others_get_404_and_are_audited_and_altered_files_are_not_served(
    setup: tuple[Db, str, Path],
) -> None:
    db, number, files = setup
    with db.session() as session:
        row = session.scalars(select(Attachment).order_by(Attachment.id)).first()
        assert row is not None
        attachment_id, digest = row.id, row.sha256

    def refusals() -> int:
        with db.session() as session:
            query = select(func.count(AuditEntry.id)).where(
                AuditEntry.action.startswith("geweigerd")
            )
            return session.scalar(query) or 0

    app = create_app(db.engine)
    with TestClient(app) as other, TestClient(app) as neighbour:
        citizen(other, db, "andere-burger")
        login_as(neighbour, db.engine, role="medewerker", unit=OTHER_TEAM, username="mw-buur")
        calls = [
            (other, "get", f"/mijn/dossiers/{number}/bijlagen/{attachment_id}", {}),
            (other, "post", f"/mijn/dossiers/{number}/bijlagen",
             {"files": {"bestand": ("x.png", PNG, "image/png")}}),
            (neighbour, "get", f"/team/dossiers/{number}/bijlagen/{attachment_id}", {}),
        ]  # fmt: skip
        for client, method, url, extra in calls:
            before = refusals()
            assert getattr(client, method)(url, **extra).status_code == 404, url
            assert refusals() == before + 1
    with _owner(db) as owner:
        assert owner.get(f"/mijn/dossiers/{number}/bijlagen/{2**40}").status_code == 404
        (files / digest).write_bytes(PNG + b"gewijzigd")
        assert owner.get(f"/mijn/dossiers/{number}/bijlagen/{attachment_id}").status_code == 404
