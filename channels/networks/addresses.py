"""Which addresses the app talks to, and which links it shows (issue 14).

- A channel's API address (``Channel.base_url``) must be ``https`` and resolve only to public IP
  addresses: not loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local (169.254/16 – the
  cloud metadata service –, fe80::/10), shared, reserved, multicast or unspecified. Otherwise anyone who
  may edit a channel could make the server talk to Redis, PostgreSQL or the metadata service, and
  "Zugang prüfen" would tell them whether the target answered (server-side request forgery).
- A link a network returns for a published post is kept only when it is an ``https`` address with a host
  (``javascript:`` came through once).

``NETWORKS_ALLOW_LOCAL`` (``LANDKREIS_NETWORKS_ALLOW_LOCAL``) allows loopback/private addresses and
``http`` to them – for the local fake servers of the tests and a trial on one machine, never in production.

The address is checked when the channel is saved and again each time an adapter is built for it
(``channels.adapters.adapter_for``), so a name that later resolves to an internal address is refused
then. A DNS answer that changes between that check and the library's own lookup moments later (DNS
rebinding) is not caught; the outgoing firewall of the server is the second line.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _


def allow_local() -> bool:
    return bool(getattr(settings, "NETWORKS_ALLOW_LOCAL", False))


def _is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def address_problem(url: str) -> str | None:
    """A German sentence why the app may not call ``url`` (None: it may). Resolves the host name; a name
    that does not resolve now is not refused (it reaches no address at all)."""
    if allow_local():
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return _("The API address must start with https:// and contain a server name.")
    host = parts.hostname
    refused = _(
        "The API address must be a public server on the internet; %(host)s is a local or internal "
        "address (loopback, private network or link-local)."
    ) % {"host": host}
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        if host.lower() == "localhost" or host.lower().endswith(".localhost"):
            return refused
        try:
            infos = socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)
        except (OSError, UnicodeError):
            # A name that does not resolve reaches nothing, internal or not: no forgery to refuse. Refusing
            # it would turn a passing DNS outage into a permanent credentials problem that stops every
            # channel (this check runs before each use), and would refuse the demo's offline channels.
            # The network library's own lookup then fails as a retryable connection error.
            return None
        addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if not addresses or not all(_is_public(ip) for ip in addresses):
        return refused
    if parts.scheme != "https":
        return _("The API address must start with https:// and contain a server name.")
    return None


def safe_link(url: str) -> str:
    """``url`` when it is an https address with a host (http only with NETWORKS_ALLOW_LOCAL, or this
    site's own address), else ""."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    site = getattr(settings, "SITE_URL", "")
    if site and url.startswith(site.rstrip("/") + "/"):
        return url  # our own address (the sandbox channel's posts), http in a demo
    schemes = {"https", "http"} if allow_local() else {"https"}
    if parts.scheme.lower() not in schemes or not parts.hostname or any(ch.isspace() for ch in url):
        return ""
    return url
