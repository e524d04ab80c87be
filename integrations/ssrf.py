"""Refusing webhook addresses that point into the county's own network (SSRF).

An address is allowed when its scheme is http(s) and every address its host name resolves to is a
public one. ``LANDKREIS_WEBHOOKS_ALLOW_PRIVATE`` (tests, an internal receiver) lifts the check. It runs
when a subscription is made and again before every attempt (a name may later resolve elsewhere);
redirects are never followed.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def _resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise ValidationError(_("The host name %(host)s cannot be resolved.") % {"host": host}) from None
    return sorted({info[4][0] for info in infos})


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_url(url: str) -> None:
    """Raise ``ValidationError`` unless webhooks may be sent to ``url``."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(_("Only http and https addresses are allowed."))
    if parts.username or parts.password:
        raise ValidationError(_("The address must not contain a user name or password."))
    if getattr(settings, "LANDKREIS_WEBHOOKS_ALLOW_PRIVATE", False):
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise ValidationError(_("The port of the address is not valid.")) from None
    for address in _resolve(parts.hostname, port):
        if not is_public(address):
            raise ValidationError(
                _("Webhooks to private, loopback or link-local addresses are refused (%(address)s).")
                % {"address": address}
            )
