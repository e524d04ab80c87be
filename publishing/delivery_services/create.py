"""Creating and rescheduling deliveries (in the approval's or the reschedule's transaction)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from channels.selectors import channels_for_department
from posts import services as post_services
from posts.models import Post

from ..models import Delivery
from .common import (
    Status,
    _audit,
    _enqueue_after_commit,
    _mark_enqueued,
)


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
