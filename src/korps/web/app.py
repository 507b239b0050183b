"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

import korps
from korps.config import get_settings
from korps.controlroom import api as controlroom_api
from korps.controlroom import pages as controlroom_pages
from korps.controlroom.advice import warm_up
from korps.db.session import default_engine, session_factory
from korps.formation import api as formation_api
from korps.formation import pages as formation_pages
from korps.organisation import api as organisation_api
from korps.organisation import pages as organisation_pages
from korps.organisation.service import NotFoundError
from korps.planning import api as planning_api
from korps.planning import pages as planning_pages
from korps.web.limits import install as install_limits
from korps.web.templating import render

STATIC_DIR = Path(__file__).parent / "static"


@asynccontextmanager
async def _lifespan(_app: FastAPI) -> AsyncIterator[None]:
    """Run the sync routes on as many threads as the database pool has connections: more
    threads only wait for a connection, and their contention for the GIL costs CPU
    (measured under load: fewer threads, more requests per second)."""
    anyio.to_thread.current_default_thread_limiter().total_tokens = get_settings().threads
    warm_up()  # the dispatch policy compiled (or loaded from numba's cache) before traffic
    yield


def create_app(engine: Engine | None = None) -> FastAPI:
    """Build the app on ``engine`` (default: the configured database)."""
    app = FastAPI(
        lifespan=_lifespan,
        title="korps",
        version=korps.__version__,
        description="Open digital backbone of a police regional unit.",
        openapi_url="/openapi.json",
    )
    app.state.session_factory = session_factory(engine or default_engine())
    install_limits(app)  # body size per route, NUL in paths, short Dutch 422s (web.limits)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    # the control room's API first: routes are matched in order, and it takes the most
    # requests (its paths share no prefix with the others, so the order changes nothing else)
    app.include_router(controlroom_api.router, prefix="/api/v1")
    app.include_router(organisation_api.router, prefix="/api/v1")
    app.include_router(formation_api.router, prefix="/api/v1")
    app.include_router(planning_api.router, prefix="/api/v1")
    app.include_router(organisation_pages.router)
    app.include_router(planning_pages.router)
    app.include_router(formation_pages.router)
    app.include_router(controlroom_pages.router)

    @app.exception_handler(NotFoundError)
    def not_found(request: Request, exc: NotFoundError) -> Response:
        detail = str(exc.args[0]) if exc.args else "not found"
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": detail}, status_code=404)
        return render(request, "404.html", status_code=404, detail=detail)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> HTMLResponse:
        return HTMLResponse(status_code=204)

    return app
