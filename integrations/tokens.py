"""The format of integration tokens: ``lks_<lookup>_<secret>``.

``lookup`` (12 characters) finds the row; the whole token is compared by its SHA-256. The token carries
192 bits of randomness, so a fast hash is enough (a slow password hash would only slow every request).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

PREFIX = "lks_"
LOOKUP_LENGTH = 12


def generate() -> tuple[str, str, str]:
    """A new token: ``(token, lookup, sha256 hex)``."""
    lookup = secrets.token_hex(LOOKUP_LENGTH // 2)
    token = f"{PREFIX}{lookup}_{secrets.token_urlsafe(24)}"
    return token, lookup, digest(token)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def lookup_of(token: str) -> str | None:
    """The lookup part of a well-formed token, else None."""
    if not token.startswith(PREFIX):
        return None
    lookup, sep, secret = token[len(PREFIX) :].partition("_")
    if not sep or len(lookup) != LOOKUP_LENGTH or not secret:
        return None
    return lookup


def matches(token: str, stored_digest: str) -> bool:
    return hmac.compare_digest(digest(token), stored_digest)
