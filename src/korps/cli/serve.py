"""``korps serve``: the web UI and JSON API."""

from __future__ import annotations

import typer
import uvicorn

from korps.common.i18n import _
from korps.config import get_settings
from korps.identity import debugmail


def serve(
    host: str = typer.Option(
        None, help=_("De netwerkinterface waarop de server luistert (standaard 127.0.0.1).")
    ),
    port: int = typer.Option(None, help=_("De poort (standaard 8000).")),
    workers: int = typer.Option(
        None,
        min=1,
        help=_(
            "Het aantal serverprocessen (standaard 1); op PostgreSQL benutten meer processen "
            "meer kernen."
        ),
    ),
    access_log: bool = typer.Option(False, help=_("Log elk verzoek (kost tijd onder belasting).")),
    mail_debug: bool = typer.Option(
        True,
        help=_(
            "Start een lokale debug-SMTP-server die de e-mails hier toont (als de poort vrij is)."
        ),
    ),
) -> None:
    settings = get_settings()
    local = settings.smtp_host in ("127.0.0.1", "localhost", "::1")
    if mail_debug and local and debugmail.port_free(settings.smtp_host, settings.smtp_port):
        debugmail.start(settings.smtp_host, settings.smtp_port, debugmail.print_message)
        typer.echo(
            _(
                "debug-SMTP op {host}:{port}: e-mails verschijnen hier",
                host=settings.smtp_host,
                port=settings.smtp_port,
            )
        )
    uvicorn.run(
        "korps.web.main:app",
        host=host or settings.host,
        port=port or settings.port,
        workers=workers or settings.workers,
        log_level="info",
        access_log=access_log,
    )
