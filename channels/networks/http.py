"""HTTP plumbing the adapters share: per-instance routing to another base URL, timeouts, and the
mapping of transport failures and HTTP answers to :class:`PublishError`.

tweepy and facebook-sdk hard-code their hosts (``api.twitter.com``, ``graph.facebook.com``). Both
use a public ``requests.Session``, so each adapter instance mounts a :class:`RoutingHTTPAdapter` on
its own session: it rewrites scheme, host and path prefix of every request to the channel's base URL
(a self-hosted server, or a local fake server in tests), adds a timeout where the library passes
none (tweepy passes none at all), and remembers the last response's status and headers. No module
global is changed, so two channels with different base URLs can publish at the same time.
"""

from __future__ import annotations

import email.utils
import json
import time
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from django.utils.translation import gettext as _
from requests.adapters import HTTPAdapter

from .base import ErrorKind, PublishError


class RoutingHTTPAdapter(HTTPAdapter):
    def __init__(self, base_url: str = "", timeout: float = 30.0, query_param_to_bearer: str = "", **kwargs):
        super().__init__(**kwargs)
        self.base = urlsplit(base_url.rstrip("/")) if base_url else None
        self.timeout = timeout
        self.query_param_to_bearer = query_param_to_bearer
        self.last_status: int | None = None
        self.last_headers: dict[str, str] = {}

    def rewrite(self, url: str) -> str:
        if self.base is None:
            return url
        parts = urlsplit(url)
        return urlunsplit(
            (self.base.scheme, self.base.netloc, self.base.path + parts.path, parts.query, parts.fragment)
        )

    def move_token_to_header(self, request) -> None:
        parts = urlsplit(request.url)
        query = parse_qsl(parts.query, keep_blank_values=True)
        tokens = [value for name, value in query if name == self.query_param_to_bearer]
        if tokens:
            rest = [(name, value) for name, value in query if name != self.query_param_to_bearer]
            request.url = urlunsplit(parts._replace(query=urlencode(rest)))
            request.headers["Authorization"] = f"Bearer {tokens[0]}"

    def send(self, request, **kwargs):
        request.url = self.rewrite(request.url)
        if self.query_param_to_bearer:
            self.move_token_to_header(request)
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        self.last_status, self.last_headers = None, {}
        response = super().send(request, **kwargs)
        self.last_status = response.status_code
        self.last_headers = {key.lower(): value for key, value in response.headers.items()}
        return response


def routed_session(
    base_url: str, timeout: float, query_param_to_bearer: str = ""
) -> tuple[requests.Session, RoutingHTTPAdapter]:
    """A session whose every request goes through one :class:`RoutingHTTPAdapter`."""
    session = requests.Session()  # honours HTTPS_PROXY/NO_PROXY: county networks often need a proxy
    adapter = RoutingHTTPAdapter(base_url, timeout, query_param_to_bearer)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session, adapter


# --- Error mapping ----------------------------------------------------------------------------------


def seconds_until(value) -> float | None:
    """Seconds from now until ``value`` (epoch seconds, an HTTP date, an ISO date or a datetime)."""
    if value in (None, ""):
        return None
    try:
        if isinstance(value, datetime):
            moment = value if value.tzinfo else value.replace(tzinfo=UTC)
            return max(0.0, (moment - datetime.now(UTC)).total_seconds())
        if isinstance(value, int | float) or str(value).strip().lstrip("-").replace(".", "", 1).isdigit():
            return max(0.0, float(value) - time.time())
        text = str(value).strip()
        try:
            moment = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return seconds_until(moment)
    except (TypeError, ValueError, OverflowError):
        return None


def retry_after_header(headers: dict[str, str]) -> float | None:
    """``Retry-After`` (seconds or an HTTP date) as seconds from now."""
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return seconds_until(value)


def meta_retry_after(headers: dict[str, str]) -> float | None:
    """Meta's rate-limit headers (``X-Business-Use-Case-Usage``, ``X-Page-Usage``, ``X-App-Usage``)
    name the minutes until access returns; else ``Retry-After``."""
    waits = []
    for name in ("x-business-use-case-usage", "x-page-usage", "x-app-usage"):
        try:
            usage = json.loads(headers.get(name) or "null")
        except ValueError:
            continue
        if not isinstance(usage, dict):
            continue
        entries = [usage] if "estimated_time_to_regain_access" in usage else list(usage.values())
        for entry in entries:
            for item in entry if isinstance(entry, list) else [entry]:
                minutes = item.get("estimated_time_to_regain_access") if isinstance(item, dict) else None
                if isinstance(minutes, int | float) and minutes > 0:
                    waits.append(minutes * 60.0)
    return max(waits) if waits else retry_after_header(headers)


def transport_error(exc: BaseException, *, network: str, creates: bool) -> PublishError:
    """A requests/httpx transport failure as a PublishError.

    Refused or timed-out *connects* never reached the network: retryable. A read timeout or a
    connection dropped after the request went out may have created the post: uncertain when the
    request ``creates`` content, else retryable.
    """
    import httpx

    connect_failed = isinstance(
        exc,
        requests.exceptions.ConnectTimeout
        | httpx.ConnectError
        | httpx.ConnectTimeout
        | httpx.PoolTimeout
        | httpx.UnsupportedProtocol,
    )
    if isinstance(exc, requests.exceptions.ConnectionError) and not isinstance(
        exc, requests.exceptions.ReadTimeout
    ):
        reason = exc.args[0] if exc.args else None
        reason = getattr(reason, "reason", reason)
        text = type(reason).__name__ + " " + str(reason)
        if "NewConnectionError" in text or "NameResolutionError" in text or "ConnectTimeout" in text:
            connect_failed = True
    if connect_failed:
        return PublishError(
            f"{network}: " + _("Cannot connect to the server (nothing was sent)."), kind=ErrorKind.RETRYABLE
        )
    timed_out = isinstance(exc, requests.exceptions.Timeout | httpx.TimeoutException)
    what = (
        _("Timed out waiting for the answer") if timed_out else _("Connection broke off during the request")
    )
    if creates:
        return PublishError(f"{network}: {what}{unknown_outcome()}", kind=ErrorKind.UNCERTAIN)
    return PublishError(f"{network}: {what}.", kind=ErrorKind.RETRYABLE)


def unknown_outcome() -> str:
    return _(" – whether the post was created is unknown.")


def status_error(
    status: int | None,
    message: str,
    *,
    network: str,
    creates: bool,
    retry_after: float | None = None,
) -> PublishError:
    """An HTTP error answer as a PublishError (the network's message is passed in already cleaned)."""
    text = f"{network}: {message}" if message else f"{network}: HTTP {status}"
    if status == 429:
        return PublishError(text, kind=ErrorKind.RETRYABLE, retry_after=retry_after, status_code=status)
    if status == 401:
        return PublishError(text, kind=ErrorKind.PERMANENT, status_code=status, credentials_problem=True)
    if status is not None and status >= 500:
        # 503 says the server did not take the request; other 5xx after a creating request may hide
        # a created post (the front end failed after the back end wrote it).
        if creates and status != 503:
            return PublishError(
                text + unknown_outcome(),
                kind=ErrorKind.UNCERTAIN,
                status_code=status,
            )
        return PublishError(text, kind=ErrorKind.RETRYABLE, retry_after=retry_after, status_code=status)
    return PublishError(text, kind=ErrorKind.PERMANENT, status_code=status)


def scrub(text: str, secrets: list[str] | tuple[str, ...]) -> str:
    """Remove every secret from a message a network sent (some echo the token or the request URL)."""
    text = str(text or "")
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text[:500]


# --- messages several adapters share (German in the catalogue) ------------------------------------


def rate_limited() -> str:
    return _("rate limit reached.")


def access_refused() -> str:
    return _("access refused.")


def answer_without_id() -> str:
    return _("answer without post id – whether the post was created is unknown.")


def unreadable_answer() -> str:
    return _("unreadable answer.")


def one_image_only() -> str:
    return _("only one image per post is supported so far.")


def videos_unsupported() -> str:
    return _("videos are not supported yet (images only).")


def insight_values(answer) -> dict[str, int]:
    """``{"data": [{"name", "values": [{"value": …}]}]}`` → name: newest value; a breakdown (reactions
    by type) becomes one value per part, ``name.part``."""
    found: dict[str, int] = {}
    for item in (answer or {}).get("data") or []:
        values = item.get("values") or [] if isinstance(item, dict) else []
        if not values or not isinstance(values[-1], dict):
            continue
        value, name = values[-1].get("value"), item.get("name")
        if isinstance(value, dict):
            for part, number in value.items():
                if isinstance(number, int) and not isinstance(number, bool):
                    found[f"{name}.{part}"] = number
        elif isinstance(value, int) and not isinstance(value, bool) and name:
            found[name] = value
    return found


def since_cursor(cursor: str) -> int:
    try:
        value = json.loads(cursor).get("since") if cursor else 0
        return int(value or 0)
    except (ValueError, TypeError, AttributeError):
        return 0


def graph_time(value) -> datetime | None:
    """Graph's ``2026-12-05T10:00:00+0000`` (or ISO with a colon / Z)."""
    if not value:
        return None
    text = str(value).replace("Z", "+00:00")
    if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":
        text = text[:-2] + ":" + text[-2:]
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None
