"""Times: stored and computed in UTC; shown and exported in Dutch local time."""

from __future__ import annotations

from datetime import UTC, datetime

from korps.common.formatting import LOCAL_ZONE as LOCAL
from korps.common.formatting import local

__all__ = ["LOCAL", "as_utc", "local", "maybe_utc", "minutes_between", "utc_now"]


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Aware UTC; a naive value (SQLite gives those back) is taken as UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def maybe_utc(value: datetime | None) -> datetime | None:
    return None if value is None else as_utc(value)


def minutes_between(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return (as_utc(end) - as_utc(start)).total_seconds() / 60.0
