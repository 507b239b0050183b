"""Errors of the portal: refused input names its fields (Dutch messages)."""

from __future__ import annotations


class PortalInputError(ValueError):
    """Refused input: ``errors`` maps each field (as named in the form) to a Dutch message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))

    @classmethod
    def one(cls, field: str, message: str) -> PortalInputError:
        return cls({field: message})
