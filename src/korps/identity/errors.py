"""Errors of the identity domain; every message is Dutch and says what to do."""

from __future__ import annotations


class IdentityError(ValueError):
    """Refused input (unknown user or unit, bad role, weak password ...): a 4xx, nothing changed."""


class LoginRefused(IdentityError):
    """A login that does not succeed. The message never says which part was wrong."""


class LoginRequired(Exception):
    """No (valid) session or token: a page redirects to the login page, the API gives 401."""

    def __init__(self, pending: str | None = None) -> None:
        super().__init__("aanmelden vereist")
        self.pending = pending


class Forbidden(Exception):
    """Logged in, but this user's roles do not cover what is asked: 403."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CsrfRefused(Exception):
    """A state-changing browser request without the CSRF token of its cookie: 403."""
