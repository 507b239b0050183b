"""Input rules every domain shares: text that a database can store, times in range.

A text field refuses what no database stores the same: NUL (PostgreSQL refuses it), lone
surrogates (not encodable as UTF-8) and other control characters except tab and newlines.
A moment must lie in [1900, 2100) once converted to UTC (year 1 or 9999 with an offset
overflows), and a naive one is taken as UTC. Messages are Dutch: users read them.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from korps.common.i18n import _

# C0 controls except \t \n \r, DEL, C1 controls, and the surrogate range
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def bad_character(text: str) -> str | None:
    """The Dutch reason ``text`` cannot be stored, or None."""
    found = FORBIDDEN.search(text)
    if found is None:
        return None
    code = ord(found.group())
    position = found.start() + 1
    if code == 0:
        return _("NUL-teken op positie {position}", position=position)
    name = f"U+{code:04X}"
    return _("ongeldig teken {code} op positie {position}", code=name, position=position)


def _storable(value: str) -> str:
    if (reason := bad_character(value)) is not None:
        raise PydanticCustomError("invalid_character", reason)
    return value


def in_range(value: datetime) -> datetime:
    """Aware UTC within [EARLIEST, LATEST); a naive value is taken as UTC."""
    try:
        moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except (OverflowError, ValueError):
        moment = None
    if moment is None or not EARLIEST <= moment < LATEST:
        raise PydanticCustomError(
            "datetime_out_of_range", _("tijdstip buiten het bereik 1900-2099 (UTC)")
        )
    return moment


StorableText = Annotated[str, AfterValidator(_storable)]
Moment = Annotated[datetime, AfterValidator(in_range)]
