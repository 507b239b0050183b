"""``korps serve``: the web UI and JSON API."""

from __future__ import annotations

import typer
import uvicorn

from korps.config import get_settings


def serve(
    host: str = typer.Option(None, help="Interface to listen on (default 127.0.0.1)."),
    port: int = typer.Option(None, help="Port (default 8000)."),
    workers: int = typer.Option(
        None, min=1, help="Server processes (default 1); on PostgreSQL more use more cores."
    ),
    access_log: bool = typer.Option(False, help="Log every request (costs time under load)."),
) -> None:
    """Serve the web UI on http://HOST:PORT (API under /api/v1, OpenAPI at /openapi.json)."""
    settings = get_settings()
    uvicorn.run(
        "korps.web.main:app",
        host=host or settings.host,
        port=port or settings.port,
        workers=workers or settings.workers,
        log_level="info",
        access_log=access_log,
    )
