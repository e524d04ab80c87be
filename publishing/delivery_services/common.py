"""What the phases of a delivery share: statuses, the worker's claim and result, backoff, queueing,
auditing and notifying, and the post's status following its deliveries."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from audit.services import audit_record
from channels.models import Channel
from channels.networks import registry
from channels.networks.base import PostContent
from departments import roles
from notifications.models import Notification
from notifications.services import notify
from posts import services as post_services
from posts.models import Post

from ..models import Delivery, DeliveryAttempt

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


def idempotency_window_passed(delivery: Delivery, next_attempt_at: datetime) -> bool:
    """Would the next attempt of a deduplicating network come after the network forgot the key? Counted
    from the first attempt of this round that may have created the post (outcome unknown, or its
    worker lost): sending again with the key after Mastodon's window (about an hour) could post twice
    (issue 14). ``PUBLISHING_IDEMPOTENCY_WINDOW_SECONDS`` (50 minutes) keeps a margin."""
    first = (
        DeliveryAttempt.objects.filter(
            delivery_id=delivery.pk,
            operation=DeliveryAttempt.Operation.PUBLISH,
            number__gt=delivery.attempt_count - delivery.attempts_in_round,
            outcome__in=(DeliveryAttempt.Outcome.UNCERTAIN, DeliveryAttempt.Outcome.LOST),
        )
        .order_by("started_at")
        .values_list("started_at", flat=True)
        .first()
    )
    if first is None:
        return False
    return (next_attempt_at - first).total_seconds() > settings.PUBLISHING_IDEMPOTENCY_WINDOW_SECONDS


def queued_until(next_attempt_at: datetime, now: datetime) -> datetime | None:
    """What ``enqueued_at`` says about a retry at ``next_attempt_at``: the moment its countdown message
    fires when the task (tasks.run_delivery) will queue one – or None when the wait is longer than
    ``PUBLISHING_MAX_COUNTDOWN_SECONDS`` and nothing is queued, so that the first sweep after the
    moment queues it (issue 14: a 301 s reset waited another LANDKREIS_REQUEUE_SECONDS)."""
    if (next_attempt_at - now).total_seconds() <= settings.PUBLISHING_MAX_COUNTDOWN_SECONDS:
        return next_attempt_at
    return None


def _enqueue_after_commit(delivery_ids, *, task: str = "deliver", countdown: float | None = None) -> None:
    ids = list(delivery_ids)
    if not ids:
        return

    def send():
        from .. import tasks

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


def _mark_enqueued(ids, when: datetime) -> None:
    if ids:
        Delivery.objects.filter(pk__in=list(ids)).update(enqueued_at=when)


# --- what a worker holds and gets back --------------------------------------------------------------------


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
class KeyWindowPassed:
    """A deduplicating network would get the same request again after it may have forgotten the key
    (the delivery waited much longer than planned): not claimed; ``delivery_key_window_passed`` makes
    it ``uncertain``."""


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


def _start_attempt(
    *, delivery_id: int, channel, number: int, operation: str, worker: str, now: datetime
) -> int:
    """The attempt row of a claim (publish or delete), finished by :func:`_finish_attempt`; its id."""
    return DeliveryAttempt.objects.create(
        delivery_id=delivery_id,
        channel=channel,
        number=number,
        operation=operation,
        started_at=now,
        worker=worker[:200],
    ).pk


def _finish_attempt(claim: Claim, now: datetime, *, outcome: str, duration_ms: int, error=None) -> None:
    DeliveryAttempt.objects.filter(pk=claim.attempt_id).update(
        finished_at=now,
        duration_ms=max(0, int(duration_ms)),
        outcome=outcome,
        error=(error.message if error is not None else "")[:2000],
        status_code=getattr(error, "status_code", None),
    )


def _post_follows_deliveries(post: Post) -> None:
    """Set the post's status from its deliveries. The caller locked the post's row and read ``post`` in
    this transaction (so posts.services does not read it again: ``locked=True``)."""
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
            post_services.post_mark_publishing(actor=None, post=post, locked=True)
        return
    # Settled in one go (e.g. the only delivery published): straight to the outcome, no "publishing".
    published = sum(1 for s in statuses if s in (Status.PUBLISHED, Status.WITHDRAWING))
    if published == len(statuses):
        if post.status != Post.Status.PUBLISHED:
            first = min((at for _status, at, _name in rows if at is not None), default=None)
            post_services.post_mark_published(actor=None, post=post, published_at=first, locked=True)
        return
    target = Post.Status.PARTIALLY_FAILED if published else Post.Status.FAILED
    if post.status != target and post.status != Post.Status.PUBLISHED:
        problems = ", ".join(
            sorted(name for status, _at, name in rows if status in (Status.FAILED, Status.UNCERTAIN))
        )
        post_services.post_mark_failed(
            actor=None, post=post, partially=bool(published), comment=problems, locked=True
        )
