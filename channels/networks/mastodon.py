"""Mastodon through Mastodon.py, on the channel's own instance (``Channel.base_url``).

- ``mastodon_version`` and ``version_check_mode="created"`` are set so that ``media_post`` does not
  probe ``/api/v1/instance/`` (against a server that does not answer it, Mastodon.py recurses until
  ``RecursionError``); ``ratelimit_method="throw"`` so that nothing sleeps inside a worker.
- ``status_post(..., idempotency_key=content.idempotency_key)``: Mastodon keeps the key for about an
  hour and answers a repeated request with the status it already created. Therefore, *with* a key,
  a read timeout or a 5xx on the status POST is **retryable** (sending again cannot double-post);
  without a key it is uncertain like everywhere else.
- Images and videos go to ``POST /api/v2/media`` with their description (alt text). A 202 means the
  server is still processing; the adapter polls ``GET /api/v1/media/:id`` until it has a URL (for at
  most the channel timeout) before posting.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import replace

import requests
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from mastodon import Mastodon
from mastodon.errors import (
    MastodonAPIError,
    MastodonError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)

from . import textlength
from .base import (
    ErrorKind,
    InboundItem,
    InboundKind,
    InboxPage,
    Interactions,
    ItemRef,
    NetworkAdapter,
    NetworkLimits,
    PostContent,
    PublishedRef,
    PublishError,
)
from .http import (
    graph_time,
    rate_limited,
    scrub,
    seconds_until,
    status_error,
    transport_error,
    unknown_outcome,
    unreadable_answer,
)
from .registry import register

NETWORK = "Mastodon"
MASTODON_VERSION = "4.5.0"
_ACCOUNT = re.compile(r"^@?[A-Za-z0-9_]+(@[A-Za-z0-9.\-]+\.[A-Za-z]{2,})?$")


@register
class MastodonAdapter(NetworkAdapter):
    kind = "mastodon"
    label = "Mastodon"
    limits = NetworkLimits(
        max_length=500, alt_text_max=1500, requires_media=False, posts_per_window=(300, 300)
    )
    deduplicates = True  # Idempotency-Key
    reads = frozenset({InboundKind.COMMENT, InboundKind.REPLY, InboundKind.MENTION, InboundKind.DIRECT})
    reads_per_window = (200, 300)  # of the 300 requests per 5 minutes, leave 100 for posting
    credential_fields = {"access_token": gettext_lazy("Access token")}
    account_help = gettext_lazy("The account, e.g. @landkreis@social.example.")
    default_base_url = ""  # every instance has its own address: the channel must name it

    @classmethod
    def count_length(cls, text: str) -> int:
        return textlength.mastodon(text)

    @classmethod
    def validate_account(cls, account: str) -> list[str]:
        if not _ACCOUNT.match(account):
            return [_("A Mastodon account looks like @name@server.example.")]
        return []

    def __init__(self, config):
        super().__init__(config)
        self.session = requests.Session()
        self.api = Mastodon(
            access_token=config.credentials.get("access_token"),
            api_base_url=self.base_url,
            ratelimit_method="throw",
            request_timeout=config.timeout,
            mastodon_version=MASTODON_VERSION,
            version_check_mode="created",
            session=self.session,
        )

    # --- error mapping -----------------------------------------------------------------------------

    def _message(self, exc: MastodonError) -> str:
        args = exc.args
        if isinstance(exc, MastodonAPIError) and len(args) >= 4:
            return scrub(str(args[3] or args[2] or ""), self.secrets())
        return ""

    def _map(self, exc: MastodonError, *, creates: bool) -> PublishError:
        if isinstance(exc, MastodonRatelimitError):
            return PublishError(
                f"{NETWORK}: " + rate_limited(),
                kind=ErrorKind.RETRYABLE,
                retry_after=seconds_until(self.api.ratelimit_reset),
                status_code=429,
            )
        if isinstance(exc, MastodonNetworkError):
            # Mastodon.py wraps the requests exception; its context tells connect from read.
            cause = exc.__cause__ or exc.__context__
            if isinstance(cause, requests.RequestException):
                return transport_error(cause, network=NETWORK, creates=creates)
            return transport_error(requests.ConnectionError(), network=NETWORK, creates=creates)
        if type(exc) is MastodonAPIError and len(exc.args) < 4:
            # Not an error answer ("Mastodon API returned error", status, reason, message) but an answer
            # Mastodon.py could not read: a 2xx whose body is not JSON (a proxy's page, a cut-off body).
            # The server took the request – after a creating request the post may exist (issue 14: this
            # was a refusal, "Mastodon: HTTP None").
            message = f"{NETWORK}: " + _("the answer could not be read (no JSON).")
            if creates:
                return PublishError(message + unknown_outcome(), kind=ErrorKind.UNCERTAIN)
            return PublishError(message, kind=ErrorKind.RETRYABLE)
        if isinstance(exc, MastodonAPIError):
            status = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else None
            if isinstance(exc, MastodonUnauthorizedError):
                status = 401
            elif isinstance(exc, MastodonNotFoundError):
                status = 404
            elif isinstance(exc, MastodonServerError) and status is None:
                status = 500
            return status_error(status, self._message(exc), network=NETWORK, creates=creates)
        return PublishError(f"{NETWORK}: {type(exc).__name__}", kind=ErrorKind.PERMANENT)

    def _call(self, function, *args, creates: bool, **kwargs):
        try:
            return function(*args, **kwargs)
        except MastodonError as exc:
            raise self._map(exc, creates=creates) from None

    # --- the interface -----------------------------------------------------------------------------

    def _upload(self, item) -> str:
        attachment = self._call(
            self.api.media_post,
            item.path,
            mime_type=item.mime_type,
            description=item.alt_text or None,
            creates=False,
        )
        deadline = time.monotonic() + self.config.timeout
        while not attachment.get("url"):
            if time.monotonic() > deadline:
                raise PublishError(
                    f"{NETWORK}: " + _("the server is still processing the media file; try again later."),
                    kind=ErrorKind.RETRYABLE,
                )
            time.sleep(1.0)
            attachment = self._call(self.api.media, attachment["id"], creates=False)
        return str(attachment["id"])

    def _publish(self, content: PostContent) -> PublishedRef:
        media_ids = [self._upload(item) for item in content.media[: self.limits.max_images]]
        key = content.idempotency_key or None
        try:
            status = self.api.status_post(
                self.compose_text(content),
                media_ids=media_ids or None,
                visibility="public",
                language=content.language or "de",
                idempotency_key=key,
            )
        except MastodonError as exc:
            error = self._map(exc, creates=True)
            if key and error.uncertain:
                # The server keeps the key: sending the same request again returns the same status.
                error = PublishError(
                    error.message.replace(unknown_outcome(), "")
                    + " "
                    + _("(safe to repeat: idempotency key)"),
                    kind=ErrorKind.RETRYABLE,
                    status_code=error.status_code,
                    maybe_sent=True,
                )
            raise error from None
        return PublishedRef(
            external_id=str(status["id"]), url=str(status.get("url") or status.get("uri") or "")
        )

    def _delete(self, external_id: str) -> None:
        self._call(self.api.status_delete, external_id, creates=False)

    def _check_credentials(self) -> str:
        account = self._call(self.api.account_verify_credentials, creates=False)
        return f"@{account.get('acct') or account.get('username')}"

    # --- figures for the reports -----------------------------------------------------------------------
    # quotes_count only from Mastodon 4.5 on; older servers leave it out (not delivered). No reach.
    post_metrics = ("replies_count", "reblogs_count", "favourites_count", "quotes_count")

    def _fetch_metrics(self, external_id: str) -> dict[str, int]:
        return self.counts_from(self._call(self.api.status, external_id, creates=False), self.post_metrics)

    def _fetch_followers(self) -> int | None:
        account = self._call(self.api.account_verify_credentials, creates=False)
        return self.counts_from(account, ("followers_count",)).get("followers_count")

    # --- reading (the inbox) ---------------------------------------------------------------------------
    #
    # Cursor: {"n": id of the newest notification read, "c": id of the newest direct message read,
    # "me": the own account's id}.
    # Notifications of type ``mention`` are paged forward with ``min_id`` (the page right after the
    # cursor); a mention that answers a status gets the thread's root from ``status_context``. Direct
    # messages come from ``conversations`` (their last status), newer than "c".

    PAGE_SIZE = 40

    def _read(self, path: str, params: dict | None = None):
        """GET an API path as plain JSON. Reads go around Mastodon.py's typed return objects: casting a
        page of 40 notifications into them cost 0.35 s of CPU (bench/inbox_bench.py), ten times the
        rest of the fetch. Errors are mapped like the library's."""
        try:
            response = self.session.get(
                f"{self.base_url}{path}",
                params=params,
                headers={"Authorization": f"Bearer {self.config.credentials.get('access_token') or ''}"},
                timeout=self.config.timeout,
            )
        except requests.RequestException as exc:
            raise transport_error(exc, network=NETWORK, creates=False) from None
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code == 429:
            raise PublishError(
                f"{NETWORK}: " + rate_limited(),
                kind=ErrorKind.RETRYABLE,
                retry_after=seconds_until(response.headers.get("X-RateLimit-Reset")),
                status_code=429,
            )
        if response.status_code >= 400:
            message = body.get("error", "") if isinstance(body, dict) else ""
            raise status_error(
                response.status_code, scrub(str(message), self.secrets()), network=NETWORK, creates=False
            )
        if body is None:
            raise PublishError(f"{NETWORK}: " + unreadable_answer(), kind=ErrorKind.RETRYABLE)
        return body

    def _fetch_inbox(self, cursor: str, *, max_items: int | None = None) -> InboxPage:
        state = _load_cursor(cursor)
        requests_made = 0
        if not state.get("me"):  # the own account's id, read once and kept in the cursor
            own = self._read("/api/v1/accounts/verify_credentials")
            state["me"] = str(own["id"])
            requests_made += 1
        own_id = str(state["me"])
        notifications = self._read(
            "/api/v1/notifications",
            {"types[]": ["mention"], "min_id": state.get("n") or "0", "limit": self.PAGE_SIZE},
        )
        if not isinstance(notifications, list):
            raise PublishError(f"{NETWORK}: " + unreadable_answer(), kind=ErrorKind.RETRYABLE)
        requests_made += 1
        items: list[InboundItem] = []
        newest = int(state.get("n") or 0)
        roots: dict[str, tuple[str, bool]] = {}
        for notification in notifications:
            newest = max(newest, int(notification["id"]))
            status = notification.get("status")
            if not status or str(status["account"]["id"]) == own_id:
                continue
            item, needs_context = self._item_from_status(status, own_id)
            if needs_context:
                if item.parent_id not in roots:
                    context = self._read(f"/api/v1/statuses/{int(status['id'])}/context")
                    requests_made += 1
                    ancestors = list(context.get("ancestors") or [])
                    first = ancestors[0] if ancestors else None
                    roots[item.parent_id] = (
                        (str(first["id"]), str(first["account"]["id"]) == own_id) if first else ("", False)
                    )
                root_id, root_is_own = roots[item.parent_id]
                item = _with(
                    item, root_id=root_id, kind=InboundKind.REPLY if root_is_own else InboundKind.MENTION
                )
            items.append(item)
        more = len(notifications) >= self.PAGE_SIZE
        state["n"] = str(newest) if newest else state.get("n", "")
        if not more:
            dms, last_dm = self._direct_messages(int(state.get("c") or 0), own_id)
            requests_made += 1
            items.extend(dms)
            if last_dm:
                state["c"] = str(last_dm)
        return InboxPage(
            items=tuple(items), cursor=json.dumps(state, sort_keys=True), more=more, requests=requests_made
        )

    def _item_from_status(self, status, own_id: str) -> tuple[InboundItem, bool]:
        parent = str(status.get("in_reply_to_id") or "")
        parent_account = str(status.get("in_reply_to_account_id") or "")
        if status.get("visibility") == "direct":
            kind = InboundKind.DIRECT
        elif not parent:
            kind = InboundKind.MENTION
        else:
            kind = InboundKind.COMMENT if parent_account == own_id else InboundKind.REPLY
        account = status["account"]
        item = InboundItem(
            network_id=str(status["id"]),
            kind=kind,
            text=str(status.get("content") or ""),
            created_at=graph_time(status.get("created_at")),
            author_handle="@" + str(account.get("acct") or account.get("username") or ""),
            author_name=str(account.get("display_name") or ""),
            author_url=str(account.get("url") or ""),
            author_id=str(account.get("id") or ""),
            url=str(status.get("url") or status.get("uri") or ""),
            parent_id=parent,
            root_id=parent if kind is InboundKind.COMMENT else "",
            thread_key=str(status.get("conversation_id") or ""),
            media_urls=tuple(
                str(m.get("url") or m.get("remote_url") or "")
                for m in status.get("media_attachments") or []
                if m.get("url") or m.get("remote_url")
            ),
        )
        # A mention deeper in a thread: is the thread one of ours? The context's first ancestor says.
        return item, kind is InboundKind.REPLY

    def _direct_messages(self, after: int, own_id: str) -> tuple[list[InboundItem], int]:
        conversations = self._read("/api/v1/conversations", {"limit": self.PAGE_SIZE})
        items, newest = [], after
        for conversation in conversations:
            status = conversation.get("last_status")
            if not status or int(status["id"]) <= after or str(status["account"]["id"]) == own_id:
                continue
            newest = max(newest, int(status["id"]))
            item, _needs = self._item_from_status(status, own_id)
            items.append(_with(item, kind=InboundKind.DIRECT, thread_key=str(conversation["id"])))
        return items, newest

    # --- replies and moderation (what citizens write) ------------------------------------------------
    # Mastodon cannot hide or delete other people's replies; the county can only report them to the
    # moderators of the author's server. Replies carry the Idempotency-Key like posts.

    interactions = Interactions(
        reply=True, reply_direct=True, report=True, reply_deduplicates=True, report_names_author=True
    )

    def _reply(self, target: ItemRef, content: PostContent, *, direct: bool) -> PublishedRef:
        text = self.compose_text(content)
        handle = target.author_handle.strip().lstrip("@")
        if handle and f"@{handle}".lower() not in text.lower():
            # What status_reply() does, without its extra verify_credentials request: the author
            # is mentioned so that the answer reaches them (a direct message needs the mention).
            text = f"@{handle} {text}"
        key = content.idempotency_key or None
        try:
            status = self.api.status_post(
                text,
                in_reply_to_id=target.external_id,
                visibility="direct" if direct else "public",
                language=content.language or "de",
                idempotency_key=key,
            )
        except MastodonError as exc:
            error = self._map(exc, creates=True)
            if key and error.uncertain:
                error = PublishError(
                    error.message.replace(unknown_outcome(), "")
                    + " "
                    + _("(safe to repeat: idempotency key)"),
                    kind=ErrorKind.RETRYABLE,
                    status_code=error.status_code,
                )
            raise error from None
        return PublishedRef(
            external_id=str(status["id"]), url=str(status.get("url") or status.get("uri") or "")
        )

    def _report(self, target: ItemRef, *, comment: str, forward: bool) -> str:
        # ``report()`` refuses an empty ``author_id`` before this is called (report_names_author).
        report = self._call(
            self.api.report,
            target.author_id,
            status_ids=[target.external_id],
            comment=comment[:1000] or None,
            forward=forward,
            category="other",
            creates=False,
        )
        return str(report.get("id") or "")


def _load_cursor(cursor: str) -> dict:
    try:
        state = json.loads(cursor) if cursor else {}
    except ValueError:
        state = {}
    return state if isinstance(state, dict) else {}


def _with(item: InboundItem, **changes) -> InboundItem:
    return replace(item, **changes)
