"""``korps serve``: the web UI and JSON API."""

from __future__ import annotations

import typer
import uvicorn

from korps.config import get_settings
from korps.identity import debugmail


def serve(
    host: str = typer.Option(None, help="Interface to listen on (default 127.0.0.1)."),
    port: int = typer.Option(None, help="Port (default 8000)."),
    workers: int = typer.Option(
        None, min=1, help="Server processes (default 1); on PostgreSQL more use more cores."
    ),
    access_log: bool = typer.Option(False, help="Log every request (costs time under load)."),
    mail_debug: bool = typer.Option(
        True, help="Start a local debug SMTP server that prints mails (when the port is free)."
    ),
) -> None:
    """Serve the web UI on http://HOST:PORT (API under /api/v1, OpenAPI at /openapi.json)."""
    settings = get_settings()
    local = settings.smtp_host in ("127.0.0.1", "localhost", "::1")
    if mail_debug and local and debugmail.port_free(settings.smtp_host, settings.smtp_port):
        debugmail.start(settings.smtp_host, settings.smtp_port, debugmail.print_message)
        typer.echo(
            f"debug-SMTP op {settings.smtp_host}:{settings.smtp_port}: e-mails verschijnen hier"
        )
    uvicorn.run(
        "korps.web.main:app",
        host=host or settings.host,
        port=port or settings.port,
        workers=workers or settings.workers,
        log_level="info",
        access_log=access_log,
    )
