"""Checking allowlist values as the admin types them, and turning them into what the rules compare."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .text import normalise_phone

HOST_RE = re.compile(r"^(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
EMAIL_RE = re.compile(r"^[^@\s]+@(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def clean_host(value: str) -> str:
    host = value.strip().lower()
    host = re.sub(r"^[a-z]+://", "", host)
    host = re.split(r"[/?#:]", host, maxsplit=1)[0]
    if host.startswith("www."):
        host = host[4:]
    if not HOST_RE.match(host):
        raise ValidationError(_("Enter a domain such as “lk-row.de”."))
    return host


def clean_allowlist_value(kind: str, value: str) -> str:
    from .kinds.personal_data import iban_is_valid

    value = (value or "").strip()
    if not value:
        raise ValidationError(_("Enter a value."))
    if kind in ("own_domain", "domain"):
        return clean_host(value)
    if kind == "email":
        lowered = value.lower()
        if lowered.startswith("@"):
            return "@" + clean_host(lowered[1:])
        if not EMAIL_RE.match(lowered):
            raise ValidationError(_("Enter an e-mail address or “@domain” for every address of a domain."))
        return lowered
    if kind == "phone":
        if len(normalise_phone(value)) < 3 or re.search(r"[^\d\s+()/\-–]", value):
            raise ValidationError(
                _("Enter a phone number such as “04261 983-0” (digits, spaces, + / - ( )).")
            )
        return value
    if kind == "iban":
        compact = value.replace(" ", "").upper()
        if not iban_is_valid(compact):
            raise ValidationError(_("This is not a valid IBAN (check digits)."))
        return compact
    if kind == "address":
        if not re.search(r"\d", value):
            raise ValidationError(_("Enter street and house number, e.g. “Hopfengarten 2”."))
        return re.sub(r"\s+", " ", value)
    raise ValidationError(_("Unknown kind."))
