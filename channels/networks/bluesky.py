"""Bluesky through ``atproto`` (httpx underneath).

- Log in once with handle + app password and keep the session: atproto's ``export_session_string``
  is handed to ``ChannelConfig.on_session_change`` whenever the client creates or refreshes a
  session, and the caller stores it encrypted (``Channel.session_encrypted``). The next adapter
  imports it instead of calling ``createSession`` (limited to 30 per 5 minutes, 300 per day). A stored
  session that the server no longer accepts (expired/revoked) is replaced by one fresh login, and the
  request is repeated once – a refused request created nothing.
- A stored session made for another server (the channel's base URL changed) is not used.
- Links and hashtags become facets (UTF-8 byte offsets) with atproto's offline facet detection;
  mentions are left as text (resolving handles would cost a request per mention).
- ``createRecord`` has no idempotency key: a read timeout or a 5xx (but 503) after it is uncertain;
  the blob upload before it creates nothing visible and is retryable.
"""

from __future__ import annotations

import json
import re
from datetime import datetime

import httpx
from atproto import Client, models
from atproto_client import exceptions as at_exceptions
from atproto_client.client.session import Session, SessionEvent
from atproto_client.models.common import XrpcError
from atproto_client.request import Request
from atproto_client.utils.facet_detection import detect_facets
from atproto_core.exceptions import AtProtocolError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
from .http import rate_limited, scrub, seconds_until, status_error, transport_error, videos_unsupported
from .registry import register

NETWORK = "Bluesky"
AUTH_ERRORS = {"ExpiredToken", "InvalidToken", "AuthenticationRequired", "AuthMissing"}
_HANDLE = re.compile(
    r"^(did:[a-z]+:[A-Za-z0-9._:%-]+|@?([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,})$"
)


class _SessionRejected(Exception):
    """The stored session was refused: log in again (internal)."""


@register
class BlueskyAdapter(NetworkAdapter):
    kind = "bluesky"
    label = "Bluesky"
    limits = NetworkLimits(
        max_length=300, alt_text_max=2000, requires_media=False, posts_per_window=(1500, 3600)
    )
    credential_fields = {"app_password": gettext_lazy("App password")}
    account_help = gettext_lazy("The handle the channel logs in with, e.g. landkreis.bsky.social.")
    account_required = True
    default_base_url = "https://bsky.social"
    reads = frozenset({InboundKind.COMMENT, InboundKind.REPLY, InboundKind.MENTION})
    reads_per_window = (1000, 300)  # 3,000 per 5 minutes per IP; leave most of it to others

    @classmethod
    def count_length(cls, text: str) -> int:
        return textlength.graphemes(text)

    @classmethod
    def validate_account(cls, account: str) -> list[str]:
        if not _HANDLE.match(account):
            return [_("A Bluesky handle looks like name.bsky.social (or an own domain).")]
        return []

    def __init__(self, config):
        super().__init__(config)
        self.client: Client | None = None
        self.session_renewed = False

    @property
    def handle(self) -> str:
        return self.config.account.strip().lstrip("@")

    # --- session -------------------------------------------------------------------------------------

    def _new_client(self) -> Client:
        request = Request(timeout=httpx.Timeout(self.config.timeout))
        client = Client(base_url=self.base_url, request=request)

        def remember(event, _session):
            if event in (SessionEvent.CREATE, SessionEvent.REFRESH) and self.config.on_session_change:
                self.config.session = client.export_session_string()
                self.config.on_session_change(self.config.session)

        client.on_session_change(remember)
        return client

    def _stored_session_usable(self) -> bool:
        if not self.config.session:
            return False
        try:
            stored = Session.decode(self.config.session)
        except ValueError:
            return False
        endpoint = (stored.pds_endpoint or "").rstrip("/").removesuffix("/xrpc")
        # A session made at another server (or for another account) is not used.
        same_account = stored.handle == self.handle or stored.did == self.handle
        return same_account and (not self.config.base_url or endpoint == self.base_url)

    def _login(self, *, fresh: bool = False) -> Client:
        if self.client is not None and not fresh:
            return self.client
        client = self._new_client()
        try:
            if not fresh and self._stored_session_usable():
                client.login(session_string=self.config.session, fetch_bsky_profile=False)
            else:
                client.login(
                    self.handle, self.config.credentials.get("app_password"), fetch_bsky_profile=False
                )
                self.session_renewed = True
        except (AtProtocolError, ValueError) as exc:
            raise self._map(exc, creates=False, during_login=True) from None
        self.client = client
        return client

    def _with_session(self, operation, *, creates: bool):
        """Run ``operation(client)``; if a stored session is refused, log in afresh once and repeat."""
        client = self._login()
        try:
            return operation(client)
        except AtProtocolError as exc:
            if self._is_session_problem(exc) and not self.session_renewed:
                client = self._login(fresh=True)
                try:
                    return operation(client)
                except AtProtocolError as again:
                    raise self._map(again, creates=creates) from None
            raise self._map(exc, creates=creates) from None

    # --- error mapping -----------------------------------------------------------------------------

    @staticmethod
    def _xrpc(exc) -> tuple[int | None, str, str]:
        response = getattr(exc, "response", None)
        if response is None:
            return None, "", ""
        content = response.content
        if isinstance(content, XrpcError):
            return response.status_code, content.error or "", content.message or ""
        return response.status_code, "", ""

    def _is_session_problem(self, exc) -> bool:
        status, error, _message = self._xrpc(exc)
        return isinstance(exc, at_exceptions.LoginRequiredError) or status == 401 or error in AUTH_ERRORS

    def _map(self, exc: Exception, *, creates: bool, during_login: bool = False) -> PublishError:
        if isinstance(exc, at_exceptions.NetworkError) and getattr(exc, "response", None) is None:
            cause = exc.__cause__ or exc.__context__
            return transport_error(cause or httpx.ConnectError("?"), network=NETWORK, creates=creates)
        status, error, message = self._xrpc(exc)
        text = scrub(": ".join(part for part in (error, message) if part), self.secrets())
        if isinstance(exc, at_exceptions.RateLimitExceededError):
            retry_after = exc.retry_after
            if retry_after is None:
                retry_after = seconds_until(exc.reset_at)
            return PublishError(
                f"{NETWORK}: {text or rate_limited()}",
                kind=ErrorKind.RETRYABLE,
                retry_after=retry_after,
                status_code=429,
            )
        if (
            isinstance(exc, at_exceptions.LoginRequiredError)
            or error in AUTH_ERRORS
            or status == 401
            or (during_login and status in (400, 401, 403))
        ):
            return PublishError(
                f"{NETWORK}: " + _("login refused (%(reason)s).") % {"reason": text or status},
                kind=ErrorKind.PERMANENT,
                status_code=status,
                credentials_problem=True,
            )
        if status is not None:
            return status_error(status, text, network=NETWORK, creates=creates)
        if isinstance(exc, ValueError):
            return PublishError(f"{NETWORK}: {scrub(str(exc), self.secrets())}", kind=ErrorKind.PERMANENT)
        # A malformed answer (ModelError …) after a creating request: we cannot tell what happened.
        return PublishError(
            f"{NETWORK}: " + _("unexpected answer (%(error)s).") % {"error": type(exc).__name__},
            kind=ErrorKind.UNCERTAIN if creates else ErrorKind.RETRYABLE,
        )

    # --- the interface -----------------------------------------------------------------------------

    def _publish(self, content: PostContent) -> PublishedRef:
        text = self.compose_text(content)
        facets = detect_facets(text) or None
        langs = [content.language or "de"]
        images = [item for item in content.media if item.kind == "image"][: self.limits.max_images]
        if len(images) != len(content.media[: self.limits.max_images]):
            raise PublishError(f"{NETWORK}: " + videos_unsupported(), kind=ErrorKind.PERMANENT)
        blobs = []
        for item in images:
            with open(item.path, "rb") as handle:
                blobs.append((handle.read(), item.alt_text or "", _aspect_ratio(item.path)))

        def upload_and_post(client: Client):
            repo = client._session.did
            if not blobs:
                return client.send_post(text, profile_identify=repo, langs=langs, facets=facets)
            embedded = []
            for data, alt, ratio in blobs:
                try:
                    blob = client.upload_blob(data).blob
                except AtProtocolError as exc:
                    raise self._map(exc, creates=False) from None
                embedded.append(models.AppBskyEmbedImages.Image(alt=alt, image=blob, aspect_ratio=ratio))
            return client.send_post(
                text,
                profile_identify=repo,
                langs=langs,
                facets=facets,
                embed=models.AppBskyEmbedImages.Main(images=embedded),
            )

        created = self._with_session(upload_and_post, creates=True)
        uri = str(created.uri)
        rkey = uri.rsplit("/", 1)[-1]
        return PublishedRef(external_id=uri, url=f"https://bsky.app/profile/{self.handle}/post/{rkey}")

    def _delete(self, external_id: str) -> None:
        self._with_session(lambda client: client.delete_post(external_id), creates=False)

    def _check_credentials(self) -> str:
        answer = self._with_session(lambda client: client.com.atproto.server.get_session(), creates=False)
        return f"@{answer.handle}"

    # --- figures for the reports -----------------------------------------------------------------------
    # The post view's counts (app.bsky.feed.getPosts) by their lexicon names; Bluesky has no reach.
    post_metrics = ("likeCount", "repostCount", "replyCount", "quoteCount")

    def _fetch_metrics(self, external_id: str) -> dict[str, int]:
        answer = self._with_session(lambda client: client.get_posts(uris=[external_id]), creates=False)
        posts = answer.posts or []
        return self.counts_from(posts[0].model_dump(by_alias=True), self.post_metrics) if posts else {}

    def _fetch_followers(self) -> int | None:
        profile = self._with_session(lambda client: client.get_profile(actor=self.handle), creates=False)
        return self.counts_from(profile.model_dump(by_alias=True), ("followersCount",)).get("followersCount")

    # --- reading (the inbox) ---------------------------------------------------------------------------
    #
    # ``listNotifications`` (reasons reply, mention, quote) pages from the newest backwards. Cursor:
    # {"seen": indexedAt of the newest notification committed} – and, while a run pages back to it,
    # {"page": the network's cursor, "hw": the newest indexedAt of this round}. A reply's record names its
    # thread (``reply.root`` and ``reply.parent``), so no ``getPostThread`` call is needed to route it.

    PAGE_SIZE = 50
    REASONS = ("reply", "mention", "quote")

    def _fetch_inbox(self, cursor: str, *, max_items: int | None = None) -> InboxPage:
        try:
            state = json.loads(cursor) if cursor else {}
        except ValueError:
            state = {}
        state = state if isinstance(state, dict) else {}
        seen = str(state.get("seen") or "")
        params = {"limit": self.PAGE_SIZE, "reasons": list(self.REASONS)}
        if state.get("page"):
            params["cursor"] = str(state["page"])
        answer = self._with_session(
            lambda client: client.app.bsky.notification.list_notifications(params=params), creates=False
        )
        own = self.client._session.did if self.client and self.client._session else ""
        newest = str(state.get("hw") or seen)
        items, reached_seen = [], False
        for notification in answer.notifications:
            indexed = str(notification.indexed_at)
            newest = max(newest, indexed)
            if seen and indexed <= seen:
                reached_seen = True
                continue
            item = self._inbound(notification, own)
            if item is not None:
                items.append(item)
        if reached_seen or not answer.cursor or not answer.notifications:
            return InboxPage(items=tuple(items), cursor=json.dumps({"seen": newest}), more=False)
        return InboxPage(
            items=tuple(items),
            cursor=json.dumps({"seen": seen, "hw": newest, "page": answer.cursor}),
            more=True,
        )

    def _inbound(self, notification, own_did: str) -> InboundItem | None:
        reason = notification.reason
        if reason not in self.REASONS:
            return None
        record = notification.record
        text = str(_field(record, "text") or "")
        reply = _field(record, "reply")
        root = str(_field(_field(reply, "root"), "uri") or "")
        parent = str(_field(_field(reply, "parent"), "uri") or "")
        author = notification.author
        handle = str(author.handle or "")
        rkey = str(notification.uri).rsplit("/", 1)[-1]
        if reason == "reply" and root.startswith(f"at://{own_did}/"):
            kind = InboundKind.COMMENT if parent == root else InboundKind.REPLY
        elif reason == "quote":
            kind = InboundKind.MENTION
            parent = str(notification.reason_subject or "")
            root = parent
        else:
            kind = InboundKind.MENTION
        return InboundItem(
            network_id=str(notification.uri),
            kind=kind,
            text=text,
            created_at=_datetime(_field(record, "created_at") or notification.indexed_at),
            author_handle=f"@{handle}",
            author_name=str(author.display_name or ""),
            author_url=f"https://bsky.app/profile/{handle}",
            author_id=str(author.did or ""),
            url=f"https://bsky.app/profile/{handle}/post/{rkey}",
            parent_id=parent,
            root_id=root,
        )

    # --- replies and moderation (what citizens write) ------------------------------------------------
    # A reply names the thread's root and the post it answers (URI + CID each); a CID the caller does
    # not know is read with ``com.atproto.repo.getRecord``. Replies are hidden through the root post's
    # threadgate record (``app.bsky.feed.threadgate``, record key = the root's, ``hiddenReplies`` ≤ 300
    # URIs) – only in threads the county's account started. The update names the record's CID
    # (``swapRecord``), so two moderators at once cannot drop each other's change. Direct messages
    # (the chat service) and reports are not supported.

    interactions = Interactions(
        reply=True,
        hide=True,
        unhide=True,
        hide_scope=gettext_lazy("only replies in threads the county's account started"),
    )
    THREADGATE = "app.bsky.feed.threadgate"
    HIDDEN_MAX = 300

    def _reply(self, target: ItemRef, content: PostContent, *, direct: bool) -> PublishedRef:
        text = self.compose_text(content)
        facets = detect_facets(text) or None
        langs = [content.language or "de"]

        def post_reply(client: Client):
            parent = self._strong_ref(client, target.external_id, target.cid)
            if target.root_id and target.root_id != target.external_id:
                root = self._strong_ref(client, target.root_id, target.root_cid)
            else:
                root = parent
            return client.send_post(
                text,
                profile_identify=client._session.did,
                reply_to=models.AppBskyFeedPost.ReplyRef(root=root, parent=parent),
                langs=langs,
                facets=facets,
            )

        created = self._with_session(post_reply, creates=True)
        uri = str(created.uri)
        rkey = uri.rsplit("/", 1)[-1]
        return PublishedRef(external_id=uri, url=f"https://bsky.app/profile/{self.handle}/post/{rkey}")

    def _strong_ref(self, client: Client, uri: str, cid: str):
        if not cid:
            repo, collection, rkey = _split_uri(uri)
            try:
                cid = client.com.atproto.repo.get_record(
                    {"repo": repo, "collection": collection, "rkey": rkey}
                ).cid
            except AtProtocolError as exc:
                raise self._map(exc, creates=False) from None
        return models.ComAtprotoRepoStrongRef.Main(uri=uri, cid=cid)

    def _set_hidden(self, target: ItemRef, hidden: bool) -> None:
        root = target.root_id or target.external_id
        if root == target.external_id:
            raise PublishError(
                f"{NETWORK}: " + _("only replies can be hidden, not the post that starts a thread."),
                kind=ErrorKind.PERMANENT,
            )

        def update_threadgate(client: Client):
            repo, _collection, rkey = _split_uri(root)
            if repo not in (client._session.did, client._session.handle):
                raise PublishError(
                    f"{NETWORK}: " + _("replies can only be hidden in threads the county's account started."),
                    kind=ErrorKind.PERMANENT,
                )
            existing = None
            try:
                existing = client.com.atproto.repo.get_record(
                    {"repo": client._session.did, "collection": self.THREADGATE, "rkey": rkey}
                )
            except at_exceptions.BadRequestError as exc:
                if self._xrpc(exc)[1] != "RecordNotFound":
                    raise
            value = existing.value if existing is not None else None
            hidden_now = list(_record_field(value, "hiddenReplies", "hidden_replies") or [])
            if hidden and target.external_id not in hidden_now:
                if len(hidden_now) >= self.HIDDEN_MAX:
                    raise PublishError(
                        f"{NETWORK}: "
                        + _("a thread can hide at most %(max)s replies.") % {"max": self.HIDDEN_MAX},
                        kind=ErrorKind.PERMANENT,
                    )
                hidden_now.append(target.external_id)
            elif not hidden and target.external_id in hidden_now:
                hidden_now.remove(target.external_id)
            else:
                return  # already as wished
            record = {
                "$type": self.THREADGATE,
                "post": root,
                "createdAt": _record_field(value, "createdAt", "created_at") or client.get_current_time_iso(),
                "hiddenReplies": hidden_now,
            }
            allow = _record_field(value, "allow", "allow")
            if allow is not None:  # keep who may reply; absent = everyone
                record["allow"] = [a if isinstance(a, dict) else a.model_dump(by_alias=True) for a in allow]
            data = {
                "repo": client._session.did,
                "collection": self.THREADGATE,
                "rkey": rkey,
                "record": record,
            }
            if existing is not None:
                data["swapRecord"] = existing.cid
            client.com.atproto.repo.put_record(data)

        self._with_session(update_threadgate, creates=False)


def _field(value, name: str):
    if value is None:
        return None
    if isinstance(value, dict):
        camel = name.split("_")[0] + "".join(part.title() for part in name.split("_")[1:])
        return value.get(name, value.get(camel))
    return getattr(value, name, None)


def _datetime(value):
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except (TypeError, ValueError):
        return None


def _aspect_ratio(path: str):
    try:
        from PIL import Image

        with Image.open(path) as image:
            width, height = image.size
        return models.AppBskyEmbedDefs.AspectRatio(width=width, height=height)
    except Exception:  # not an image Pillow reads: Bluesky shows it without the hint
        return None


def _split_uri(uri: str) -> tuple[str, str, str]:
    """``at://repo/collection/rkey`` → its three parts (a malformed URI is a permanent error)."""
    parts = uri.removeprefix("at://").split("/")
    if not uri.startswith("at://") or len(parts) != 3 or not all(parts):
        raise PublishError(f"{NETWORK}: " + _("not a post address (AT-URI)."), kind=ErrorKind.PERMANENT)
    return parts[0], parts[1], parts[2]


def _record_field(value, json_name: str, attribute: str):
    """A field of a record as atproto returns it (a model, or a dict for unknown record types)."""
    if value is None:
        return None
    if isinstance(value, dict):
        return value.get(json_name)
    return getattr(value, attribute, None)
