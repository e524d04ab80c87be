"""Deliveries: every write from the approval to the post on the network (and back off it).

The database is the source of truth (DESIGN.md "Publishing guarantees"); the broker only wakes
workers. The life of a delivery::

    approval ─▶ pending ─claim─▶ sending ─▶ published ─withdraw─▶ withdrawing ─▶ withdrawn
                  ▲  ▲             │ ├──▶ retrying (backoff; claimable again when due)
                  │  └── sweep ────┘ ├──▶ failed     (refused: the network's message; "retry")
                  │   (lease expired,└──▶ uncertain  (maybe sent: a person checks; "retry anyway"
                  │    network dedups)                 or "mark published" with the URL)
                  └───────────── retry by a person ──────────┘

- :func:`deliveries_create_for_post` runs in the approval's transaction (approvals calls it).
- :func:`delivery_claim` is one conditional UPDATE (``pending/retrying`` and due → ``sending``
  with a lease and the worker's id); whoever updates no row has nothing to do. Channels with a
  posting limit are locked during the claim and their attempts in the window counted, so the limit
  holds across any number of workers (and on SQLite, whose writers queue anyway).
- The network call happens outside any transaction (``publishing.tasks``); the outcome is written
  by :func:`delivery_record_outcome` in one short transaction, audited, and the post's status
  follows its deliveries (``posts.services.post_mark_*``).
- :func:`deliveries_sweep` (beat, every ``PUBLISHING_SWEEP_SECONDS``) turns expired leases into
  ``uncertain`` – or ``retrying`` where the network deduplicates by the idempotency key – and
  queues every due delivery.

Lock order, to stay free of deadlocks: post row → channel row → delivery row → audit chain head.
Rows read along with a locked row (``select_related``) are not locked (``of=("self",)``): the post's
author and department, a delivery's channel.
The claim never writes an audit event (it holds the channel lock), and an outcome never locks the
channel (a credentials problem is flagged on the channel in a transaction of its own afterwards).
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.audit import audit_record
from approvals.models import Notification
from approvals.notifications import notify
from departments import roles
from posts import services as post_services
from posts.models import Media, Post, PostVariant

from .models import Channel, Delivery, DeliveryAttempt, RolloutPhase
from .networks import registry
from .networks.base import ErrorKind, MediaItem, PostContent, PublishedRef, PublishError
from .selectors import channels_for_department

logger = logging.getLogger(__name__)

Status = Delivery.Status
Outcome = DeliveryAttempt.Outcome

# Posts whose deliveries may go out: approved and not taken back (an approved post that is edited
# goes back to review – its pending deliveries wait for the new approval).
SENDABLE_POST_STATUSES = (
    Post.Status.APPROVED,
    Post.Status.SCHEDULED,
    Post.Status.PUBLISHING,
    Post.Status.PUBLISHED,
    Post.Status.PARTIALLY_FAILED,
    Post.Status.FAILED,
)
REASON_MAX_LENGTH = 2000


# --- helpers ---------------------------------------------------------------------------------------------


def rate_limit_for(kind: str) -> tuple[int, int] | None:
    """(posts, seconds) the channel kind must stay under: the settings' override, else the adapter's."""
    override = settings.PUBLISHING_RATE_LIMITS.get(kind)
    if override:
        return override
    return registry.get(kind).limits.posts_per_window


def backoff_seconds(attempt: int, retry_after: float | None = None) -> float:
    """Full jitter (a random wait between 0 and ``base × 2^(attempt-1)``, capped), at least one
    second, and never shorter than the network's own ``retry_after``."""
    ceiling = min(
        settings.PUBLISHING_RETRY_MAX_SECONDS,
        settings.PUBLISHING_RETRY_BASE_SECONDS * 2 ** max(0, attempt - 1),
    )
    wait = max(1.0, random.uniform(0, ceiling))  # noqa: S311 - jitter, not cryptography
    if retry_after is not None:
        wait = max(wait, float(retry_after) + random.uniform(0, 1))  # noqa: S311
    return wait


def _is_coordinator(user) -> bool:
    return user is not None and user.is_authenticated and roles.is_coordinator(user)


def _require_coordinator(user) -> None:
    if not _is_coordinator(user):
        raise PermissionDenied(_("Only the coordination may retry or withdraw deliveries."))


def _enqueue_after_commit(delivery_ids, *, task: str = "deliver", countdown: float | None = None) -> None:
    ids = list(delivery_ids)
    if not ids:
        return

    def send():
        from . import tasks

        for delivery_id in ids:
            tasks.enqueue(delivery_id, task=task, countdown=countdown)

    transaction.on_commit(send)


def _audit(
    delivery: Delivery, verb: str, *, actor=None, after: dict | None = None, comment: str = ""
) -> None:
    audit_record(
        actor=actor,
        verb=verb,
        obj=delivery,
        post_id=delivery.post_id,
        after={"channel": delivery.channel.name, "status": delivery.status, **(after or {})},
        comment=comment,
    )


def _coordinators():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(groups__name=roles.KOORDINATION, is_active=True).distinct()


def _administrators():
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(Q(groups__name=roles.ADMINISTRATION) | Q(is_superuser=True), is_active=True)
        .distinct()
    )


def _notify(kind: str, delivery: Delivery, post: Post, message: str) -> None:
    """The author and the coordination (for a channel problem also the administration), with the
    network's message."""
    recipients = [post.author, *_coordinators()]
    if kind == Notification.Kind.CHANNEL_ATTENTION:
        recipients += list(_administrators())
    notify(
        kind=kind,
        post=post,
        recipients=recipients,
        actor=None,
        comment=message,
        data={"channel": delivery.channel.name, "delivery": delivery.pk},
    )


# --- creation (in the approval's transaction) -------------------------------------------------------------


@transaction.atomic
def deliveries_create_for_post(*, actor, post: Post) -> list[Delivery]:
    """One delivery per live channel of the approved ``post`` (called by approvals on the last step).

    ``due_at`` is the planned time, or now. Deliveries that wait from an earlier approval (the post was
    edited and approved again) are reused with the new time; those for channels the post no longer
    has are withdrawn. Channels chosen for the post that are not live any more are skipped (and named
    in the audit event). Deliveries due now are queued when the approval commits.
    """
    now = timezone.now()
    post = Post.objects.select_for_update().get(pk=post.pk)
    if post.status not in (Post.Status.APPROVED, Post.Status.SCHEDULED):
        raise post_services.InvalidTransition(
            _("Only approved posts are published (the post is “%(status)s”).")
            % {"status": post.get_status_display()}
        )
    due = post.planned_at if post.planned_at and post.planned_at > now else now
    chosen = list(post.channels.all())
    live_ids = set(channels_for_department(post.department).values_list("pk", flat=True))
    channels = [c for c in chosen if c.pk in live_ids]
    existing = {d.channel_id: d for d in Delivery.objects.select_for_update().filter(post=post)}
    result = []
    for channel in channels:
        delivery = existing.pop(channel.pk, None)
        if delivery is None:
            delivery = Delivery.objects.create(
                post=post, channel=channel, status=Status.PENDING, due_at=due, next_attempt_at=due
            )
            delivery.channel = channel
            _audit(delivery, "delivery.created", actor=actor, after={"due_at": due})
        elif delivery.status in Delivery.CLAIMABLE:
            delivery.status = Status.PENDING
            delivery.due_at = delivery.next_attempt_at = due
            delivery.attempts_in_round = 0
            delivery.enqueued_at = None
            delivery.save(
                update_fields=[
                    "status",
                    "due_at",
                    "next_attempt_at",
                    "attempts_in_round",
                    "enqueued_at",
                    "updated_at",
                ]
            )
            _audit(delivery, "delivery.rescheduled", actor=actor, after={"due_at": due})
        result.append(delivery)
    for delivery in existing.values():  # the channel was removed from the post in the meantime
        if delivery.status in Delivery.CLAIMABLE:
            delivery.status = Status.WITHDRAWN
            delivery.withdrawn_at = now
            delivery.next_attempt_at = None
            delivery.save(update_fields=["status", "withdrawn_at", "next_attempt_at", "updated_at"])
            _audit(
                delivery,
                "delivery.withdrawn",
                actor=actor,
                comment=_("The channel was removed from the post."),
            )
    skipped = sorted(c.name for c in chosen if c.pk not in live_ids)
    if skipped:
        audit_record(
            actor=actor,
            verb="deliveries.channels_skipped",
            obj=post,
            post_id=post.pk,
            after={"channels": skipped},
            comment=_("These channels are not live (switched off or not in an active phase)."),
        )
    due_now = [d.pk for d in result if d.status == Status.PENDING and d.next_attempt_at <= now]
    _mark_enqueued(due_now, now)
    _enqueue_after_commit(due_now)
    soon = [
        d
        for d in result
        if d.status == Status.PENDING
        and now < d.next_attempt_at <= now + timedelta(seconds=settings.PUBLISHING_MAX_COUNTDOWN_SECONDS)
    ]
    for delivery in soon:  # planned within the next minutes: a countdown is more punctual than the sweep
        _mark_enqueued([delivery.pk], delivery.next_attempt_at)
        _enqueue_after_commit([delivery.pk], countdown=(delivery.next_attempt_at - now).total_seconds())
    return result


@transaction.atomic
def deliveries_reschedule_for_post(*, actor, post: Post) -> int:
    """The post's planned time changed (Koordination rescheduled it): waiting deliveries follow."""
    now = timezone.now()
    due = post.planned_at if post.planned_at and post.planned_at > now else now
    waiting = list(
        Delivery.objects.select_for_update(of=("self",))
        .select_related("channel")
        .filter(post_id=post.pk, status__in=Delivery.CLAIMABLE)
    )
    for delivery in waiting:
        delivery.due_at = delivery.next_attempt_at = due
        delivery.enqueued_at = None
        delivery.save(update_fields=["due_at", "next_attempt_at", "enqueued_at", "updated_at"])
        _audit(delivery, "delivery.rescheduled", actor=actor, after={"due_at": due})
    due_now = [d.pk for d in waiting if due <= now]
    _mark_enqueued(due_now, now)
    _enqueue_after_commit(due_now)
    return len(waiting)


def _mark_enqueued(ids, when: datetime) -> None:
    if ids:
        Delivery.objects.filter(pk__in=list(ids)).update(enqueued_at=when)


# --- claim, send, record ------------------------------------------------------------------------------------


@dataclass
class Claim:
    """What a worker holds while it sends: the delivery's id, the attempt, what to send where."""

    delivery_id: int
    attempt_id: int
    number: int
    channel: Channel
    post_id: int
    content: PostContent | None = None
    external_id: str = ""
    operation: str = DeliveryAttempt.Operation.PUBLISH


@dataclass
class Wait:
    """The channel's posting limit is reached: the delivery may be claimed again at ``until``."""

    until: datetime


@dataclass
class Result:
    status: str
    # Queue the delivery again at this time (a retry) / queue its deletion (withdrawn while sending).
    retry_at: datetime | None = None
    withdraw: bool = False
    # The network refused the channel's credentials (message): the channel needs attention.
    channel_problem: str = ""


def _media_item(media: Media) -> MediaItem:
    from posts.selectors import media_public_url

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
def delivery_claim(*, delivery_id: int, worker: str) -> Claim | Wait | None:
    """Claim the delivery for ``worker``, or say why not (None: nothing to do; Wait: rate limit).

    Never audited here (the outcome is): the claim holds the channel lock of rate-limited channels.
    """
    now = timezone.now()
    active = RolloutPhase.objects.filter(channels=OuterRef("channel_id"), status=RolloutPhase.Status.ACTIVE)
    variant = PostVariant.objects.filter(post=OuterRef("post_id"), channel=OuterRef("channel_id"))
    delivery = (
        Delivery.objects.select_related("channel")
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
    channel = delivery.channel
    if channel.needs_attention or not (channel.enabled and delivery.channel_in_active_phase):
        return None  # it waits: the sweep queues it again once the channel is fine
    # The post is locked so that an edit (back to review) cannot slip between check and content.
    post = Post.objects.select_for_update().get(pk=delivery.post_id)
    if post.status not in SENDABLE_POST_STATUSES:
        return None
    if post.planned_at and post.planned_at > now:
        return None  # never early, whatever a stale message says
    limit = rate_limit_for(channel.kind)
    if limit:
        # Serialises the claims of this channel: count and claim happen under one lock.
        locked = Channel.objects.select_for_update().filter(pk=channel.pk).values("attention_since").get()
        if locked["attention_since"] is not None:
            return None
        until = _window_wait(channel, limit, now)
        if until is not None:
            Delivery.objects.filter(
                pk=delivery_id, status__in=Delivery.CLAIMABLE, next_attempt_at__lt=until
            ).update(next_attempt_at=until, enqueued_at=until, updated_at=now)
            return Wait(until)
    number = delivery.attempt_count + 1
    claimed = Delivery.objects.filter(
        pk=delivery_id,
        status__in=Delivery.CLAIMABLE,
        next_attempt_at__lte=now,
        attempt_count=delivery.attempt_count,
    ).update(
        status=Status.SENDING,
        lease_until=now + timedelta(seconds=settings.PUBLISHING_LEASE_SECONDS),
        worker=worker[:200],
        attempt_count=number,
        attempts_in_round=F("attempts_in_round") + 1,
        updated_at=now,
    )
    if claimed != 1:
        return None  # another worker was faster
    attempt = DeliveryAttempt.objects.create(
        delivery_id=delivery_id,
        channel=channel,
        number=number,
        operation=DeliveryAttempt.Operation.PUBLISH,
        started_at=now,
        worker=worker[:200],
    )
    return Claim(
        delivery_id=delivery_id,
        attempt_id=attempt.pk,
        number=number,
        channel=channel,
        post_id=post.pk,
        content=build_content(
            post, channel, delivery_id, variant=delivery.variant_text or "", has_media=delivery.has_media
        ),
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


def _finish_attempt(claim: Claim, now: datetime, *, outcome: str, duration_ms: int, error=None) -> None:
    DeliveryAttempt.objects.filter(pk=claim.attempt_id).update(
        finished_at=now,
        duration_ms=max(0, int(duration_ms)),
        outcome=outcome,
        error=(error.message if error is not None else "")[:2000],
        status_code=getattr(error, "status_code", None),
    )


def delivery_record_outcome(
    *,
    claim: Claim,
    ref: PublishedRef | None,
    error: PublishError | None,
    duration_ms: int,
    deduplicates: bool,
) -> Result:
    """Write what came of one attempt (one short transaction, audited); the post's status follows.
    A credentials problem then marks the channel as needing attention (its own transaction)."""
    result = _record_outcome(
        claim=claim, ref=ref, error=error, duration_ms=duration_ms, deduplicates=deduplicates
    )
    if result.channel_problem:
        _channel_needs_attention(claim, result.channel_problem)
    return result


@transaction.atomic
def _channel_needs_attention(claim: Claim, message: str) -> None:
    first = Channel.objects.filter(pk=claim.channel.pk, attention_since__isnull=True).update(
        attention_since=timezone.now(), attention_message=message[:500]
    )
    if not first:
        return
    audit_record(
        actor=None, verb="channel.needs_attention", obj=claim.channel, after={"message": message[:500]}
    )
    delivery = Delivery.objects.select_related("channel").get(pk=claim.delivery_id)
    post = Post.objects.select_related("author").get(pk=claim.post_id)
    _notify(Notification.Kind.CHANNEL_ATTENTION, delivery, post, message)


@transaction.atomic
def _record_outcome(*, claim, ref, error, duration_ms, deduplicates) -> Result:
    now = timezone.now()
    post = Post.objects.select_for_update().get(pk=claim.post_id)  # the post first: see the lock order
    delivery = (
        Delivery.objects.select_for_update(of=("self",)).select_related("channel").get(pk=claim.delivery_id)
    )
    ours = delivery.attempt_count == claim.number and delivery.status == Status.SENDING
    # The sweep gave up on this attempt (lease expired → uncertain): a late success still settles it.
    late = ref is not None and delivery.attempt_count == claim.number and delivery.status == Status.UNCERTAIN
    if not (ours or late):
        outcome = Outcome.PUBLISHED if ref else _attempt_outcome(error, deduplicates)
        _finish_attempt(claim, now, outcome=outcome, duration_ms=duration_ms, error=error)
        _audit(
            delivery,
            "delivery.late_answer",
            after={
                "attempt": claim.number,
                "outcome": outcome,
                "external_id": ref.external_id if ref else "",
            },
        )
        return Result(delivery.status)

    delivery.lease_until = None
    result = Result(delivery.status)
    # The audit events go last: the audit trail's chain head is one lock for everybody, held from the
    # first event to the commit – the shorter, the more workers can record at once.
    audits: list[tuple[str, dict]] = []
    if ref is not None:
        _finish_attempt(claim, now, outcome=Outcome.PUBLISHED, duration_ms=duration_ms)
        delivery.status = Status.PUBLISHED
        delivery.external_id = ref.external_id[:300]
        delivery.external_url = (ref.url or "")[:2000]
        delivery.published_at = now
        delivery.next_attempt_at = None
        delivery.last_error = ""
        if delivery.withdraw_requested_at:  # withdrawn while it was being sent: delete it again
            delivery.status = Status.WITHDRAWING
            delivery.next_attempt_at = now
            result.withdraw = True
        delivery.save(update_fields=DELIVERY_OUTCOME_FIELDS)
        audits.append(
            (
                "delivery.published",
                {
                    "attempt": claim.number,
                    "external_id": delivery.external_id,
                    "url": delivery.external_url,
                    "duration_ms": duration_ms,
                    "late": late,
                },
            )
        )
    else:
        result = _record_error(delivery, post, claim, error, now, duration_ms, deduplicates, audits)
    result.status = delivery.status
    _post_follows_deliveries(post)
    for verb, after in audits:
        _audit(delivery, verb, after=after)
    return result


DELIVERY_OUTCOME_FIELDS = [
    "status",
    "external_id",
    "external_url",
    "published_at",
    "next_attempt_at",
    "enqueued_at",
    "lease_until",
    "last_error",
    "withdrawn_at",
    "withdraw_note",
    "updated_at",
]


def _attempt_outcome(error: PublishError, deduplicates: bool) -> str:
    if error.retryable or (error.uncertain and deduplicates) or error.credentials_problem:
        return Outcome.RETRYABLE
    return Outcome.UNCERTAIN if error.uncertain else Outcome.FAILED


def _record_error(
    delivery: Delivery,
    post: Post,
    claim: Claim,
    error: PublishError,
    now: datetime,
    duration_ms: int,
    deduplicates: bool,
    audits: list,
) -> Result:
    outcome = _attempt_outcome(error, deduplicates)
    _finish_attempt(claim, now, outcome=outcome, duration_ms=duration_ms, error=error)
    delivery.last_error = error.message[:2000]
    result = Result(delivery.status)
    after = {"attempt": claim.number, "error": error.message[:500], "kind": error.kind.value}
    if delivery.withdraw_requested_at and outcome != Outcome.UNCERTAIN:
        # Withdrawn while being sent, and nothing was published: nothing to delete.
        delivery.status = Status.WITHDRAWN
        delivery.withdrawn_at = now
        delivery.next_attempt_at = None
        delivery.save(update_fields=DELIVERY_OUTCOME_FIELDS)
        audits.append(("delivery.withdrawn", after))
        return result
    if error.credentials_problem:
        # The channel needs a person; its deliveries wait (no attempts burnt) until that is fixed.
        delivery.status = Status.RETRYING
        delivery.next_attempt_at = now
        delivery.save(update_fields=DELIVERY_OUTCOME_FIELDS)
        audits.append(("delivery.waiting_for_channel", after))
        result.channel_problem = error.message
        return result
    if outcome == Outcome.RETRYABLE:
        if delivery.attempts_in_round >= settings.PUBLISHING_MAX_ATTEMPTS:
            delivery.status = Status.FAILED
            delivery.next_attempt_at = None
            delivery.last_error = (
                _("Gave up after %(count)s attempts. Last error: %(error)s")
                % {"count": delivery.attempts_in_round, "error": error.message}
            )[:2000]
            delivery.save(update_fields=DELIVERY_OUTCOME_FIELDS)
            audits.append(("delivery.failed", {**after, "gave_up": True}))
            _notify(Notification.Kind.DELIVERY_FAILED, delivery, post, delivery.last_error)
            return result
        wait = backoff_seconds(delivery.attempts_in_round, error.retry_after)
        delivery.status = Status.RETRYING
        delivery.next_attempt_at = now + timedelta(seconds=wait)
        delivery.enqueued_at = delivery.next_attempt_at
        delivery.save(update_fields=DELIVERY_OUTCOME_FIELDS)
        audits.append(("delivery.retrying", {**after, "next_attempt_at": delivery.next_attempt_at}))
        result.retry_at = delivery.next_attempt_at
        return result
    if outcome == Outcome.UNCERTAIN:
        if delivery.withdraw_requested_at:
            delivery.status = Status.WITHDRAWN
            delivery.withdrawn_at = now
            delivery.withdraw_note = _(
                "Whether the post was published is unknown: if it is on the network, delete it there."
            )
        else:
            delivery.status = Status.UNCERTAIN
        delivery.next_attempt_at = None
        delivery.save(update_fields=DELIVERY_OUTCOME_FIELDS)
        audits.append((f"delivery.{delivery.status}", after))
        if delivery.status == Status.UNCERTAIN:
            _notify(Notification.Kind.DELIVERY_UNCERTAIN, delivery, post, error.message)
        return result
    delivery.status = Status.FAILED
    delivery.next_attempt_at = None
    delivery.save(update_fields=DELIVERY_OUTCOME_FIELDS)
    audits.append(("delivery.failed", after))
    _notify(Notification.Kind.DELIVERY_FAILED, delivery, post, error.message)
    return result


def _post_follows_deliveries(post: Post) -> None:
    """Set the post's status from its deliveries (the post row is locked by the caller)."""
    if post.status not in SENDABLE_POST_STATUSES:
        return
    rows = list(
        Delivery.objects.filter(post=post)
        .exclude(status=Status.WITHDRAWN)
        .values_list("status", "published_at", "channel__name")
    )
    statuses = [status for status, _at, _name in rows]
    if not statuses:
        return
    if any(s in Delivery.OPEN for s in statuses):
        if post.status in (Post.Status.APPROVED, Post.Status.SCHEDULED) and any(
            s != Status.PENDING for s in statuses
        ):
            post_services.post_mark_publishing(actor=None, post=post)
        return
    # Settled in one go (e.g. the only delivery published): straight to the outcome, no "publishing".
    published = sum(1 for s in statuses if s in (Status.PUBLISHED, Status.WITHDRAWING))
    if published == len(statuses):
        if post.status != Post.Status.PUBLISHED:
            first = min((at for _status, at, _name in rows if at is not None), default=None)
            post_services.post_mark_published(actor=None, post=post, published_at=first)
        return
    target = Post.Status.PARTIALLY_FAILED if published else Post.Status.FAILED
    if post.status != target and post.status != Post.Status.PUBLISHED:
        problems = ", ".join(
            sorted(name for status, _at, name in rows if status in (Status.FAILED, Status.UNCERTAIN))
        )
        post_services.post_mark_failed(actor=None, post=post, partially=bool(published), comment=problems)


# --- the sweep ----------------------------------------------------------------------------------------------


@dataclass
class SweepResult:
    expired: int = 0
    queued: list[int] = field(default_factory=list)
    withdrawals: list[int] = field(default_factory=list)


def _expire_lease(delivery_id: int, now: datetime) -> bool:
    """A ``sending`` delivery whose lease ran out: its worker is gone (the task's time limit is below
    the lease). Deduplicating networks send again with the same key; the others are ``uncertain``."""
    with transaction.atomic():
        delivery = Delivery.objects.select_related("channel").filter(pk=delivery_id).first()
        if delivery is None:
            return False
        post = Post.objects.select_for_update(of=("self",)).select_related("author").get(pk=delivery.post_id)
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("channel")
            .filter(pk=delivery_id, status=Status.SENDING, lease_until__lt=now)
            .first()
        )
        if delivery is None:
            return False
        deduplicates = registry.get(delivery.channel.kind).deduplicates
        message = _("The worker stopped while sending (lease expired at %(time)s).") % {
            "time": timezone.localtime(delivery.lease_until).strftime("%d.%m.%Y %H:%M:%S")
        }
        DeliveryAttempt.objects.filter(
            delivery=delivery, number=delivery.attempt_count, outcome=Outcome.RUNNING
        ).update(finished_at=now, outcome=Outcome.LOST, error=message)
        delivery.lease_until = None
        delivery.last_error = message
        if delivery.withdraw_requested_at:
            delivery.status = Status.WITHDRAWN
            delivery.withdrawn_at = now
            delivery.withdraw_note = _(
                "Whether the post was published is unknown: if it is on the network, delete it there."
            )
            delivery.next_attempt_at = None
        elif deduplicates:
            delivery.status = Status.RETRYING
            delivery.next_attempt_at = now
        else:
            delivery.status = Status.UNCERTAIN
            delivery.next_attempt_at = None
        delivery.save()
        _audit(
            delivery,
            "delivery.lease_expired",
            after={
                "attempt": delivery.attempt_count,
                "worker": delivery.worker,
                "deduplicates": deduplicates,
            },
        )
        if delivery.status == Status.UNCERTAIN:
            _notify(Notification.Kind.DELIVERY_UNCERTAIN, delivery, post, message)
        _post_follows_deliveries(post)
    return True


def due_deliveries(now: datetime) -> QuerySet[Delivery]:
    """Deliveries a worker could claim now: due, on a live channel without problems, of a post that
    may go out."""
    active = RolloutPhase.objects.filter(channels=OuterRef("channel_id"), status=RolloutPhase.Status.ACTIVE)
    return (
        Delivery.objects.filter(status__in=Delivery.CLAIMABLE, next_attempt_at__lte=now)
        .filter(channel__enabled=True, channel__attention_since__isnull=True)
        .filter(Exists(active))
        .filter(post__status__in=SENDABLE_POST_STATUSES)
        .filter(Q(post__planned_at__isnull=True) | Q(post__planned_at__lte=now))
    )


def deliveries_sweep(*, now: datetime | None = None, batch: int = 5000) -> SweepResult:
    """Expired leases first, then queue every due delivery (and every due deletion) not queued lately."""
    now = now or timezone.now()
    result = SweepResult()
    expired = Delivery.objects.filter(status=Status.SENDING, lease_until__lt=now).values_list("pk", flat=True)
    for delivery_id in list(expired[:batch]):
        result.expired += _expire_lease(delivery_id, now)
    requeue = now - timedelta(seconds=settings.PUBLISHING_REQUEUE_SECONDS)
    not_queued_lately = Q(enqueued_at__isnull=True) | Q(enqueued_at__lte=requeue)
    with transaction.atomic():
        ids = list(
            due_deliveries(now)
            .filter(not_queued_lately)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:batch]
        )
        _mark_enqueued(ids, now)
        _enqueue_after_commit(ids)
        result.queued = ids
        withdrawals = list(
            Delivery.objects.filter(status=Status.WITHDRAWING, next_attempt_at__lte=now)
            .filter(not_queued_lately)
            .values_list("pk", flat=True)[:batch]
        )
        _mark_enqueued(withdrawals, now)
        _enqueue_after_commit(withdrawals, task="withdraw")
        result.withdrawals = withdrawals
    return result


# --- what people do: retry, mark published, withdraw ------------------------------------------------------


@transaction.atomic
def delivery_retry(*, actor, delivery: Delivery, comment: str = "") -> Delivery:
    """Koordination sends a ``failed`` or ``uncertain`` delivery again ("retry" / "retry anyway"), or
    tries again to delete one whose deletion failed."""
    _require_coordinator(actor)
    now = timezone.now()
    post = Post.objects.select_for_update().get(pk=delivery.post_id)
    delivery = Delivery.objects.select_for_update(of=("self",)).select_related("channel").get(pk=delivery.pk)
    before = delivery.status
    if delivery.status == Status.WITHDRAWING and delivery.next_attempt_at is None:
        delivery.next_attempt_at = now
        delivery.attempts_in_round = 0
        delivery.enqueued_at = now
        delivery.save(update_fields=["next_attempt_at", "attempts_in_round", "enqueued_at", "updated_at"])
        _audit(delivery, "delivery.withdraw_retry_requested", actor=actor, comment=comment)
        _enqueue_after_commit([delivery.pk], task="withdraw")
        return delivery
    if delivery.status not in (Status.FAILED, Status.UNCERTAIN):
        raise ValidationError(
            _("Only failed deliveries or deliveries with an unknown outcome can be sent again."),
            code="invalid_transition",
        )
    if post.status not in SENDABLE_POST_STATUSES:
        raise ValidationError(
            _("The post is “%(status)s”: it cannot be sent.") % {"status": post.get_status_display()},
            code="post_not_sendable",
        )
    delivery.status = Status.PENDING
    delivery.next_attempt_at = now
    delivery.attempts_in_round = 0
    delivery.enqueued_at = now
    delivery.save(
        update_fields=["status", "next_attempt_at", "attempts_in_round", "enqueued_at", "updated_at"]
    )
    _audit(
        delivery,
        "delivery.retry_requested",
        actor=actor,
        after={"before": before, "uncertain": before == Status.UNCERTAIN},
        comment=comment,
    )
    _enqueue_after_commit([delivery.pk])
    return delivery


def validate_published_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        raise ValidationError(
            {"url": _("Please paste the address of the post on the network.")}, code="required"
        )
    try:
        URLValidator(schemes=["https", "http"])(url)
    except ValidationError:
        raise ValidationError(
            {"url": _("This is not a web address (it should start with https://).")}, code="invalid"
        ) from None
    if len(url) > 2000:
        raise ValidationError({"url": _("The address is too long.")}, code="too_long")
    return url


@transaction.atomic
def delivery_mark_published(*, actor, delivery: Delivery, url: str) -> Delivery:
    """Koordination checked the network: the post is there (``uncertain``, or ``failed`` e.g. as a
    duplicate) – keep its address."""
    _require_coordinator(actor)
    url = validate_published_url(url)
    now = timezone.now()
    post = Post.objects.select_for_update().get(pk=delivery.post_id)
    delivery = Delivery.objects.select_for_update(of=("self",)).select_related("channel").get(pk=delivery.pk)
    if delivery.status not in (Status.UNCERTAIN, Status.FAILED):
        raise ValidationError(
            _("Only deliveries with an unknown outcome or a failure can be marked as published."),
            code="invalid_transition",
        )
    before = delivery.status
    delivery.status = Status.PUBLISHED
    delivery.external_url = url
    delivery.published_at = now
    delivery.next_attempt_at = None
    delivery.save()
    _audit(delivery, "delivery.marked_published", actor=actor, after={"before": before, "url": url})
    _post_follows_deliveries(post)
    return delivery


def validate_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Please give the reason for the withdrawal.")}, code="required")
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {"reason": _("Please keep the reason under %(max)s characters.") % {"max": REASON_MAX_LENGTH}},
            code="too_long",
        )
    return reason


WITHDRAWABLE_POST_STATUSES = (
    Post.Status.APPROVED,
    Post.Status.SCHEDULED,
    Post.Status.PUBLISHING,
    Post.Status.PUBLISHED,
    Post.Status.PARTIALLY_FAILED,
    Post.Status.FAILED,
)


@transaction.atomic
def deliveries_withdraw_for_post(*, actor, post: Post, reason: str) -> list[Delivery]:
    """Take the post back from every channel (reason required, audited).

    Not yet sent → ``withdrawn`` at once; published → ``withdrawing`` (a worker deletes it through the
    adapter); being sent → deleted as soon as it is published; outcome unknown → ``withdrawn`` with a
    note that a person must look on the network.
    """
    _require_coordinator(actor)
    reason = validate_reason(reason)
    now = timezone.now()
    post = Post.objects.select_for_update().get(pk=post.pk)
    post_services.post_withdraw(actor=actor, post=post, comment=reason)
    deliveries = list(
        Delivery.objects.select_for_update(of=("self",)).select_related("channel").filter(post=post)
    )
    to_delete = []
    for delivery in deliveries:
        if delivery.status == Status.WITHDRAWN or delivery.withdraw_requested_at:
            continue
        delivery.withdraw_requested_at = now
        delivery.withdraw_reason = reason
        delivery.withdrawn_by = actor
        if delivery.status in (Status.PENDING, Status.RETRYING, Status.FAILED):
            delivery.status = Status.WITHDRAWN
            delivery.withdrawn_at = now
            delivery.next_attempt_at = None
            verb = "delivery.withdrawn"
        elif delivery.status == Status.UNCERTAIN:
            delivery.status = Status.WITHDRAWN
            delivery.withdrawn_at = now
            delivery.withdraw_note = _(
                "Whether the post was published is unknown: if it is on the network, delete it there."
            )
            verb = "delivery.withdrawn"
        elif delivery.status == Status.PUBLISHED:
            delivery.status = Status.WITHDRAWING
            delivery.next_attempt_at = now
            delivery.attempts_in_round = 0
            delivery.enqueued_at = now
            to_delete.append(delivery.pk)
            verb = "delivery.withdraw_requested"
        else:  # sending: the worker deletes it once it is published
            verb = "delivery.withdraw_requested"
        delivery.save()
        _audit(delivery, verb, actor=actor, comment=reason)
    _enqueue_after_commit(to_delete, task="withdraw")
    return deliveries


@transaction.atomic
def delivery_withdraw_claim(*, delivery_id: int, worker: str) -> Claim | None:
    """Claim a due deletion (``withdrawing``); the next attempt time doubles as the lease."""
    now = timezone.now()
    delivery = Delivery.objects.select_related("channel").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != Status.WITHDRAWING:
        return None
    claimed = Delivery.objects.filter(
        pk=delivery_id, status=Status.WITHDRAWING, next_attempt_at__lte=now
    ).update(
        next_attempt_at=now + timedelta(seconds=settings.PUBLISHING_LEASE_SECONDS),
        worker=worker[:200],
        attempt_count=F("attempt_count") + 1,
        attempts_in_round=F("attempts_in_round") + 1,
        updated_at=now,
    )
    if claimed != 1:
        return None
    number = Delivery.objects.filter(pk=delivery_id).values_list("attempt_count", flat=True).get()
    attempt = DeliveryAttempt.objects.create(
        delivery_id=delivery_id,
        channel=delivery.channel,
        number=number,
        operation=DeliveryAttempt.Operation.DELETE,
        started_at=now,
        worker=worker[:200],
    )
    return Claim(
        delivery_id=delivery_id,
        attempt_id=attempt.pk,
        number=number,
        channel=delivery.channel,
        post_id=delivery.post_id,
        external_id=delivery.external_id,
        operation=DeliveryAttempt.Operation.DELETE,
    )


@transaction.atomic
def delivery_record_withdrawal(*, claim: Claim, error: PublishError | None, duration_ms: int) -> Result:
    """Write what came of a deletion: gone (or not found any more) → ``withdrawn``; a temporary error
    → again later; a refusal → stays ``withdrawing`` with the message until a person retries."""
    now = timezone.now()
    delivery = (
        Delivery.objects.select_for_update(of=("self",)).select_related("channel").get(pk=claim.delivery_id)
    )
    if delivery.status != Status.WITHDRAWING or delivery.attempt_count != claim.number:
        _finish_attempt(
            claim,
            now,
            outcome=Outcome.DELETED if error is None else Outcome.FAILED,
            duration_ms=duration_ms,
            error=error,
        )
        return Result(delivery.status)
    gone = error is None or error.status_code == 404
    result = Result(delivery.status)
    after = {"attempt": claim.number}
    if gone:
        _finish_attempt(claim, now, outcome=Outcome.DELETED, duration_ms=duration_ms, error=error)
        delivery.status = Status.WITHDRAWN
        delivery.withdrawn_at = now
        delivery.next_attempt_at = None
        delivery.last_error = ""
        delivery.save()
        _audit(delivery, "delivery.withdrawn", actor=delivery.withdrawn_by, after={**after, "deleted": True})
    elif error.retryable and delivery.attempts_in_round < settings.PUBLISHING_MAX_ATTEMPTS:
        _finish_attempt(claim, now, outcome=Outcome.RETRYABLE, duration_ms=duration_ms, error=error)
        delivery.next_attempt_at = now + timedelta(
            seconds=backoff_seconds(delivery.attempts_in_round, error.retry_after)
        )
        delivery.enqueued_at = delivery.next_attempt_at
        delivery.last_error = error.message[:2000]
        delivery.save()
        result.retry_at = delivery.next_attempt_at
        _audit(delivery, "delivery.withdraw_retrying", after={**after, "error": error.message[:500]})
    else:
        _finish_attempt(claim, now, outcome=Outcome.FAILED, duration_ms=duration_ms, error=error)
        delivery.next_attempt_at = None  # a person decides: retry, or delete it on the network by hand
        delivery.last_error = error.message[:2000]
        delivery.save()
        _audit(delivery, "delivery.withdraw_failed", after={**after, "error": error.message[:500]})
    result.status = delivery.status
    return result


# --- channels -----------------------------------------------------------------------------------------------


def channel_attention_clear(*, actor, channel: Channel, reason: str) -> bool:
    """The channel's credentials were changed or checked successfully: its deliveries go again.

    Runs inside the caller's transaction (``publishing.services``)."""
    cleared = Channel.objects.filter(pk=channel.pk, attention_since__isnull=False).update(
        attention_since=None, attention_message=""
    )
    if not cleared:
        return False
    audit_record(actor=actor, verb="channel.attention_cleared", obj=channel, comment=reason)
    now = timezone.now()
    ids = list(due_deliveries(now).filter(channel=channel).values_list("pk", flat=True))
    _mark_enqueued(ids, now)
    _enqueue_after_commit(ids)
    return True
