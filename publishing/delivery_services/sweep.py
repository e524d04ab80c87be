"""The sweep (beat): expired leases, then every due delivery and deletion is queued."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from channels.models import RolloutPhase
from channels.networks import registry
from notifications.models import Notification
from posts.models import Post

from ..models import Delivery, DeliveryAttempt
from .common import (
    SENDABLE_POST_STATUSES,
    Outcome,
    Status,
    _audit,
    _enqueue_after_commit,
    _mark_enqueued,
    _notify,
    _post_follows_deliveries,
    idempotency_window_passed,
)


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
        elif deduplicates and not idempotency_window_passed(delivery, now):
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


def delivery_key_window_passed(*, delivery_id: int, now: datetime | None = None) -> bool:
    """A due retry of a deduplicating network comes after its key window (the claim found it): the
    delivery becomes ``uncertain`` and Koordination checks the network instead of a second post."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = Delivery.objects.filter(pk=delivery_id).first()
        if delivery is None:
            return False
        post = Post.objects.select_for_update(of=("self",)).select_related("author").get(pk=delivery.post_id)
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("channel")
            .filter(pk=delivery_id, status__in=Delivery.CLAIMABLE)
            .first()
        )
        if delivery is None or not idempotency_window_passed(delivery, now):
            return False
        message = _(
            "Not sent again: the network's idempotency window may have passed. Please check whether the "
            "post is on the network."
        )
        delivery.status = Status.UNCERTAIN
        delivery.next_attempt_at = None
        delivery.last_error = message
        delivery.save()
        _audit(delivery, "delivery.uncertain", after={"idempotency_window_passed": True})
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
