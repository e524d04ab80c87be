"""Sandbox: "publishes" into the local feed page ``/publishing/sandbox/`` (the embedded default and
the demo use it). Posts are rows of :class:`channels.models.SandboxPost`; like Mastodon, the sandbox
honours the idempotency key (a repeated key returns the post it already made)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

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
from .registry import register

# The sandbox's comment section. What demo citizens write on the sandbox feed is stored by the inbox app
# (it owns the table and registers the source when it starts); the adapter reads it like a network's
# comment API: ``source(channel_id, after, limit) -> [(sequence, InboundItem), …]`` oldest first.
CommentSource = Callable[[int, int, int], list[tuple[int, InboundItem | None]]]  # None: skip, cursor moves
_comment_source: CommentSource | None = None


def set_comment_source(source: CommentSource | None) -> None:
    global _comment_source
    _comment_source = source


@register
class SandboxAdapter(NetworkAdapter):
    kind = "sandbox"
    label = _("Sandbox (local test channel)")
    limits = NetworkLimits(max_length=5000, alt_text_max=2000, requires_media=False, posts_per_window=None)
    deduplicates = True
    default_base_url = "local"  # no server: nothing to configure
    reads = frozenset({InboundKind.COMMENT, InboundKind.REPLY})
    PAGE_SIZE = 100

    @classmethod
    def count_length(cls, text: str) -> int:
        return textlength.codepoints(text)

    @classmethod
    def validate_config(cls, *, account, base_url, credentials, partial=False):
        if base_url and not partial:
            return {"base_url": [gettext("The sandbox channel has no API address; please leave it empty.")]}
        return {}

    @staticmethod
    def post_url(pk: int) -> str:
        return settings.SITE_URL + reverse("publishing:sandbox_post", args=[pk])

    def _channel_id(self) -> int:
        if not self.config.channel_id:
            raise PublishError("Sandbox: " + gettext("no channel given."), kind=ErrorKind.PERMANENT)
        return self.config.channel_id

    def _publish(self, content: PostContent) -> PublishedRef:
        from channels.models import SandboxPost

        channel_id = self._channel_id()
        fields = {
            "text": self.compose_text(content),
            "link": content.link,
            "language": content.language or "de",
            "media": [
                {"path": item.path, "alt_text": item.alt_text, "kind": item.kind, "mime_type": item.mime_type}
                for item in content.media
            ],
        }
        try:
            with transaction.atomic():
                if content.idempotency_key:
                    post, _created = SandboxPost.objects.get_or_create(
                        channel_id=channel_id, idempotency_key=content.idempotency_key[:100], defaults=fields
                    )
                else:
                    post = SandboxPost.objects.create(channel_id=channel_id, **fields)
        except IntegrityError:  # two workers with the same key at once: the other one won
            post = SandboxPost.objects.get(
                channel_id=channel_id, idempotency_key=content.idempotency_key[:100]
            )
        except DatabaseError:
            raise PublishError(
                "Sandbox: " + gettext("database not reachable."), kind=ErrorKind.RETRYABLE
            ) from None
        return PublishedRef(external_id=str(post.pk), url=self.post_url(post.pk))

    def _delete(self, external_id: str) -> None:
        from channels.models import SandboxPost

        updated = SandboxPost.objects.filter(
            channel_id=self._channel_id(), pk=int(external_id), deleted_at__isnull=True
        ).update(deleted_at=timezone.now())
        if not updated and not SandboxPost.objects.filter(pk=int(external_id)).exists():
            raise PublishError(
                "Sandbox: " + gettext("post not found."), kind=ErrorKind.PERMANENT, status_code=404
            )

    def _check_credentials(self) -> str:
        from channels.models import Channel

        channel = Channel.objects.filter(pk=self._channel_id()).first()
        if channel is None:
            raise PublishError("Sandbox: " + gettext("channel not found."), kind=ErrorKind.PERMANENT)
        return str(channel.name)

    def _fetch_inbox(self, cursor: str, *, max_items: int | None = None) -> InboxPage:
        after = int(cursor) if cursor.isdigit() else 0
        if _comment_source is None:
            return InboxPage(items=(), cursor=str(after), more=False, requests=0)
        try:
            rows = _comment_source(self._channel_id(), after, self.PAGE_SIZE)
        except DatabaseError:
            raise PublishError(
                "Sandbox: " + gettext("database not reachable."), kind=ErrorKind.RETRYABLE
            ) from None
        newest = max([after, *(sequence for sequence, _item in rows)])
        return InboxPage(
            items=tuple(item for _sequence, item in rows if item is not None),
            cursor=str(newest),
            more=len(rows) >= self.PAGE_SIZE,
        )

    # --- replies and moderation (what citizens write) ------------------------------------------------
    # The sandbox answers like Mastodon (a repeated key returns the reply it already made) and hides
    # and deletes like Facebook, in the comment section the inbox registers (``set_comment_sink``).

    interactions = Interactions(reply=True, hide=True, unhide=True, delete=True, reply_deduplicates=True)

    def _reply(self, target: ItemRef, content: PostContent, *, direct: bool) -> PublishedRef:
        try:
            network_id, url = _sink().reply(
                self._channel_id(), target.external_id, self.compose_text(content), content.idempotency_key
            )
        except LookupError:
            raise PublishError(
                "Sandbox: " + gettext("comment not found."), kind=ErrorKind.PERMANENT, status_code=404
            ) from None
        except DatabaseError:
            raise PublishError(
                "Sandbox: " + gettext("database not reachable."), kind=ErrorKind.RETRYABLE
            ) from None
        return PublishedRef(external_id=network_id, url=url)

    def _set_hidden(self, target: ItemRef, hidden: bool) -> None:
        _sink().set_hidden(self._channel_id(), target.external_id, hidden)

    def _delete_comment(self, target: ItemRef) -> None:
        _sink().delete(self._channel_id(), target.external_id)


# --- replies and moderation on the sandbox (issue 16) -------------------------------------------------
# The inbox app owns the comment table and registers what answering and hiding do there, as it does for
# reading: ``sink.reply(channel_id, target_network_id, text, key) -> (network_id, url)``,
# ``sink.set_hidden(channel_id, network_id, hidden)``, ``sink.delete(channel_id, network_id)``.
_comment_sink = None


def set_comment_sink(sink) -> None:
    global _comment_sink
    _comment_sink = sink


def _sink():
    if _comment_sink is None:
        raise PublishError("Sandbox: " + gettext("no comment section registered."), kind=ErrorKind.PERMANENT)
    return _comment_sink
