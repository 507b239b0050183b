"""Issue 13 in the browser (Debian chromium): a gezag user opens the Rotterdam monitor, sees
the sick leave korps computed from capacity (this year and a chosen quarter), drills into
prio-1 response times (eenheid -> district), opens the plan page and downloads the PDF report,
whose text holds the indicator names and the figures the page showed."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pypdf
import pytest
from playwright.sync_api import expect

from korps.capacity.service import sick_leave_of
from korps.monitor.actuals import READER
from tests.conftest import BACKENDS, Db, loaded_database
from tests.e2e.conftest import login, serve, staff
from tests.integration.test_monitor_service import TODAY, _seed


@pytest.fixture(scope="module")
def monitor_db(tmp_path_factory: pytest.TempPathFactory, _pg_admin: Any) -> Iterator[Db]:
    with loaded_database(
        BACKENDS[0], tmp_path_factory.mktemp("e2e-mon"), _pg_admin, then=_seed
    ) as db:
        yield db


def test_gezag_reads_monitor_drills_down_and_downloads_the_report(
    monitor_db: Db, browser: Any, tmp_path: Path
) -> None:
    with monitor_db.session() as session:
        secret = staff(session, username="burgemeester-rdam", role="gezag", unit="rotterdam")
        leave_2025, leave_k3 = (
            sick_leave_of(session, principal=READER, slug="rotterdam", starts=a, ends=b).percentage
            for a, b in ((date(2025, 1, 1), TODAY), (date(2024, 7, 1), date(2024, 9, 30)))
        )
    with serve(monitor_db.engine) as base:
        context = browser.new_context(accept_downloads=True)
        page = context.new_page()
        login(page, base, username="burgemeester-rdam", secret=secret)
        page.get_by_role("link", name="Monitor", exact=True).click()
        page.get_by_role("link", name="Eenheid Rotterdam", exact=True).click()
        expect(page.locator("h1")).to_have_text("Monitor: Eenheid Rotterdam")
        row = page.locator('tr[data-indicator="aanrijdtijd-prio-1"]')
        expect(row).to_contain_text("tenminste 82%binnen 15 minuten")
        shown = row.locator("td.getal").inner_text().strip()  # e.g. "0,0 %" (2025) on today's clock
        assert re.fullmatch(r"\d+,\d %", shown), shown
        # sick leave, computed from capacity up to the seed's clock (2025-06-30)
        sick = page.locator('tr[data-indicator="ziekteverzuim"]')
        expect(sick).to_contain_text("Ziekteverzuim; doel 5,9%")
        expect(sick).to_contain_text("berekend")
        expect(sick.locator("td.getal")).to_have_text(f"{leave_2025:.1f} %".replace(".", ","))
        page.locator('select[name="periode"]').select_option("2024-K3")
        page.get_by_role("button", name="Tonen").click()
        expect(page.locator("#getoond")).to_have_text("2024-K3")
        sick = page.locator('tr[data-indicator="ziekteverzuim"]')
        expect(sick.locator("td").nth(3)).to_have_text("2024-K3")
        expect(sick.locator("td.getal")).to_have_text(f"{leave_k3:.1f} %".replace(".", ","))
        sick.get_by_role("link", name="Ziekteverzuim").click()
        expect(page.locator('#reeks tr[data-periode="2024-K3"]')).to_contain_text(
            "berekend door korps uit capaciteit"
        )
        page.goto(base + "/eenheden/rotterdam/monitor")
        row = page.locator('tr[data-indicator="aanrijdtijd-prio-1"]')
        row.get_by_role("link", name="Aanrijdtijden prio 1").click()
        expect(page.locator("h1")).to_have_text("Aanrijdtijden prio 1: Eenheid Rotterdam")
        expect(page.locator(".trend svg")).to_be_visible()
        expect(page.locator("#reeks")).to_contain_text("60,0")  # 2024: 3 of 5 within 15 min
        page.locator('tr[data-unit="rotterdam-d"] a').click()
        expect(page.locator("h1")).to_contain_text("Aanrijdtijden prio 1: ")
        expect(page.locator("#onderdelen")).to_contain_text("Charlois")
        page.goto(base + "/eenheden/rotterdam/monitor")
        page.locator("#plan-link").click()
        expect(page.locator("h1")).to_have_text("Strategische agenda 2023 - 2026 eenheid Rotterdam")
        expect(page.locator("#thema-inzetbaarheid")).to_contain_text("Waar willen wij staan?")
        expect(
            page.locator('#thema-zorg-en-veiligheid tr[data-indicator="aanrijdtijd-prio-1"]')
        ).to_contain_text("uit koers")
        page.go_back()
        with page.expect_download() as info:
            page.locator("#pdf-link").click()
        download = info.value
        target = tmp_path / download.suggested_filename
        download.save_as(target)
        context.close()
    assert target.name.startswith("rapportage-rotterdam-") and target.suffix == ".pdf"
    reader = pypdf.PdfReader(io.BytesIO(target.read_bytes()))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    for name in (
        "Aanrijdtijden prio 1",
        "Aanrijdtijden prio 2",
        "Bezetting wijkagenten",
        "Waardebeslag",
    ):
        assert name in text, name
    assert shown.replace(" %", "") in text  # the figure the monitor page showed
