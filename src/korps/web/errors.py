"""How refusals reach the caller: a browser gets an HTML page in its language (Dutch unless
chosen otherwise), the API and htmx a JSON ``detail``. Not logged in: 303 to the login page /
401 with a Bearer challenge; logged in without the role: 403; CSRF token missing or wrong:
403; nothing at the address: 404; a method the address does not take: 405; input refused:
422 with every field's reason (korps.web.limits); a fault of ours: 500, without details."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from korps.common.i18n import N_, _
from korps.identity.errors import CsrfRefused, Forbidden, LoginRequired
from korps.organisation.service import NotFoundError
from korps.web.templating import render

log = logging.getLogger(__name__)

CSRF_MESSAGE = N_("het formulier is verlopen of niet van deze site (CSRF); laad de pagina opnieuw")
NOWHERE = N_("op dit adres staat niets")
#: the title of the page and the text that replaces Starlette's English detail, per status
STATUS_TEXTS = {
    400: (N_("Ongeldig verzoek"), N_("het verzoek kon niet worden gelezen")),
    404: (N_("Niet gevonden"), NOWHERE),
    405: (N_("Niet toegestaan"), N_("dit adres kan niet op deze manier worden gebruikt")),
    409: (N_("Conflict"), None),
    413: (N_("Te groot"), N_("het verzoek is te groot")),
    422: (N_("Ongeldige invoer"), N_("de invoer is niet geaccepteerd")),
    500: (N_("Er ging iets mis"), N_("er ging bij ons iets mis; probeer het later opnieuw")),
}
STARLETTE_DETAILS = {"Not Found", "Method Not Allowed", "Bad Request", "Internal Server Error"}


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "HX-Request" in request.headers


def error_page(
    request: Request,
    status: int,
    detail: str | None = None,
    problems: list[str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A page (browser) or ``{"detail": ...}`` (API, htmx) in the reader's language; a
    detail of Starlette's own (English) is replaced by the status's own text."""
    title, default = STATUS_TEXTS.get(status, (N_("Fout"), None))
    if detail is None or detail in STARLETTE_DETAILS:
        detail = _(default) if default else None
    if wants_json(request):
        body: object = problems if problems is not None else detail or _(title)
        return JSONResponse({"detail": body}, status_code=status, headers=dict(headers or {}))
    page = render(
        request, "error.html", status, title=_(title), detail=detail, problems=problems or []
    )
    page.headers.update(headers or {})
    return page


def install_error_pages(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    def login_required(request: Request, exc: LoginRequired) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse(
                {"detail": _("aanmelden vereist: stuur een API-token (Authorization: Bearer ...)")},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        target = {"totp": "/aanmelden/totp", "enrol": "/account/totp"}.get(exc.pending or "")
        if target is None:
            here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            target = f"/aanmelden?volgende={quote(here, safe='')}"
        if "HX-Request" in request.headers:  # htmx follows this to a full page
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(Forbidden)
    def forbidden(request: Request, exc: Forbidden) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": exc.message}, status_code=403)
        return render(request, "403.html", status_code=403, detail=exc.message)

    @app.exception_handler(CsrfRefused)
    def csrf_refused(request: Request, exc: CsrfRefused) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": _(CSRF_MESSAGE)}, status_code=403)
        return render(request, "403.html", status_code=403, detail=_(CSRF_MESSAGE))

    @app.exception_handler(NotFoundError)
    def not_found(request: Request, exc: NotFoundError) -> Response:
        detail = str(exc.args[0]) if exc.args else _("niet gevonden")
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": detail}, status_code=404)
        return render(request, "404.html", status_code=404, detail=detail)

    @app.exception_handler(HTTPException)
    def http_error(request: Request, exc: HTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else None
        if not isinstance(exc.detail, str) and wants_json(request):
            return JSONResponse({"detail": exc.detail}, exc.status_code, headers=exc.headers)
        if exc.status_code == 404 and not wants_json(request):
            if detail is None or detail in STARLETTE_DETAILS:
                detail = _(NOWHERE)
            return render(request, "404.html", status_code=404, detail=detail)
        return error_page(request, exc.status_code, detail, headers=exc.headers)

    @app.exception_handler(Exception)
    def fault(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return error_page(request, 500)
