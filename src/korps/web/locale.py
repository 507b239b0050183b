"""The language of a request: Dutch unless the user chose another.

The choice is ``?lang=en`` (or ``?lang=nl``) on any page, kept in the ``korps_lang`` cookie
for a year; without a choice the page is Dutch. The browser's ``Accept-Language`` is not
used: korps is a Dutch product whose users read Dutch, and a page must not change language
because a workstation was installed in English.
"""

from __future__ import annotations

from http.cookies import SimpleCookie
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from korps.common.i18n import (
    DEFAULT_LOCALE,
    LOCALE_COOKIE,
    LOCALE_COOKIE_AGE,
    chosen,
    set_locale,
)


def requested(scope: Scope) -> tuple[str, bool]:
    """(locale, whether ``?lang=`` chose it now) of a request."""
    query = bytes(scope.get("query_string", b"")).decode("latin-1")
    for name, value in parse_qsl(query):
        if name == "lang" and chosen(value):
            return chosen(value) or DEFAULT_LOCALE, True
    for name, value in scope.get("headers") or []:
        if name == b"cookie":
            cookie: SimpleCookie = SimpleCookie()
            try:
                cookie.load(value.decode("latin-1"))
            except Exception:  # a malformed cookie header chooses nothing
                continue
            if LOCALE_COOKIE in cookie and chosen(cookie[LOCALE_COOKIE].value):
                return chosen(cookie[LOCALE_COOKIE].value) or DEFAULT_LOCALE, False
    return DEFAULT_LOCALE, False


class LocaleMiddleware:
    """ASGI middleware: sets the locale of the request (korps.common.i18n) for the routes,
    the templates and the error pages; ``?lang=`` also sets the cookie."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        locale, now = requested(scope)
        set_locale(locale)
        if not now:
            await self.app(scope, receive, send)
            return
        cookie = f"{LOCALE_COOKIE}={locale}; Path=/; Max-Age={LOCALE_COOKIE_AGE}; SameSite=Lax"

        async def remember(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"set-cookie", cookie.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, remember)
