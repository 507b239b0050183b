"""A real server on a free loopback port and Debian's chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import uvicorn
from sqlalchemy import Engine

from korps.web.app import create_app
from tests.conftest import Db

CHROMIUM = os.environ.get("KORPS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(engine: Engine) -> Iterator[str]:
    """Serve the app on ``engine`` on a free loopback port for the duration of the block."""
    port = _free_port()
    config = uvicorn.Config(create_app(engine), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def live_server(loaded_db: Db) -> Iterator[str]:
    """The app on the shared loaded database (read-only tests)."""
    with serve(loaded_db.engine) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        if os.environ.get("CI"):
            pytest.fail(f"chromium not found at {CHROMIUM}: CI must run the browser tests")
        pytest.skip(f"chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()


def staff(session: Any, *, username: str, role: str, unit: str | None) -> str:
    """A user with ``role`` on ``unit`` and TOTP already set up; returns the TOTP secret."""
    import pyotp

    from korps.identity.models import User
    from korps.identity.service import create_user, grant
    from tests.support.auth import PASSWORD

    user = create_user(session, username=username, name=username.title(), password=PASSWORD)
    grant(session, username=username, role=role, unit=unit, actor="test")
    secret = pyotp.random_base32()
    session.query(User).filter(User.id == user.id).update(
        {"totp_secret": secret, "totp_enabled": True}
    )
    session.commit()
    return secret


def login(page: Any, base: str, *, username: str, secret: str | None = None) -> None:
    """Log in through the pages: password, then (when set up) the TOTP code."""
    import pyotp
    from playwright.sync_api import expect

    from tests.support.auth import PASSWORD

    page.goto(base + "/aanmelden")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Aanmelden").click()
    if secret is not None:
        expect(page).to_have_url(base + "/aanmelden/totp")
        page.get_by_label("Code (6 cijfers) of herstelcode").fill(pyotp.TOTP(secret).now())
        page.get_by_role("button", name="Bevestigen").click()
    expect(page.locator("#account")).to_be_visible()
