"""Limits on what a request may bring, and refusals that stay short.

* **Body size per route** (:data:`LIMITS`): a body over the route's limit is refused with
  413 before the application reads it: by its ``Content-Length`` at once, or, sent in
  chunks, as soon as the bytes received pass the limit (never more than the limit is kept
  in memory). File uploads (``multipart/form-data``) have a limit of their own.
* **NUL in the address**: a path or query with ``%00`` is refused with 422 (PostgreSQL
  cannot even compare such a text with a column), and so is a query parameter without a name.
* **422 answers never echo the input**: each error carries its field, a Dutch message and
  at most :data:`EXCERPT` characters of the value, made safe for JSON (``NaN``, ``1e400``
  and lone surrogates in a body used to make the refusal itself fail with 500).
* **OpenAPI**: every operation documents the 400, 413 and 422 answers it can give, the 404
  of a path naming nothing, and the 401/403 of the access check that guards it.

:func:`install` wires it all into an app.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import fastapi.routing
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from korps.common.i18n import N_, _, current_locale
from korps.common.reasons import reason
from korps.controlroom.schemas import FIELD_LABELS
from korps.web.errors import error_page, wants_json

KIB = 1024
DEFAULT_LIMIT = 64 * KIB  # JSON and form bodies: an incident with every field full is ~4 KiB
UPLOAD_LIMIT = 5 * KIB * KIB  # multipart/form-data: workload tables (CSV, XLSX)
EXCERPT = 60  # characters of a refused value shown back
BODY_METHODS = {"POST", "PUT", "PATCH"}


@dataclass(frozen=True)
class Limit:
    """Bodies of requests whose path matches ``pattern`` may have up to ``size`` bytes."""

    pattern: re.Pattern[str]
    size: int


# first match wins; a path that matches none has DEFAULT_LIMIT (UPLOAD_LIMIT if multipart)
LIMITS: tuple[Limit, ...] = (
    Limit(re.compile(r"^/scenarios(/|$)"), 512 * KIB),  # scenario YAML typed into the page
    Limit(re.compile(r"^/api/v1/allocate$"), 512 * KIB),  # a scenario as JSON
)


def limit_for(path: str, content_type: str) -> int:
    for limit in LIMITS:
        if limit.pattern.search(path):
            return limit.size
    return UPLOAD_LIMIT if content_type.startswith("multipart/form-data") else DEFAULT_LIMIT


Answer = Callable[[Receive, Send], Any]


def _send(status: int, body: bytes, content_type: bytes) -> Answer:
    async def respond(_receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", content_type),
                    (b"content-length", str(len(body)).encode("ascii")),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    return respond


def _json(status: int, content: object) -> Answer:
    return _send(status, json.dumps(content, ensure_ascii=False).encode("utf-8"), JSON)


def browser(scope: Scope) -> bool:
    """A page request (not the API, not htmx): it gets an HTML page, never JSON."""
    headers = dict(scope.get("headers") or [])
    return not str(scope.get("path", "")).startswith("/api/") and b"hx-request" not in headers


def _page(status: int, title: str, message: str) -> Answer:
    """A plain page, before the application (and its templates) had the request."""
    page = PAGE.format(
        lang=html.escape(current_locale()),
        title=html.escape(title),
        message=html.escape(message),
        home=html.escape(_("Naar de startpagina")),
    )
    return _send(status, page.encode("utf-8"), b"text/html; charset=utf-8")


def too_large(limit: int, scope: Scope) -> Answer:
    message = _("verzoek te groot: maximaal {size} KiB voor dit adres", size=limit // KIB)
    if browser(scope):
        return _page(413, _("Te groot"), message)
    return _json(413, {"detail": message})


def bad_address(where: str, message: str, scope: Scope) -> Answer:
    """422 for an address the application must not see (NUL, a nameless parameter)."""
    if browser(scope):
        return _page(422, _("Ongeldige invoer"), message)
    return _json(422, {"detail": [{"loc": [where], "msg": message, "type": "value_error"}]})


JSON = b"application/json"
PAGE = (
    '<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8"><title>{title} · korps'
    '</title><link rel="stylesheet" href="/static/korps.css"></head>\n<body><main><h1>{title}'
    '</h1><p id="reden">{message}</p><p><a href="/">{home}</a></p></main></body></html>\n'
)
NUL_MESSAGE = N_("NUL-teken (%00) in het adres: niet toegestaan")
NAMELESS = N_("parameter zonder naam in het adres")


class RequestLimits:
    """ASGI middleware: NUL in path or query (422) and body size per route (413)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw_path = bytes(scope.get("raw_path") or scope["path"].encode("utf-8", "replace"))
        if b"%00" in raw_path.lower() or "\x00" in scope["path"]:
            await bad_address("path", _(NUL_MESSAGE), scope)(receive, send)
            return
        query = bytes(scope.get("query_string", b""))
        if b"%00" in query.lower():
            await bad_address("query", _(NUL_MESSAGE), scope)(receive, send)
            return
        if any(part.startswith(b"=") for part in query.split(b"&")):
            await bad_address("query", _(NAMELESS), scope)(receive, send)
            return
        headers = dict(scope.get("headers") or [])
        content_type = headers.get(b"content-type", b"").decode("latin-1").lower()
        limit = limit_for(scope["path"], content_type)
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await too_large(limit, scope)(receive, send)
            return
        if scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        received = 0
        while True:  # read the body up to the limit, then hand it on
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            received += len(message.get("body", b""))
            if received > limit:
                await too_large(limit, scope)(receive, send)
                return
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)


def excerpt(value: object) -> str:
    """At most EXCERPT characters of a refused value, as JSON-safe text."""
    if isinstance(value, float) and not math.isfinite(value):
        text = str(value)
    elif isinstance(value, str):
        text = value
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, default=str)
        except ValueError:  # NaN or infinity inside, or a cycle
            text = repr(value)
    text = safe(text)
    return text if len(text) <= EXCERPT else text[:EXCERPT] + "…"


def safe(text: str) -> str:
    """``text`` with lone surrogates and NUL written as escapes (encodable as UTF-8)."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")


def label(loc: Sequence[object]) -> str:
    """The Dutch name of the field an error is about (its last name in ``loc``)."""
    names = [str(part) for part in loc if isinstance(part, str)]
    names = [n for n in names if n not in ("body", "query", "path", "header", "cookie")]
    if not names:
        return _("invoer")
    known = FIELD_LABELS.get(names[-1])
    return _(known) if known else safe(names[-1])[:EXCERPT]


OWN_WORDS = {"priority"}  # custom errors whose message names the field itself


def dutch_message(error: Any) -> str:
    """A message for one Pydantic error in the reader's language: "roepnaam: maximaal 30
    tekens" (korps.common.reasons)."""
    if str(error.get("type", "")) in OWN_WORDS:
        return safe(str(error.get("msg", "")))
    return f"{label(error.get('loc') or ())}: {safe(reason(error))}"


def validation_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """The errors of a refused request, each with field, Dutch message and an excerpt."""
    details = []
    for error in errors[:20]:
        detail: dict[str, Any] = {
            "loc": [p if isinstance(p, int) else safe(str(p))[:EXCERPT] for p in error["loc"]],
            "msg": dutch_message(error),
            "type": safe(str(error.get("type", "value_error"))),
        }
        if "input" in error and error.get("type") != "missing":
            detail["input"] = excerpt(error["input"])
        details.append(detail)
    return details


async def _refused(request: Request, exc: Exception) -> Response:
    """422: the API gets the list (field, message, excerpt), a browser a page with the
    messages."""
    assert isinstance(exc, RequestValidationError)
    details = validation_errors(exc.errors())
    if wants_json(request):
        return JSONResponse({"detail": details}, status_code=422)
    return error_page(request, 422, problems=[str(d["msg"]) for d in details])


ERROR_SCHEMA = {"$ref": "#/components/schemas/ErrorOut"}
DOCUMENTED = {
    "400": "the body is not valid JSON or form data (e.g. nested too deeply)",
    "413": "the body is larger than this route accepts",
}
NOT_FOUND = "nothing has the id, slug or code in the path"
NOT_LOGGED_IN = "not logged in: no valid API token (Authorization: Bearer ...) or session"
FORBIDDEN = (
    "logged in without the role this needs on the unit concerned, or (a browser) no CSRF token"
)


def _dependencies(dependant: Any) -> Iterator[Any]:
    for dependency in getattr(dependant, "dependencies", []):
        yield dependency.call
        yield from _dependencies(dependency)


def _api_routes(app: FastAPI) -> Iterator[Any]:
    """Every API route with its effective path, methods and dependencies (newer FastAPI
    keeps included routers as such and resolves them through ``iter_route_contexts``)."""
    iterate = getattr(fastapi.routing, "iter_route_contexts", None)
    for route in iterate(app.routes) if iterate is not None else app.routes:
        if isinstance(getattr(route, "original_route", route), APIRoute):
            yield route


def _protected(route: Any) -> bool:
    """Does an access declaration (``korps.identity.deps.Access``: it has ``public``) that
    is not public guard this route?"""
    return any(getattr(call, "public", True) is False for call in _dependencies(route.dependant))


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR_SCHEMA}}}


def _both_422s(responses: dict[str, Any], validation: dict[str, Any], *, has_input: bool) -> None:
    """A route that documents its own 422 (e.g. rules that cannot be met, ``detail`` a
    string) still answers bad input with the validation list: document both shapes."""
    content = responses.get("422", {}).get("content", {}).get("application/json", {})
    schema = content.get("schema")
    if not has_input or schema is None or schema == validation or "anyOf" in schema:
        return
    content["schema"] = {"anyOf": [schema, validation]}


def _document(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """OpenAPI with the 400/413 (any body) and 422 (any input) answers of every operation."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        schemas.setdefault(
            "ErrorOut",
            {
                "title": "ErrorOut",
                "type": "object",
                "properties": {"detail": {"title": "Detail", "type": "string"}},
                "required": ["detail"],
            },
        )
        validation = {"$ref": "#/components/schemas/HTTPValidationError"}
        for route in _api_routes(app):
            if not route.include_in_schema:
                continue
            for method in route.methods or ():
                operation = schema["paths"].get(route.path_format, {}).get(method.lower())
                if operation is None:
                    continue
                responses = operation.setdefault("responses", {})
                if "requestBody" in operation:
                    for status, description in DOCUMENTED.items():
                        responses.setdefault(status, _error(description))
                _both_422s(
                    responses,
                    validation,
                    has_input="requestBody" in operation or bool(operation.get("parameters")),
                )
                if any(p.get("in") == "path" for p in operation.get("parameters", [])):
                    responses.setdefault("404", _error(NOT_FOUND))  # the app's NotFoundError
                if _protected(route):
                    responses.setdefault("401", _error(NOT_LOGGED_IN))
                if _protected(route) or method not in ("GET", "HEAD", "OPTIONS"):
                    responses.setdefault("403", _error(FORBIDDEN))
        app.openapi_schema = schema
        return schema

    return openapi


def install(app: FastAPI) -> None:
    """Size limits, NUL refusal, short Dutch 422 answers, and their documentation."""
    app.add_middleware(RequestLimits)
    app.add_exception_handler(RequestValidationError, _refused)
    app.openapi = _document(app)  # type: ignore[method-assign]
