"""The interface every social network adapter offers, and the one error type they raise.

After Healthchecks' transports: one small class per network in ``publishing/networks/<kind>.py``,
registered in :mod:`channels.networks.registry`, which also feeds ``Channel.kind``'s choices.
Nothing else in the code base branches on the network kind.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import ClassVar
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from . import textlength
from .addresses import address_problem, safe_link

logger = logging.getLogger(__name__)


class ErrorKind(enum.StrEnum):
    RETRYABLE = "retryable"  # try again later (connection refused before sending, 429, 5xx)
    PERMANENT = "permanent"  # do not retry (bad credentials, content refused)
    UNCERTAIN = "uncertain"  # the request may have reached the network; outcome unknown


class PublishError(Exception):
    """The only exception an adapter raises. Its message never contains a credential."""

    def __init__(
        self,
        message: str,
        *,
        kind: ErrorKind,
        retry_after: float | None = None,
        status_code: int | None = None,
        credentials_problem: bool = False,
        maybe_sent: bool = False,
    ):
        super().__init__(message)
        self.message = message
        self.kind = ErrorKind(kind)
        self.retry_after = retry_after  # seconds from now, where the network says when
        self.status_code = status_code
        self.credentials_problem = credentials_problem  # the channel needs attention (token revoked …)
        # Retryable only because the network deduplicates (Idempotency-Key): the post may exist already.
        self.maybe_sent = maybe_sent

    @property
    def retryable(self) -> bool:
        return self.kind is ErrorKind.RETRYABLE

    @property
    def permanent(self) -> bool:
        return self.kind is ErrorKind.PERMANENT

    @property
    def uncertain(self) -> bool:
        return self.kind is ErrorKind.UNCERTAIN

    @property
    def possibly_created(self) -> bool:
        """The request may have created the post (outcome unknown), whatever the retry decision."""
        return self.kind is ErrorKind.UNCERTAIN or self.maybe_sent

    def __repr__(self):
        return f"PublishError({self.message!r}, kind={self.kind.value}, retry_after={self.retry_after})"

    def __reduce__(self):
        # Picklable with its attributes (Celery hands exceptions between processes).
        return (
            _rebuild_publish_error,
            (
                self.message,
                self.kind.value,
                self.retry_after,
                self.status_code,
                self.credentials_problem,
                self.maybe_sent,
            ),
        )


def _rebuild_publish_error(message, kind, retry_after, status_code, credentials_problem, maybe_sent=False):
    return PublishError(
        message,
        kind=kind,
        retry_after=retry_after,
        status_code=status_code,
        credentials_problem=credentials_problem,
        maybe_sent=maybe_sent,
    )


@dataclass(frozen=True)
class PublishedRef:
    external_id: str
    url: str = ""


@dataclass(frozen=True)
class MediaItem:
    """One image or video of a post, as the adapter needs it."""

    path: str  # local file path
    mime_type: str
    alt_text: str = ""
    kind: str = "image"  # "image" or "video"
    public_url: str = ""  # for networks that fetch media themselves (Instagram)
    captions_path: str = ""  # WebVTT/SRT captions of a video


@dataclass(frozen=True)
class PostContent:
    """What gets published on one channel: the channel's text variant, the link, the media."""

    text: str
    link: str = ""
    media: tuple[MediaItem, ...] = ()
    language: str = "de"
    # Stable per delivery; networks that deduplicate (Mastodon's Idempotency-Key) use it.
    idempotency_key: str = ""


@dataclass(frozen=True)
class NetworkLimits:
    max_length: int
    alt_text_max: int | None = None
    requires_media: bool = False
    max_images: int = 4
    max_hashtags: int | None = None
    # Posting limit the per-channel rate limiter keeps under: (count, seconds).
    posts_per_window: tuple[int, int] | None = None


# --- reading what citizens write (the inbox) ---------------------------------------------------------


class InboundKind(enum.StrEnum):
    COMMENT = "comment"  # directly under one of the channel's own posts
    REPLY = "reply"  # deeper in a thread that starts at one of the channel's own posts
    MENTION = "mention"  # names the account, belongs to no own post
    DIRECT = "direct"  # a direct message


@dataclass(frozen=True)
class InboundItem:
    """One thing a citizen wrote, as the network told it. ``text`` may be the network's HTML (the inbox
    cleans it); nothing here is logged – texts and names are personal data."""

    network_id: str
    kind: InboundKind
    text: str = field(repr=False)
    created_at: datetime | None = None
    author_handle: str = field(default="", repr=False)
    author_name: str = field(default="", repr=False)
    author_url: str = field(default="", repr=False)
    # The author's account id on the network (Mastodon account id, X user id, Meta's page- or
    # Instagram-scoped id, Bluesky DID): pseudonymous personal data – what a direct answer or a report
    # is addressed to. Never logged.
    author_id: str = field(default="", repr=False)
    url: str = ""
    # The network id of what it answers (an own post or another item) and of the thread's first post.
    parent_id: str = ""
    root_id: str = ""
    # A key that groups a conversation (direct messages: the network's conversation id).
    thread_key: str = ""
    media_urls: tuple[str, ...] = ()


@dataclass(frozen=True)
class InboxPage:
    """A batch of inbound items and the cursor to store once they are committed. ``more`` says that the
    next call with ``cursor`` has more right away (paging); the cursor is the adapter's own string."""

    items: tuple[InboundItem, ...]
    cursor: str
    more: bool = False
    # What this page cost: network requests (the read window), and the reads the network bills (X bills
    # every post read; elsewhere one per request) – counted against a channel's monthly budget.
    requests: int = 1
    billed_reads: int | None = None


@dataclass
class ChannelConfig:
    """What an adapter is built from: decrypted credentials and where the API lives.

    ``session`` is state the network handed out earlier (Bluesky's session string); when the adapter
    gets a new one it calls ``on_session_change(new_session)`` so the caller can store it (encrypted).
    """

    credentials: dict = field(default_factory=dict, repr=False)
    account: str = ""
    base_url: str = ""
    channel_id: int | None = None
    timeout: float = 30.0
    session: str = field(default="", repr=False)
    on_session_change: Callable[[str], None] | None = field(default=None, repr=False)


LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
MAX_SECRET_LENGTH = 4096


class NetworkAdapter:
    """One network. Subclasses implement ``_publish``, ``_delete`` and ``_check_credentials``; the
    public methods guarantee that nothing but :class:`PublishError` leaves the adapter."""

    kind: ClassVar[str]
    label: ClassVar[str]
    limits: ClassVar[NetworkLimits]
    # True where the network drops a repeated request with the same idempotency key, so a delivery
    # whose outcome is unknown may be sent again safely.
    deduplicates: ClassVar[bool] = False
    # Credential fields the admin form asks for (name -> label); validated by ``validate_config``.
    credential_fields: ClassVar[dict[str, str]] = {}
    # What ``Channel.account`` means for this network ("" = not used) and whether it is required.
    account_help: ClassVar[str] = ""
    account_required: ClassVar[bool] = False
    # The API's address when ``Channel.base_url`` is empty ("" = the channel must name one).
    default_base_url: ClassVar[str] = ""
    # What ``fetch_inbox`` reads (empty = the network offers nothing the inbox can read), and whether
    # each read costs money (X): such channels read only when switched on, within a monthly budget.
    reads: ClassVar[frozenset[InboundKind]] = frozenset()
    reads_are_paid: ClassVar[bool] = False
    # Reads the inbox may make per window (count, seconds): the network's read limit, with room for posting.
    reads_per_window: ClassVar[tuple[int, int] | None] = None
    # The fewest items a billed read may ask for (X: max_results ≥ 5): below that budget, reading stops.
    read_page_minimum: ClassVar[int] = 1
    # Which push endpoint may announce new items for this network ("meta" = the Facebook/Instagram webhook).
    webhook_source: ClassVar[str] = ""

    def __init__(self, config: ChannelConfig):
        self.config = config

    def __repr__(self):
        return f"<{type(self).__name__} channel={self.config.channel_id}>"

    # --- limits and validation (class level: used without credentials) ---------------------------

    @classmethod
    def count_length(cls, text: str) -> int:
        """The text's length counted the network's way."""
        return textlength.codepoints(text)

    @classmethod
    def shown_account(cls, account: str) -> str:
        """The account as people see it on the network, for previews ("" when the stored value is an
        internal id that nobody would recognise)."""
        return account

    @classmethod
    def validate_credentials(cls, credentials: dict) -> list[str]:
        """Return German error messages for malformed credentials (empty list = fine)."""
        errors = cls.validate_config(account="", base_url="", credentials=credentials, partial=True)
        return [message for messages in errors.values() for message in messages]

    @classmethod
    def validate_config(
        cls, *, account: str, base_url: str, credentials: dict, partial: bool = False
    ) -> dict[str, list[str]]:
        """German error messages by field name (``account``, ``base_url`` or a credential field).

        ``partial`` skips the checks of account and base URL (for ``validate_credentials``).
        """
        errors: dict[str, list[str]] = {}

        def add(name, message):
            errors.setdefault(name, []).append(message)

        for name, label in cls.credential_fields.items():
            value = credentials.get(name) or ""
            if not isinstance(value, str) or not value.strip():
                add(name, _("“%(field)s” is missing.") % {"field": label})
            elif len(value) > MAX_SECRET_LENGTH:
                add(name, _("“%(field)s” is too long.") % {"field": label})
            elif any(ch.isspace() for ch in value.strip()) or not value.strip().isprintable():
                add(name, _("“%(field)s” must not contain spaces or control characters.") % {"field": label})
        if partial:
            return errors
        if cls.account_required and not account.strip():
            add("account", _("The account is missing."))
        if base_url:
            parts = urlsplit(base_url)
            if parts.scheme not in {"http", "https"} or not parts.hostname:
                add("base_url", _("The API address must start with https:// and contain a server name."))
            elif parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
                add(
                    "base_url",
                    _("Unencrypted http addresses are only allowed for 127.0.0.1; please use https://."),
                )
            elif parts.query or parts.fragment or parts.username or parts.password:
                add("base_url", _("The API address must not contain parameters, anchors or credentials."))
            elif problem := address_problem(base_url):
                add("base_url", problem)
        elif not cls.default_base_url:
            add("base_url", _("This network needs the address of the server (e.g. https://social.example)."))
        errors_for_account = cls.validate_account(account.strip()) if account.strip() else []
        for message in errors_for_account:
            add("account", message)
        return errors

    @classmethod
    def validate_account(cls, account: str) -> list[str]:
        return []

    # --- composing -------------------------------------------------------------------------------

    @staticmethod
    def compose_text(content: PostContent) -> str:
        """The text as sent: the link is appended on its own line unless the text already contains it.

        Length checks should count this (networks that send the link separately override it)."""
        text = content.text.strip()
        if content.link and content.link not in text:
            return f"{text}\n\n{content.link}" if text else content.link
        return text

    @property
    def base_url(self) -> str:
        return (self.config.base_url or self.default_base_url).rstrip("/")

    def secrets(self) -> list[str]:
        """Every value that must never appear in a message (scrubbed from network answers)."""
        values = [v for v in self.config.credentials.values() if isinstance(v, str)]
        if self.config.session:
            values.append(self.config.session)
        return values

    # --- the interface -----------------------------------------------------------------------------

    def publish(self, content: PostContent) -> PublishedRef:
        """Publish ``content``; raises only PublishError. The post's link as the network returned it is
        kept only when it is an https address (``addresses.safe_link``)."""
        ref = self._guard("publish", lambda: self._publish(content), ErrorKind.UNCERTAIN)
        return replace(ref, url=safe_link(ref.url))

    def delete(self, external_id: str) -> None:
        """Delete a published post; raises only PublishError."""
        return self._guard("delete", lambda: self._delete(external_id), ErrorKind.RETRYABLE)

    def check_credentials(self) -> str:
        """Ask the network who we are; return its answer (account name) or raise PublishError."""
        return self._guard("check_credentials", self._check_credentials, ErrorKind.PERMANENT)

    def fetch_inbox(self, cursor: str, *, max_items: int | None = None) -> InboxPage:
        """The next batch of what citizens wrote after ``cursor`` ("" = start); raises only
        PublishError (a malformed answer is retryable: the cursor stays where it was). ``max_items``
        asks for at most that many (networks that bill reads honour it: X's monthly budget)."""
        if not self.reads:
            raise PublishError(
                _("%(network)s: reading comments and messages is not supported.") % {"network": self.label},
                kind=ErrorKind.PERMANENT,
            )
        return self._guard(
            "fetch_inbox", lambda: self._fetch_inbox(cursor or "", max_items=max_items), ErrorKind.RETRYABLE
        )

    def _fetch_inbox(self, cursor: str, *, max_items: int | None = None) -> InboxPage:
        raise NotImplementedError

    def _guard(self, operation: str, call, unknown_kind: ErrorKind):
        try:
            return call()
        except PublishError:
            raise
        except Exception as exc:  # a library failed in a way the adapter did not map
            # Only the type goes to the log and the message: library messages may quote a token.
            logger.warning(
                "%s adapter (channel %s): %s failed with unmapped %s",
                self.kind,
                self.config.channel_id,
                operation,
                type(exc).__name__,
            )
            raise PublishError(
                _("%(network)s: unexpected error (%(error)s).")
                % {"network": self.label, "error": type(exc).__name__},
                kind=unknown_kind,
            ) from None

    def _publish(self, content: PostContent) -> PublishedRef:
        raise NotImplementedError

    def _delete(self, external_id: str) -> None:
        raise NotImplementedError

    def _check_credentials(self) -> str:
        raise NotImplementedError

    # --- figures for the reports (reports.network) ----------------------------------------------------
    # The per-post metrics asked for, by the network's own names; the reports store them as given.
    post_metrics: ClassVar[tuple[str, ...]] = ()
    # Raised when the names asked for (or how they are read) change: stored with every snapshot.
    metrics_version: ClassVar[str] = "1"
    # Reading costs money (X): the reports read only within a configured monthly budget.
    metrics_cost_money: ClassVar[bool] = False

    def fetch_metrics(self, external_id: str) -> dict[str, int]:
        """The published post's figures by the network's metric names; a metric the network did not
        deliver is absent (never 0). Raises only PublishError."""
        return self._guard("fetch_metrics", lambda: self._fetch_metrics(external_id), ErrorKind.RETRYABLE)

    def fetch_followers(self) -> int | None:
        """The account's followers, None where the network does not deliver them. Raises only PublishError."""
        return self._guard("fetch_followers", self._fetch_followers, ErrorKind.RETRYABLE)

    def _fetch_metrics(self, external_id: str) -> dict[str, int]:
        return {}

    def _fetch_followers(self) -> int | None:
        return None

    @staticmethod
    def counts_from(answer, names) -> dict[str, int]:
        """The whole-number values of ``names`` in a network's answer (a mapping); absent or not a
        number → left out, so that "not delivered" never turns into 0."""
        found = {}
        for name in names:
            value = answer.get(name) if hasattr(answer, "get") else None
            if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                found[name] = value
        return found

    # --- acting on what citizens write (replies, moderation) ----------------------------------------
    # Added after the publishing interface on purpose (the inbox adds its reads next to these).
    # What a network allows is declared once per adapter in ``interactions``; pages and services ask
    # the registry (``registry.interactions(kind)``) and never branch on the network kind.

    interactions: ClassVar[Interactions]  # set below the class (the dataclass is defined after it)

    def reply(self, target: ItemRef, content: PostContent, *, direct: bool = False) -> PublishedRef:
        """Answer ``target`` on the network: publicly in its thread, or – with ``direct`` or when
        ``target`` is itself a direct message – as a direct message. Raises only PublishError; an
        unknown outcome is ``uncertain`` (``retryable`` where the network deduplicates)."""
        direct = direct or target.direct
        allowed = self.interactions.reply_direct if direct else self.interactions.reply
        if not allowed:
            raise self._not_possible("reply_direct" if direct else "reply")
        if (
            direct
            and not target.author_id
            and self.interactions.needs_author_id("reply_direct", target.direct)
        ):
            raise author_id_unknown(self.label, "reply_direct")
        return self._guard("reply", lambda: self._reply(target, content, direct=direct), ErrorKind.UNCERTAIN)

    def hide(self, target: ItemRef) -> None:
        """Hide a citizen's comment/reply from the public (it stays visible to its author)."""
        if not self.interactions.hide:
            raise self._not_possible("hide")
        return self._guard("hide", lambda: self._set_hidden(target, True), ErrorKind.RETRYABLE)

    def unhide(self, target: ItemRef) -> None:
        if not self.interactions.unhide:
            raise self._not_possible("unhide")
        return self._guard("unhide", lambda: self._set_hidden(target, False), ErrorKind.RETRYABLE)

    def delete_comment(self, target: ItemRef) -> None:
        """Delete a citizen's comment under the county's post (cannot be undone)."""
        if not self.interactions.delete:
            raise self._not_possible("delete")
        return self._guard("delete_comment", lambda: self._delete_comment(target), ErrorKind.RETRYABLE)

    def report(self, target: ItemRef, *, comment: str = "", forward: bool = False) -> str:
        """Report ``target`` to the moderators of the author's server; returns the report's id."""
        if not self.interactions.report:
            raise self._not_possible("report")
        if not target.author_id and self.interactions.needs_author_id("report", target.direct):
            raise author_id_unknown(self.label, "report")
        return self._guard(
            "report", lambda: self._report(target, comment=comment, forward=forward), ErrorKind.RETRYABLE
        )

    def _not_possible(self, action: str) -> PublishError:
        return PublishError(
            _("%(network)s: %(action)s is not possible on this network.")
            % {"network": self.label, "action": action_label(action)},
            kind=ErrorKind.PERMANENT,
        )

    def _reply(self, target: ItemRef, content: PostContent, *, direct: bool) -> PublishedRef:
        raise NotImplementedError

    def _set_hidden(self, target: ItemRef, hidden: bool) -> None:
        raise NotImplementedError

    def _delete_comment(self, target: ItemRef) -> None:
        raise NotImplementedError

    def _report(self, target: ItemRef, *, comment: str, forward: bool) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class Interactions:
    """What the county's account may do with citizens' items on one network."""

    reply: bool = False  # answer publicly in the thread
    reply_direct: bool = False  # answer as a direct message (a DM, or privately to a public comment)
    hide: bool = False  # hide a comment/reply from the public
    unhide: bool = False
    delete: bool = False  # delete a citizen's comment
    report: bool = False  # report to the moderators of the author's server
    # A repeated reply with the same key is dropped by the network (Mastodon's Idempotency-Key):
    # a reply whose outcome is unknown may be sent again.
    reply_deduplicates: bool = False
    # Where hiding works, in German for the page ("" = everywhere the reply box offers it).
    hide_scope: str = ""
    # What is addressed to the author's account id (``ItemRef.author_id``) rather than to the item:
    # a direct answer to a public item (X: a DM to the author), a direct answer to a direct message
    # (Messenger, Instagram Messaging: to the sender's scoped id), a report (Mastodon: the account).
    direct_to_author: bool = False
    dm_to_author: bool = False
    report_names_author: bool = False

    def needs_author_id(self, action: str, item_is_direct: bool = False) -> bool:
        """Whether ``action`` ("reply_direct" or "report") on an item needs the author's account id."""
        if action == "reply_direct":
            return self.direct_to_author or (item_is_direct and self.dm_to_author)
        if action == "report":
            return self.report_names_author
        return False

    @property
    def moderation(self) -> tuple[str, ...]:
        """The moderation actions offered on the conversation page, in order."""
        return tuple(name for name in ("hide", "unhide", "delete", "report") if getattr(self, name))


NetworkAdapter.interactions = Interactions()  # the default: a network we can only publish to


@dataclass(frozen=True)
class ItemRef:
    """A citizen's item on the network, with what the actions need to address it."""

    external_id: str  # Mastodon status id, Graph comment id, Bluesky AT-URI, tweet id
    cid: str = ""  # Bluesky: the item's record CID (fetched when empty)
    root_id: str = ""  # Bluesky: the thread's root post (AT-URI); empty = the item is the root
    root_cid: str = ""
    author_id: str = ""  # the author's account id on the network (Mastodon report, X DM, Messenger)
    author_handle: str = ""  # Mastodon: acct to mention so that the author sees the answer
    direct: bool = False  # the item is a direct message: answers go back the same way

    def __repr__(self):  # no handles in logs
        return f"ItemRef({self.external_id!r}, direct={self.direct})"


def author_id_unknown(network: str, action: str) -> PublishError:
    """The refusal when an action needs the author's account id and the item has none (an item read
    before the id was stored, or a network answer without it). Permanent: sending again cannot help."""
    message = (
        _("the author's account id is unknown; cannot report.")
        if action == "report"
        else _("the author's account id is unknown; cannot send a message.")
    )
    return PublishError(f"{network}: {message}", kind=ErrorKind.PERMANENT)


def action_label(action: str) -> str:
    return {
        "reply": _("replying"),
        "reply_direct": _("a direct message"),
        "hide": _("hiding"),
        "unhide": _("showing again"),
        "delete": _("deleting"),
        "report": _("reporting"),
    }.get(action, action)
