"""Channel credentials encrypted at rest with ``cryptography``'s Fernet (AES-128-CBC + HMAC-SHA256).

Keys come from ``settings.CREDENTIALS_KEYS`` (``LANDKREIS_CREDENTIALS_KEYS``): the first key
encrypts, every key decrypts (:class:`~cryptography.fernet.MultiFernet`). To rotate, put a new key
in front, restart, and run ``manage.py rotate_credentials_key`` (which re-encrypts every channel
with the first key); then the old key can be dropped. In DEBUG without keys, one key is derived
from ``SECRET_KEY`` so the demo needs no configuration (settings refuse to start without keys
when DEBUG is off).

Nothing here logs or puts plaintext into an exception message.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class CredentialsUnreadable(Exception):
    """The stored credentials cannot be decrypted with any configured key (message has no secret)."""


def _derived_demo_key(secret_key: str) -> bytes:
    digest = hashlib.sha256(b"landkreis-social credentials v1\x00" + secret_key.encode()).digest()
    return base64.urlsafe_b64encode(digest)


def configured_keys() -> tuple[bytes, ...]:
    keys = tuple(key.strip().encode() for key in settings.CREDENTIALS_KEYS if key.strip())
    if keys:
        return keys
    if settings.DEBUG:
        return (_derived_demo_key(settings.SECRET_KEY),)
    raise ImproperlyConfigured("LANDKREIS_CREDENTIALS_KEYS must be set when DJANGO_DEBUG is off.")


@lru_cache(maxsize=8)
def _multifernet(keys: tuple[bytes, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except (ValueError, TypeError):
        # The key itself is never echoed.
        raise ImproperlyConfigured(
            "LANDKREIS_CREDENTIALS_KEYS contains a value that is not a Fernet key "
            "(32 url-safe base64-encoded bytes)."
        ) from None


def fernet() -> MultiFernet:
    return _multifernet(configured_keys())


def encrypt_json(data: dict) -> str:
    """Encrypt a JSON-serialisable dict; an empty dict is stored as the empty string."""
    if not data:
        return ""
    plaintext = json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
    return fernet().encrypt(plaintext).decode("ascii")


def decrypt_json(token: str) -> dict:
    if not token:
        return {}
    try:
        return json.loads(fernet().decrypt(token.encode("ascii")))
    except (InvalidToken, ValueError):
        raise CredentialsUnreadable(
            "The stored credentials cannot be decrypted with the configured keys "
            "(LANDKREIS_CREDENTIALS_KEYS lacks the key they were encrypted with)."
        ) from None


def encrypt_text(text: str) -> str:
    return fernet().encrypt(text.encode()).decode("ascii") if text else ""


def decrypt_text(token: str) -> str:
    if not token:
        return ""
    try:
        return fernet().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, ValueError):
        raise CredentialsUnreadable(
            "The stored session cannot be decrypted with the configured keys."
        ) from None


def rotate(token: str) -> str:
    """Re-encrypt ``token`` with the first key (a no-op for the empty string)."""
    if not token:
        return ""
    try:
        return fernet().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken:
        raise CredentialsUnreadable(
            "A stored value cannot be decrypted with any configured key; it was not rotated."
        ) from None
