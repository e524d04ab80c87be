"""Claiming a delivery for a worker: checks, the rate limiter, the conditional UPDATE, the content."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from channels.models import Channel, RolloutPhase
from channels.networks import registry
from channels.networks.base import ErrorKind, MediaItem, PostContent, PublishError
from posts.models import Media, Post, PostVariant
from posts.selectors import media_public_url

from ..models import Delivery, DeliveryAttempt
from .common import (
    SENDABLE_POST_STATUSES,
    Claim,
    KeyWindowPassed,
    Status,
    Wait,
    _start_attempt,
    idempotency_window_passed,
    queued_until,
    rate_limit_for,
)


def _media_item(media: Media) -> MediaItem:
    if settings.PUBLIC_MEDIA_URL:
        public_url = settings.PUBLIC_MEDIA_URL.rstrip("/") + "/" + media.file.name
    else:
        public_url = media_public_url(media)
    return MediaItem(
        path=media.file.path,
        mime_type=media.mime_type,
        alt_text=media.alt_text,
        kind=media.kind,
        public_url=public_url,
        captions_path=media.captions.path if media.captions else "",
    )


def build_content(
    post: Post, channel: Channel, delivery_id: int, *, variant: str | None = None, has_media: bool = True
) -> PostContent:
    """What goes out on ``channel``: its text variant (or the main text), the link, the media; the
    delivery's id is the idempotency key. (``variant``/``has_media``: already read by the caller.)"""
    if variant is None:
        variant = (
            PostVariant.objects.filter(post=post, channel=channel).values_list("text", flat=True).first()
        )
    media = post.media.order_by("position", "pk") if has_media else ()
    return PostContent(
        text=(variant or "").strip() or post.text,
        link=post.link,
        media=tuple(_media_item(m) for m in media),
        language="de",
        idempotency_key=str(delivery_id),
    )


def _window_wait(channel: Channel, limit: tuple[int, int], now: datetime) -> datetime | None:
    """With the channel row locked: None if one more post fits into the window, else when it will."""
    count, seconds = limit
    since = now - timedelta(seconds=seconds)
    recent = DeliveryAttempt.objects.filter(
        channel=channel, operation=DeliveryAttempt.Operation.PUBLISH, started_at__gt=since
    )
    used = recent.count()
    if used < count:
        return None
    # The slot frees up when the (used - count + 1)-th oldest attempt leaves the window.
    oldest = recent.order_by("started_at").values_list("started_at", flat=True)[used - count]
    return oldest + timedelta(seconds=seconds)


@transaction.atomic
def delivery_claim(*, delivery_id: int, worker: str) -> Claim | Wait | KeyWindowPassed | None:
    """Claim the delivery for ``worker``, or say why not (None: nothing to do; Wait: rate limit).

    One statement reads the delivery with its post, channel, text variant and whether the post has
    media, and locks the post's row and then the channel's (the lock order): the post so that an edit
    (back to review) cannot slip between the check and the content, the channel so that its claims
    queue – counting the posting window and claiming happen under that lock, exact across workers.
    Never audited here (the outcome is): the claim holds the channel lock.
    """
    now = timezone.now()
    active = RolloutPhase.objects.filter(channels=OuterRef("channel_id"), status=RolloutPhase.Status.ACTIVE)
    variant = PostVariant.objects.filter(post=OuterRef("post_id"), channel=OuterRef("channel_id"))
    delivery = (
        Delivery.objects.select_related("post", "channel")
        .select_for_update(of=("post", "channel"))
        .annotate(
            channel_in_active_phase=Exists(active),
            variant_text=Subquery(variant.values("text")[:1]),
            has_media=Exists(Media.objects.filter(post=OuterRef("post_id"))),
        )
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None or delivery.status not in Delivery.CLAIMABLE:
        return None
    if delivery.next_attempt_at is None or delivery.next_attempt_at > now:
        return None
    channel, post = delivery.channel, delivery.post
    if channel.needs_attention or not (channel.enabled and delivery.channel_in_active_phase):
        return None  # it waits: the sweep queues it again once the channel is fine
    if post.status not in SENDABLE_POST_STATUSES:
        return None
    if post.planned_at and post.planned_at > now:
        return None  # never early, whatever a stale message says
    if (
        delivery.attempt_count
        and registry.get(channel.kind).deduplicates
        and idempotency_window_passed(delivery, now)
    ):
        return KeyWindowPassed()  # checked here too: a retry may have waited far longer than planned
    limit = rate_limit_for(channel.kind)
    if limit:
        # The window is counted by a statement of its own: it sees every claim committed before ours
        # got the channel's lock (a subquery of the locking statement would not).
        until = _window_wait(channel, limit, now)
        if until is not None:
            Delivery.objects.filter(
                pk=delivery_id, status__in=Delivery.CLAIMABLE, next_attempt_at__lt=until
            ).update(next_attempt_at=until, enqueued_at=queued_until(until, now), updated_at=now)
            return Wait(until)
    number = delivery.attempt_count + 1
    claimed = Delivery.objects.filter(
        pk=delivery_id,
        status__in=Delivery.CLAIMABLE,
        next_attempt_at__lte=now,
        attempt_count=delivery.attempt_count,
    ).update(
        status=Status.SENDING,
        # Short, and renewed by the worker while it lives (tasks.LeaseKeeper): a dead worker is noticed
        # after PUBLISHING_LEASE_RENEW_SECONDS, not after the whole lease (issue 14).
        lease_until=now + timedelta(seconds=settings.PUBLISHING_LEASE_RENEW_SECONDS),
        worker=worker[:200],
        attempt_count=number,
        attempts_in_round=F("attempts_in_round") + 1,
        updated_at=now,
    )
    if claimed != 1:
        return None  # another worker was faster
    attempt_id = _start_attempt(
        delivery_id=delivery_id,
        channel=channel,
        number=number,
        operation=DeliveryAttempt.Operation.PUBLISH,
        worker=worker,
        now=now,
    )
    return Claim(
        delivery_id=delivery_id,
        attempt_id=attempt_id,
        number=number,
        channel=channel,
        post_id=post.pk,
        content=build_content(
            post, channel, delivery_id, variant=delivery.variant_text or "", has_media=delivery.has_media
        ),
    )


def delivery_renew_lease(*, delivery_id: int, number: int, worker: str, until) -> bool:
    """The worker that holds attempt ``number`` is alive: its lease lasts until ``until``. One
    conditional UPDATE (nothing when the attempt was settled or taken over meanwhile)."""
    return (
        Delivery.objects.filter(
            pk=delivery_id, status=Status.SENDING, attempt_count=number, worker=worker[:200]
        ).update(lease_until=until)
        == 1
    )


def preflight_error(adapter_class, content: PostContent) -> PublishError | None:
    """What the network would refuse anyway, said before anything is sent (German, with numbers)."""
    length = adapter_class.count_length(adapter_class.compose_text(content))
    if length > adapter_class.limits.max_length:
        return PublishError(
            _("%(network)s: the text is too long (%(length)s of %(max)s characters).")
            % {"network": adapter_class.label, "length": length, "max": adapter_class.limits.max_length},
            kind=ErrorKind.PERMANENT,
        )
    if adapter_class.limits.requires_media and not content.media:
        return PublishError(
            _("%(network)s: a post needs an image or a video.") % {"network": adapter_class.label},
            kind=ErrorKind.PERMANENT,
        )
    return None
