"""The worker's side of a withdrawal: claiming a deletion and recording what came of it."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from channels.networks.base import PublishError

from ..models import Delivery, DeliveryAttempt
from .common import (
    Claim,
    Outcome,
    Result,
    Status,
    _audit,
    _finish_attempt,
    _start_attempt,
    backoff_seconds,
    queued_until,
)


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
    attempt_id = _start_attempt(
        delivery_id=delivery_id,
        channel=delivery.channel,
        number=number,
        operation=DeliveryAttempt.Operation.DELETE,
        worker=worker,
        now=now,
    )
    return Claim(
        delivery_id=delivery_id,
        attempt_id=attempt_id,
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
        delivery.enqueued_at = queued_until(delivery.next_attempt_at, now)
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
