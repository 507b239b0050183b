"""API documentation from local assets (Swagger UI from the swagger-ui-bundle package, no
CDN, no inline script), so /docs works offline and under the Content-Security-Policy."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]

from korps.identity.deps import PUBLIC

router = APIRouter(include_in_schema=False, dependencies=[Depends(PUBLIC)])
swagger_assets = StaticFiles(directory=swagger_ui_path)

PAGE = """<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>korps API</title>
<link rel="stylesheet" href="/static/swagger/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/static/swagger/swagger-ui-bundle.js"></script>
<script src="/static/docs-init.js"></script></body></html>"""


@router.get("/docs", response_class=HTMLResponse)
def docs() -> HTMLResponse:
    return HTMLResponse(PAGE)


@router.get("/redoc")
def redoc() -> RedirectResponse:
    return RedirectResponse("/docs", status_code=307)
