"""Errors of the identity domain; every message is Dutch and says what to do."""

from __future__ import annotations


class IdentityError(ValueError):
    """Refused input (unknown user or unit, bad role, weak password ...): a 4xx, nothing changed."""


class LoginRefused(IdentityError):
    """A login that does not succeed. The message never says which part was wrong."""
