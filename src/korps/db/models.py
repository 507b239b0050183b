"""Import every domain's models so the metadata is complete (Alembic, create_all in tests)."""

from __future__ import annotations


def import_all_models() -> None:
    import korps.organisation.models  # noqa: F401
