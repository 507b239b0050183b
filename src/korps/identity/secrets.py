"""Random values a user holds and the digests korps stores of them."""

from __future__ import annotations

import hashlib
import secrets


def new_secret(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def digest(value: str) -> str:
    """SHA-256 hex: random values of 256 bits need no salt or slow hash."""
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
