"""A real OpenID Connect provider for the tests: npm's oidc-provider on Node.js.

``oidc_provider`` (session scope) installs the pinned packages of ``tests/support/oidc`` with
``npm ci`` (once per lock file: a stamp in node_modules records which lock was installed),
starts ``provider.js`` on a free port, waits for its discovery document and stops it at the
end (``running_provider`` does the same for a test that needs a provider of its own).
Without node/npm the tests that use it are skipped locally and fail under ``CI=true``.
``login_at_provider`` walks the provider's login form over plain HTTP, as a browser would.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import httpx
import pytest

PROVIDER_DIR = Path(__file__).parent / "oidc"
STAMP = PROVIDER_DIR / "node_modules" / ".korps-lock-sha256"
MIN_NODE = (18, 12)
START_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class OidcAccount:
    username: str
    password: str
    email: str
    name: str
    groups: tuple[str, ...]


@dataclass(frozen=True)
class OidcProvider:
    issuer: str
    client_id: str
    client_secret: str
    redirect_uri: str
    accounts: dict[str, OidcAccount]


def _unavailable(reason: str) -> None:
    """Skip locally, fail in CI: CI must run the OIDC tests."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"OIDC provider unavailable in CI: {reason}", pytrace=False)
    pytest.skip(f"OIDC provider unavailable: {reason}")


def _node_version(node: str) -> tuple[int, ...]:
    out = subprocess.run([node, "--version"], capture_output=True, text=True, check=True).stdout
    match = re.match(r"v(\d+)\.(\d+)", out.strip())
    return (int(match.group(1)), int(match.group(2))) if match else (0, 0)


def _npm_ci(npm: str) -> None:
    """``npm ci`` unless node_modules already holds exactly this lock file's packages."""
    lock = hashlib.sha256((PROVIDER_DIR / "package-lock.json").read_bytes()).hexdigest()
    guard_path = Path(tempfile.gettempdir()) / f"korps-npm-ci-{os.getuid()}.lock"
    with guard_path.open("w") as guard:  # one installer at a time
        fcntl.flock(guard, fcntl.LOCK_EX)
        if STAMP.is_file() and STAMP.read_text().strip() == lock:
            return
        result = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"],
            cwd=PROVIDER_DIR,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if result.returncode != 0:
            _unavailable(f"npm ci failed in {PROVIDER_DIR}:\n{result.stdout}{result.stderr}")
        STAMP.write_text(lock + "\n")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _accounts() -> dict[str, OidcAccount]:
    data = json.loads((PROVIDER_DIR / "accounts.json").read_text(encoding="utf-8"))
    return {
        username: OidcAccount(
            username=username,
            password=entry["password"],
            email=entry["email"],
            name=entry["name"],
            groups=tuple(entry["groups"]),
        )
        for username, entry in data["accounts"].items()
    }


def _wait_until_ready(process: subprocess.Popen[bytes], *, issuer: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    url = f"{issuer}/.well-known/openid-configuration"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"OIDC provider exited ({process.returncode}):\n{log.read_text()}")
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"OIDC provider did not answer {url} in time:\n{log.read_text()}")


def _node() -> str:
    """The node binary, with npm ci done for this lock file; skips (locally) or fails (CI)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        _unavailable("node and npm are not installed (Debian: apt-get install nodejs npm)")
    assert node is not None and npm is not None
    if _node_version(node) < MIN_NODE:
        _unavailable(f"Node.js {'.'.join(map(str, MIN_NODE))} or later is needed")
    _npm_ci(npm)
    return node


@contextmanager
def running_provider(log: Path) -> Iterator[OidcProvider]:
    """Start provider.js on a free port (output to ``log``), yield its settings, stop it."""
    node = _node()
    port = _free_port()
    provider = OidcProvider(
        issuer=f"http://127.0.0.1:{port}",
        client_id="korps-test",
        client_secret="korps-test-geheim-" + os.urandom(8).hex(),
        # nothing listens here: the tests stop at the redirect and hand its URL to korps
        redirect_uri="http://127.0.0.1:9/aanmelden/oidc/terug",
        accounts=_accounts(),
    )
    env = os.environ | {
        "OIDC_CLIENT_ID": provider.client_id,
        "OIDC_CLIENT_SECRET": provider.client_secret,
        "OIDC_REDIRECT_URI": provider.redirect_uri,
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            [node, "provider.js", str(port)],
            cwd=PROVIDER_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_ready(process, issuer=provider.issuer, log=log)
        yield provider
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    with running_provider(tmp_path_factory.mktemp("oidc") / "provider.log") as provider:
        yield provider


def login_at_provider(url: str, *, username: str, password: str, redirect_uri: str) -> str:
    """Follow the authorization URL through the provider's login form, as a browser would, and
    return the URL the provider finally redirects to (the callback, not requested)."""
    form_action = re.compile(r'<form[^>]*action="([^"]+)"')
    with httpx.Client(follow_redirects=False, timeout=10.0) as browser:
        response = browser.get(url)
        for _ in range(10):
            if response.is_redirect:
                location = urljoin(str(response.url), response.headers["location"])
                if location.startswith(redirect_uri):
                    return location
                response = browser.get(location)
                continue
            match = form_action.search(response.text)
            if response.status_code != 200 or not match:
                raise AssertionError(f"unexpected provider answer {response.status_code}")
            response = browser.post(
                urljoin(str(response.url), match.group(1)),
                data={"username": username, "password": password},
            )
            if response.status_code == 401:
                raise PermissionError("the provider refused the username or password")
    raise AssertionError("the provider never redirected back to the client")
