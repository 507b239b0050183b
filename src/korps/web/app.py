"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Depends, FastAPI
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

import korps
from korps.audit import pages as audit_pages
from korps.capacity import api as capacity_api
from korps.capacity import pages as capacity_pages
from korps.capacity import pages_lending as capacity_lending_pages
from korps.capacity import pages_plan as capacity_plan_pages
from korps.common.i18n import _
from korps.config import get_settings
from korps.controlroom import api as controlroom_api
from korps.controlroom import pages as controlroom_pages
from korps.controlroom.advice import warm_up
from korps.db.session import default_engine, session_factory
from korps.formation import api as formation_api
from korps.formation import pages as formation_pages
from korps.identity import admin as identity_admin
from korps.identity import api as identity_api
from korps.identity import magiclink as identity_magiclink
from korps.identity import oidc_pages
from korps.identity import pages as identity_pages
from korps.identity.deps import PUBLIC, Access, Authenticated, csrf_guard
from korps.identity.oidc import OidcError
from korps.monitor import api as monitor_api
from korps.monitor import pages as monitor_pages
from korps.organisation import api as organisation_api
from korps.organisation import pages as organisation_pages
from korps.planning import api as planning_api
from korps.planning import pages as planning_pages
from korps.portal import assessment_pages as portal_assessment_pages
from korps.portal import attachment_pages as portal_attachment_pages
from korps.portal import incident_pages as portal_incident_pages
from korps.portal import intake_pages as portal_intake_pages
from korps.portal import pages as portal_pages
from korps.portal import queue_pages as portal_queue_pages
from korps.portal import receipt_pages as portal_receipt_pages
from korps.portal import request_pages as portal_request_pages
from korps.portal import team_pages as portal_team_pages
from korps.web import docs
from korps.web.errors import install_error_pages
from korps.web.limits import install as install_limits
from korps.web.locale import LocaleMiddleware
from korps.web.security import SecurityMiddleware

STATIC_DIR = Path(__file__).parent / "static"


@asynccontextmanager
async def _lifespan(_app: FastAPI) -> AsyncIterator[None]:
    """Run the sync routes on as many threads as the database pool has connections: more
    threads only wait for a connection, and their contention for the GIL costs CPU
    (measured under load: fewer threads, more requests per second)."""
    anyio.to_thread.current_default_thread_limiter().total_tokens = get_settings().threads
    warm_up()  # the dispatch policy compiled (or loaded from numba's cache) before traffic
    yield


#: every router of the app with its prefix, in matching order (the access-matrix test reads it)
ROUTERS: list[tuple[str, APIRouter]] = [
    ("/api/v1", controlroom_api.router),
    ("/api/v1", organisation_api.router),
    ("/api/v1", formation_api.router),
    ("/api/v1", planning_api.router),
    ("/api/v1", identity_api.router),
    ("/api/v1", capacity_api.router),
    ("/api/v1", monitor_api.router),
    ("", organisation_pages.router),
    ("", identity_pages.router),
    ("", oidc_pages.router),
    ("", planning_pages.router),
    ("", formation_pages.router),
    ("", controlroom_pages.router),
    ("", audit_pages.router),
    ("", capacity_pages.router),
    ("", capacity_plan_pages.router),
    ("", capacity_lending_pages.router),
    ("", monitor_pages.index),
    ("", monitor_pages.read),
    ("", monitor_pages.write),
    ("", portal_pages.public_router),
    ("", portal_pages.router),
    ("", portal_team_pages.router),
    ("", portal_attachment_pages.router),
    ("", portal_attachment_pages.team_router),
    ("", portal_intake_pages.router),
    ("", portal_incident_pages.router),
    ("", portal_queue_pages.router),
    ("", portal_request_pages.public_router),
    ("", portal_request_pages.router),
    ("", portal_request_pages.team_router),
    ("", portal_assessment_pages.router),
    ("", portal_assessment_pages.team_router),
    ("", portal_receipt_pages.router),
    ("", portal_receipt_pages.team_router),
    ("", identity_magiclink.router),
    ("", identity_admin.router),
    ("", docs.router),
]


def _flatten(prefix: str, routes: list[Any]) -> list[tuple[str, APIRoute]]:
    found: list[tuple[str, APIRoute]] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append((prefix + route.path, route))
        elif hasattr(route, "original_router"):  # a router included in a router
            context = getattr(route, "include_context", None)
            inner = prefix + str(getattr(context, "prefix", ""))
            found += _flatten(inner, list(route.original_router.routes))
    return found


def route_table(app: FastAPI | None = None) -> list[tuple[str, APIRoute]]:
    """(full path, route) of every route of the app's routers (nested ones too) and, given
    the app, of its own routes. A nested router declares its access itself."""
    found = [item for prefix, router in ROUTERS for item in _flatten(prefix, list(router.routes))]
    if app is not None:
        found += [(r.path, r) for r in app.routes if isinstance(r, APIRoute)]
    return found


def access_of(route: APIRoute) -> Access | None:
    """The access a route declares: its Public/Require/pending declaration, else the
    Authenticated one (a route may take ``CurrentUser`` beside its router's Require)."""
    found: list[Access] = []
    stack = [route.dependant]
    while stack:
        dependant = stack.pop()
        if isinstance(dependant.call, Access):
            found.append(dependant.call)
        stack.extend(dependant.dependencies)
    specific = [a for a in found if not isinstance(a, Authenticated)]
    if len(specific) > 1:
        return None
    return specific[0] if specific else (found[0] if found else None)


def openapi_with_security(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document with the bearer scheme (personal API tokens) on every operation
    that is not public."""
    if app.openapi_schema is not None:
        return app.openapi_schema
    schema = app.openapi()
    schemes = schema.setdefault("components", {}).setdefault("securitySchemes", {})
    schemes["bearer"] = {
        "type": "http",
        "scheme": "bearer",
        "description": "a personal API token (korps_...), made on /account",
    }
    for path, route in route_table():
        access = access_of(route)
        if access is None or access.public:
            continue
        operations = schema.get("paths", {}).get(path, {})
        for method in route.methods or ():
            if method.lower() in operations:
                operations[method.lower()]["security"] = [{"bearer": []}]
    return schema


def create_app(engine: Engine | None = None) -> FastAPI:
    """Build the app on ``engine`` (default: the configured database)."""
    app = FastAPI(
        lifespan=_lifespan,
        title="korps",
        version=korps.__version__,
        description="Open digital backbone of a police regional unit.",
        openapi_url=None,  # served below, declared public like every other route
        docs_url=None,
        redoc_url=None,
        dependencies=[csrf_guard],
    )
    app.state.session_factory = session_factory(engine or default_engine())
    try:  # SSO (KORPS_OIDC_*): None when not set; a half or wrong setting refuses to start
        app.state.oidc = oidc_pages.checked_config(get_settings())
    except OidcError as error:
        raise SystemExit(_("korps start niet: {error}", error=error)) from error
    install_limits(app)  # body size per route, NUL in paths, short Dutch 422s (web.limits)
    app.mount("/static/swagger", docs.swagger_assets, name="swagger")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(SecurityMiddleware)
    app.add_middleware(LocaleMiddleware)  # outermost: every answer in the chosen language
    # Who may call what is declared by each router (korps.identity.deps); the control
    # room's API first: routes are matched in order, and it takes the most requests (its
    # paths share no prefix with the others, so the order changes nothing else)
    for prefix, router in ROUTERS:
        app.include_router(router, prefix=prefix)
    install_error_pages(app)

    public = [Depends(PUBLIC)]

    @app.get("/openapi.json", include_in_schema=False, dependencies=public)
    def openapi() -> JSONResponse:
        return JSONResponse(openapi_with_security(app))

    @app.get("/healthz", include_in_schema=False, dependencies=public)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/favicon.ico", include_in_schema=False, dependencies=public)
    def favicon() -> HTMLResponse:
        return HTMLResponse(status_code=204)

    return app
