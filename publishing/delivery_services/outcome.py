"""Recording what came of an attempt: the attempt, the delivery, the audit events, the post's status."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_batch, audit_record
from channels.models import Channel
from channels.networks.base import ErrorKind, PublishedRef, PublishError
from notifications.models import Notification
from posts.models import Post

from ..models import Delivery
from .common import (
    Claim,
    Outcome,
    Result,
    Status,
    _audit,
    _finish_attempt,
    _notify,
    _post_follows_deliveries,
    backoff_seconds,
    idempotency_window_passed,
    queued_until,
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
    # The audit events of the outcome (the delivery's, the post's new status) are written together at
    # the end: the audit trail's chain head is one lock for everybody, held from then to the commit.
    with audit_batch():
        return _write_outcome(
            claim=claim, ref=ref, error=error, duration_ms=duration_ms, deduplicates=deduplicates
        )


def _write_outcome(*, claim, ref, error, duration_ms, deduplicates) -> Result:
    now = timezone.now()
    # One statement locks the post's row and then the delivery's (the lock order: PostgreSQL locks in
    # the order of ``FOR UPDATE OF``) and reads both with the channel.
    delivery = (
        Delivery.objects.select_related("post", "channel")
        .select_for_update(of=("post", "self"))
        .get(pk=claim.delivery_id)
    )
    post = delivery.post
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
    audits: list[tuple[str, dict]] = []  # after the post's status, as ever (the batch writes them last)
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


def _decision(error: PublishError, deduplicates: bool) -> str:
    """What happens to the delivery: retry, uncertain (a person checks) or failed."""
    if error.retryable or (error.uncertain and deduplicates) or error.credentials_problem:
        return Outcome.RETRYABLE
    return Outcome.UNCERTAIN if error.uncertain else Outcome.FAILED


def _attempt_outcome(error: PublishError, deduplicates: bool) -> str:
    """What the attempt itself came to: "outcome unknown" whenever the post may have been created, also
    where the network's deduplication makes a retry safe (the key window counts from it)."""
    if error.possibly_created and not error.credentials_problem:
        return Outcome.UNCERTAIN
    return _decision(error, deduplicates)


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
    outcome = _decision(error, deduplicates)
    _finish_attempt(
        claim, now, outcome=_attempt_outcome(error, deduplicates), duration_ms=duration_ms, error=error
    )
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
        if deduplicates and idempotency_window_passed(delivery, now + timedelta(seconds=wait)):
            # The network may have forgotten the key by then: sending again could post twice.
            outcome = Outcome.UNCERTAIN
            error = PublishError(
                error.message
                + " "
                + _("(not sent again: the network's idempotency window may have passed; please check)"),
                kind=ErrorKind.UNCERTAIN,
                status_code=error.status_code,
            )
            delivery.last_error = error.message[:2000]
            after["error"] = error.message[:500]
            after["idempotency_window_passed"] = True
    if outcome == Outcome.RETRYABLE:
        delivery.status = Status.RETRYING
        delivery.next_attempt_at = now + timedelta(seconds=wait)
        delivery.enqueued_at = queued_until(delivery.next_attempt_at, now)
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
