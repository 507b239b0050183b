"""Issue 14.13: sources are shown as the document's title, linked to a page that says what
the document is and what korps takes from it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from korps.organisation.sources import linked, sources
from korps.web.app import create_app
from tests.conftest import Db

ROTTERDAM = "001_6cfd4132a7d74cba.txt"


@pytest.fixture(scope="module")
def client(loaded_db: Db) -> Iterator[TestClient]:
    with TestClient(create_app(loaded_db.engine)) as test_client:
        yield test_client


def test_unit_pages_name_the_document_and_link_its_page(client: TestClient) -> None:
    page = client.get("/eenheden/rotterdam").text
    assert f'<a href="/bronnen/{ROTTERDAM}" title="{ROTTERDAM}">Strategische agenda' in page
    source = client.get(f"/bronnen/{ROTTERDAM}")
    assert source.status_code == 200 and "Bijlage 2" in source.text
    listed = client.get("/bronnen").text
    assert all(f"/bronnen/{file}" in listed for file in sources())
    assert client.get("/bronnen/999_0000000000000000.txt").status_code == 404


def test_every_seed_file_cited_by_the_bundled_data_has_a_title() -> None:
    from pathlib import Path

    from korps.organisation.sources import FILE_RE

    datasets = Path(__file__).parents[2] / "src" / "korps" / "datasets"
    cited = {m for f in datasets.glob("*.yaml") for m in FILE_RE.findall(f.read_text("utf-8"))}
    assert cited and cited <= set(sources())


def test_linked_escapes_everything_else() -> None:
    text = linked(f"<script>x</script> {ROTTERDAM}, tabel 3")
    assert "<script>" not in text and "&lt;script&gt;" in text and "tabel 3" in text
