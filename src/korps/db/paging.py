"""One way to page every list of the API: ``limit`` and ``offset`` in, the list out with
``X-Total-Count`` and an RFC 8288 ``Link: <...>; rel="next"`` header when there is more."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, Query, Request, Response

T = TypeVar("T")
MAX_LIMIT = 1000


@dataclass(frozen=True)
class Paging:
    limit: int
    offset: int


def _paging(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="at most this many")] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000, description="skip this many")] = 0,
) -> Paging:
    return Paging(limit, offset)


PagingDep = Annotated[Paging, Depends(_paging)]
PAGE_HEADERS = {
    "X-Total-Count": {"description": "how many there are in all", "schema": {"type": "integer"}},
    "Link": {"description": 'the next page, as <url>; rel="next"', "schema": {"type": "string"}},
}


def page(
    items: Sequence[T], *, total: int, paging: Paging, request: Request, response: Response
) -> list[T]:
    """``items`` (already limited to the page) with the total and the next link set."""
    response.headers["X-Total-Count"] = str(total)
    following = paging.offset + len(items)
    if following < total:
        url = request.url.include_query_params(limit=paging.limit, offset=following)
        response.headers["Link"] = f'<{url}>; rel="next"'
    return list(items)


def window(items: Sequence[T], paging: Paging) -> list[T]:
    return list(items[paging.offset : paging.offset + paging.limit])
