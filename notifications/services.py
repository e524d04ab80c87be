"""Notifications: an in-app list and an e-mail per message, only to people who may see the post.

:func:`notify` is called by the review services and publishing inside their transaction. It drops every recipient who
may not see the post (Wagtail once mailed comment notifications to users without access to the page,
GHSA-xqxm-2rpm-3889) and the person who caused the message, stores one :class:`Notification` per
remaining recipient and sends the e-mails with ``transaction.on_commit``: nothing is mailed for a
decision that was rolled back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import actor_display_name

from . import registry, tasks
from .models import Notification

logger = logging.getLogger(__name__)


def may_see(user, obj) -> bool:
    """The rule registered for the object's model (:mod:`notifications.registry`)."""
    return registry.may_see(user, obj)


def permitted_recipients(users: Iterable, post, *, actor=None, may_see: Callable | None = None) -> list:
    """``users`` without duplicates, without the actor, and only those who may see ``post`` (a post or
    another registered object) now (``may_see(user, post)`` of the caller, else the rule registered for
    the object's model)."""
    check = may_see or registry.may_see
    seen, result = set(), []
    for user in users:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        if actor is not None and user.pk == getattr(actor, "pk", None):
            continue
        if user.is_active and check(user, post):
            result.append(user)
    return result


def _step_label(kind) -> str:
    return registry.label("step", kind)


def notification_text(notification: Notification) -> str:
    """The sentence shown in the list and used as the e-mail subject, in the active language."""
    values = {
        "title": notification.data.get("title", ""),
        "actor": notification.actor_name or _("somebody"),
        "step": _step_label(notification.data.get("step")),
        "channel": notification.data.get("channel", ""),
        "item_kind": registry.label("item_kind", notification.data.get("item_kind")),
        "count": notification.data.get("count", ""),
    }
    texts = {
        Notification.Kind.REVIEW_WAITING: _("“%(title)s” waits for your review (%(step)s)."),
        Notification.Kind.STEP_APPROVED: _(
            "%(actor)s approved “%(title)s” (%(step)s); the next step follows."
        ),
        Notification.Kind.APPROVED: _("%(actor)s approved “%(title)s”."),
        Notification.Kind.CHANGES_REQUESTED: _("%(actor)s asks for changes to “%(title)s”."),
        Notification.Kind.REJECTED: _("%(actor)s rejected “%(title)s”."),
        Notification.Kind.EDITED: _("%(actor)s edited “%(title)s” during the review."),
        Notification.Kind.DELIVERY_FAILED: _("“%(title)s” could not be published on %(channel)s."),
        Notification.Kind.DELIVERY_UNCERTAIN: _(
            "Whether “%(title)s” was published on %(channel)s is unknown; please check the network."
        ),
        Notification.Kind.CHANNEL_ATTENTION: _(
            "%(channel)s refused its access data while publishing “%(title)s”; its posts wait."
        ),
        # The inbox's kinds name the channel and the kind of item – never what the citizen wrote.
        Notification.Kind.INBOX_DUE_SOON: _("%(channel)s: %(item_kind)s – a reaction is due soon."),
        Notification.Kind.INBOX_OVERDUE: _("%(channel)s: %(item_kind)s – the first reaction is overdue."),
        Notification.Kind.INBOX_ASSIGNED: _(
            "%(actor)s assigned an inbox item to your department (%(item_kind)s on %(channel)s)."
        ),
        Notification.Kind.REPLY_WAITING: _("A reply by %(actor)s on %(channel)s waits for your approval."),
        Notification.Kind.REPLY_REJECTED: _("%(actor)s did not approve your reply on %(channel)s."),
        Notification.Kind.REPLY_PUBLISHED: _("Your reply on %(channel)s was published."),
        Notification.Kind.REPLY_FAILED: _("A reply on %(channel)s could not be sent."),
        Notification.Kind.REPLY_UNCERTAIN: _(
            "Whether a reply on %(channel)s was sent is unknown; please check the network."
        ),
        Notification.Kind.PRESS_ESCALATED: _(
            "%(actor)s passed an inbox item to the press office (%(item_kind)s on %(channel)s)."
        ),
        Notification.Kind.PRESS_HANDED_BACK: _(
            "The press office (%(actor)s) handed an inbox item back to your department (%(item_kind)s on %(channel)s)."
        ),
        Notification.Kind.INBOX_SPIKE: _(
            "Many new comments on “%(title)s” (%(channel)s): %(count)s within an hour."
        ),
    }
    return texts[notification.kind] % values


# Notifications about deliveries lead to the post page (delivery state per channel), not the review.
DELIVERY_KINDS = frozenset(
    {
        Notification.Kind.DELIVERY_FAILED,
        Notification.Kind.DELIVERY_UNCERTAIN,
        Notification.Kind.CHANNEL_ATTENTION,
    }
)


# Where the author acts on a decision: the editor after a request for changes, else the post page.
AUTHOR_KINDS = {
    Notification.Kind.CHANGES_REQUESTED: "posts:edit",
    Notification.Kind.APPROVED: "posts:detail",
    Notification.Kind.REJECTED: "posts:detail",
    Notification.Kind.EDITED: "posts:detail",
}


def notification_url(notification: Notification) -> str:
    if notification.target_type_id is not None:
        label = ContentType.objects.get_for_id(notification.target_type_id).model_class()._meta.label_lower
        return registry.url_for(label, notification.target_id) or reverse("approvals:notifications")
    if notification.kind in DELIVERY_KINDS:
        return reverse("posts:detail", args=[notification.post_id]) + "#deliveries"
    if notification.kind in AUTHOR_KINDS:
        return reverse(AUTHOR_KINDS[notification.kind], args=[notification.post_id])
    return reverse("approvals:review", args=[notification.post_id])


def notifications_settle(*, post_id: int, kinds: Iterable[str], now=None) -> int:
    """Mark the unread notifications of ``kinds`` about a post as read for everybody – e.g. "waits for
    your review" once the step is decided (by whoever): they are no longer news. Runs in the caller's
    transaction; not audited (reading a notification is not a decision)."""
    return Notification.objects.filter(post_id=post_id, kind__in=list(kinds), read_at__isnull=True).update(
        read_at=now or timezone.now()
    )


def notifications_settle_target(*, target, kinds: Iterable[str], now=None) -> int:
    """As :func:`notifications_settle`, for notifications about another object (a reply decided by
    somebody else no longer waits for the other approvers)."""
    return Notification.objects.filter(
        target_type=ContentType.objects.get_for_model(target),
        target_id=target.pk,
        kind__in=list(kinds),
        read_at__isnull=True,
    ).update(read_at=now or timezone.now())


def notifications_forget(model, ids: Iterable[int]) -> int:
    """Delete the notifications about objects that are being deleted (an inbox item erased after its
    retention period): a notification must not outlive what it points to."""
    ids = list(ids)
    if not ids:
        return 0
    deleted, _rows = Notification.objects.filter(
        target_type=ContentType.objects.get_for_model(model), target_id__in=ids
    ).delete()
    return deleted


def _send_emails(notification_ids: list[int]) -> None:
    """After the commit. With ``NOTIFICATION_EMAIL_DIGEST_SECONDS`` (> 0) each recipient gets one digest
    of what arrived in that time (15 submissions in 1.4 s were 15 e-mails to the coordination); with 0 one
    e-mail per notification at once. A failure is logged with the recipient and the reason and retried
    by the worker (``tasks.send_emails``). The in-app list does not wait for either."""
    delay = settings.NOTIFICATION_EMAIL_DIGEST_SECONDS
    notifications = (
        Notification.objects.filter(pk__in=notification_ids)
        .select_related("recipient")
        .order_by("created_at", "pk")
    )
    by_recipient: dict[int, list[Notification]] = {}
    for notification in notifications:
        if notification.recipient.email:
            by_recipient.setdefault(notification.recipient_id, []).append(notification)
    for group in by_recipient.values():
        recipient = group[0].recipient
        if delay > 0 and tasks.schedule_digest(recipient.pk, since=group[0].created_at, delay=delay):
            continue
        for notification in group:
            tasks.deliver(recipient, [notification.pk])


def notify(
    *,
    kind: str,
    post=None,
    target=None,
    recipients: Iterable,
    actor=None,
    comment: str = "",
    data: dict | None = None,
    may_see: Callable | None = None,
) -> list[Notification]:
    """Store and (after the commit) mail a notification to each permitted recipient – about ``post`` or,
    for the apps above posts that have their own objects, about ``target`` (who may see it is the rule
    its app registered)."""
    subject = target if target is not None else post
    if subject is None:
        raise ValueError("a notification is about a post or a target")
    users = permitted_recipients(recipients, subject, actor=actor, may_see=may_see)
    if not users:
        return []
    now = timezone.now()
    actor_name = actor_display_name(actor if actor is not None and actor.is_authenticated else None)
    payload = {"title": post.title if post is not None else "", **(data or {})}
    target_type = ContentType.objects.get_for_model(target) if target is not None else None
    created = Notification.objects.bulk_create(
        [
            Notification(
                recipient=user,
                kind=kind,
                post=post,
                target_type=target_type,
                target_id=target.pk if target is not None else None,
                actor_name=actor_name,
                comment=comment,
                data=payload,
                created_at=now,
            )
            for user in users
        ]
    )
    ids = [n.pk for n in created]
    transaction.on_commit(lambda: _send_emails(ids))
    return created
