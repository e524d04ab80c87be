"""What people do: retry, mark published, withdraw; a channel's credentials fixed."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from posts import services as post_services
from posts.models import Post

from ..models import Delivery
from .common import (
    REASON_MAX_LENGTH,
    SENDABLE_POST_STATUSES,
    Status,
    _audit,
    _enqueue_after_commit,
    _mark_enqueued,
    _post_follows_deliveries,
    _require_coordinator,
)
from .sweep import due_deliveries


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
def deliveries_withdraw_for_post(
    *, actor, post: Post, reason: str, authorised: bool = False
) -> list[Delivery]:
    """Take the post back from every channel (reason required, audited).

    Only Koordination may, unless ``authorised``: the caller checked that ``actor`` may withdraw this
    post (integrations: a token with the right to withdraw the posts of its own integration).

    Not yet sent → ``withdrawn`` at once; published → ``withdrawing`` (a worker deletes it through the
    adapter); being sent → deleted as soon as it is published; outcome unknown → ``withdrawn`` with a
    note that a person must look on the network.
    """
    if not authorised:
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


def channel_deliveries_requeue(*, channel, **kwargs) -> list[int]:
    """The channel's credentials were changed or checked successfully: its waiting deliveries go again.

    Connected to ``channels.signals.channel_attention_cleared`` (sent inside the caller's transaction)."""
    now = timezone.now()
    ids = list(due_deliveries(now).filter(channel=channel).values_list("pk", flat=True))
    _mark_enqueued(ids, now)
    _enqueue_after_commit(ids)
    return ids
