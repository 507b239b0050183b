"""The ASGI application on the configured database (``uvicorn korps.web.main:app``)."""

from korps.web.app import create_app

app = create_app()
