"""How refusals reach the caller: a page gets a Dutch HTML page (or a redirect to login),
the API a JSON ``detail``. Not logged in: 303 to the login page / 401 with a Bearer
challenge; logged in without the role: 403; CSRF token missing or wrong: 403."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from korps.identity.errors import CsrfRefused, Forbidden, LoginRequired
from korps.web.templating import render

CSRF_MESSAGE = "het formulier is verlopen of niet van deze site (CSRF); laad de pagina opnieuw"


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "HX-Request" in request.headers


def install_error_pages(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    def login_required(request: Request, exc: LoginRequired) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse(
                {"detail": "aanmelden vereist: stuur een API-token (Authorization: Bearer ...)"},
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
            return JSONResponse({"detail": CSRF_MESSAGE}, status_code=403)
        return render(request, "403.html", status_code=403, detail=CSRF_MESSAGE)
