"""Import every domain's models so the metadata is complete (Alembic, create_all in tests)."""

from __future__ import annotations


def import_all_models() -> None:
    import korps.audit.models
    import korps.capacity.models
    import korps.controlroom.models
    import korps.formation.models
    import korps.identity.models
    import korps.monitor.models
    import korps.organisation.models
    import korps.planning.models
    import korps.portal.models  # noqa: F401
