"""Per-request security plumbing as one ASGI middleware: the audit slot of the request, the
CSRF cookie (created when missing, readable by the templates as ``request.state.csrf``), and
the security headers on every response."""

from __future__ import annotations

import secrets
from http.cookies import CookieError, SimpleCookie

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from korps.audit.service import acting
from korps.identity.deps import CSRF_COOKIE

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'; frame-ancestors 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


def _cookie(scope: Scope, name: str) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except CookieError:  # a malformed cookie header holds no cookie
                return None
            if name in jar:
                return jar[name].value
    return None


def _secure(scope: Scope) -> bool:
    from korps.config import get_settings

    setting = get_settings().secure_cookies
    return setting if setting is not None else scope.get("scheme") == "https"


class SecurityMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = _cookie(scope, CSRF_COOKIE)
        fresh = token is None or not (20 <= len(token) <= 100)
        if fresh:
            token = secrets.token_urlsafe(32)
        scope.setdefault("state", {})["csrf"] = token
        secure = "; Secure" if _secure(scope) else ""

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {key.lower() for key, _ in headers}
                headers += [(k, v) for k, v in HEADERS if k not in present]
                if fresh:
                    cookie = f"{CSRF_COOKIE}={token}; Path=/; SameSite=Lax; HttpOnly{secure}"
                    headers.append((b"set-cookie", cookie.encode()))
                message["headers"] = headers
            await send(message)

        with acting():
            await self.app(scope, receive, send_with_headers)
