"""Passwords: Argon2id hashes, and the rules a new password must meet (length, not one of the
most common passwords, not the user's own name)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from korps.common.i18n import _

MIN_LENGTH = 12
MAX_LENGTH = 256  # Argon2 takes any length; a bound keeps a huge form field cheap
COMMON_FILE = Path(__file__).parents[1] / "datasets" / "common-passwords.txt"
_hasher = PasswordHasher()  # Argon2id with the library's (RFC 9106 low-memory) parameters


class PasswordRejected(ValueError):
    """A new password that does not meet the rules; the message says why, in Dutch."""


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def check_new_password(password: str, *, username: str = "", name: str = "") -> None:
    """Raise :class:`PasswordRejected` when ``password`` may not be used."""
    if len(password) < MIN_LENGTH:
        raise PasswordRejected(
            _("het wachtwoord moet minstens {min_length} tekens hebben", min_length=MIN_LENGTH)
        )
    if len(password) > MAX_LENGTH:
        raise PasswordRejected(
            _("het wachtwoord mag hoogstens {max_length} tekens hebben", max_length=MAX_LENGTH)
        )
    lower = password.lower()
    base = re.sub(r"[\d\W_]+$", "", lower)  # "wachtwoord2024!" -> "wachtwoord"
    common = common_passwords()
    if lower in common or (len(base) >= 4 and base in common and len(set(lower)) < 10):
        raise PasswordRejected(_("dit wachtwoord staat in de lijst van veelgebruikte wachtwoorden"))
    if len(set(lower)) < 5:
        raise PasswordRejected(_("het wachtwoord bestaat uit te weinig verschillende tekens"))
    for own in (username, *name.split()):
        if len(own) >= 4 and own.lower() in lower:
            raise PasswordRejected(_("het wachtwoord mag uw naam of gebruikersnaam niet bevatten"))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; a missing or malformed hash never matches."""
    if not password_hash:
        _hasher.hash(password)  # the same work as a real check: no timing oracle for names
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
