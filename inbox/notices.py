"""Telling people about inbox items: a reminder to the department when an item becomes due soon, a
notice when it is overdue, the department when Koordination assigns it one, approvers when a reply
waits, the author what became of the reply, the press office and the department about escalations,
Koordination about a spike.

Each is a notification of the ``notifications`` app about the item (``target``): an entry in the
recipient's in-app list and the bell, and the same sentence by e-mail (digested like the posts'
notifications). The sentence names the channel and the kind of item and links to the conversation
page – never the citizen's text or name (e-mails leave the county's systems); staff notes show in the
app only. Only people who may see the item get it (the rule registered in ``inbox.apps``).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q

from departments import roles
from departments.models import Membership
from notifications.models import Notification
from notifications.services import notifications_settle_target, notify

from .models import InboxItem

Kind = Notification.Kind


def _department_people(item: InboxItem):
    if item.department_id is None:
        return []
    user_ids = Membership.objects.filter(department_id=item.department_id).values("user_id")
    return list(get_user_model().objects.filter(pk__in=user_ids, is_active=True))


def _department_heads(item: InboxItem):
    if item.department_id is None:
        return []
    user_ids = Membership.objects.filter(department_id=item.department_id, role=Membership.Role.HEAD).values(
        "user_id"
    )
    return list(get_user_model().objects.filter(pk__in=user_ids, is_active=True))


def _group(name: str):
    return list(get_user_model().objects.filter(Q(groups__name=name), is_active=True).distinct())


def _coordinators():
    return _group(roles.KOORDINATION)


def _press_office():
    return _group(roles.PRESSESTELLE)


def _notify(kind: str, item: InboxItem, recipients, *, actor=None, comment: str = "", **data) -> int:
    created = notify(
        kind=kind,
        target=item,
        recipients=recipients,
        actor=actor,
        comment=comment,
        data={"channel": item.channel.name, "item_kind": item.kind, **data},
    )
    return len(created)


def due_soon(*, item: InboxItem) -> int:
    return _notify(Kind.INBOX_DUE_SOON, item, _department_people(item) or _coordinators())


def overdue(*, item: InboxItem) -> int:
    return _notify(Kind.INBOX_OVERDUE, item, _coordinators() + _department_people(item))


def assigned(*, item: InboxItem, actor, note: str) -> int:
    return _notify(Kind.INBOX_ASSIGNED, item, _department_people(item), actor=actor, comment=note)


def reply_waiting(*, item: InboxItem, actor) -> int:
    """A reply waits for approval: Koordination and – for its department – the heads."""
    return _notify(Kind.REPLY_WAITING, item, _coordinators() + _department_heads(item), actor=actor)


def reply_decided(*, reply) -> int:
    """Somebody decided: "waits for your approval" is no longer news for the other approvers (unless
    another reply on the item still waits)."""
    if reply.item.replies.filter(status=reply.Status.PENDING).exclude(pk=reply.pk).exists():
        return 0
    return notifications_settle_target(target=reply.item, kinds=[Kind.REPLY_WAITING])


def replies_stop_waiting(*, item: InboxItem) -> int:
    """The item was closed or passed to the Pressestelle: its pending replies are no longer sent, so
    "waits for your approval" is no longer news."""
    return notifications_settle_target(target=item, kinds=[Kind.REPLY_WAITING])


_OUTCOMES = {
    "rejected": Kind.REPLY_REJECTED,
    "published": Kind.REPLY_PUBLISHED,
    "failed": Kind.REPLY_FAILED,
    "uncertain": Kind.REPLY_UNCERTAIN,
}


def reply_outcome(*, reply, actor=None, coordinators: bool = False) -> int:
    """The reply's author (and Koordination for failures and unknown outcomes) learn what became of it."""
    recipients = [reply.author] if reply.author_id else []
    if coordinators:
        recipients += _coordinators()
    return _notify(
        _OUTCOMES[reply.status], reply.item, recipients, actor=actor, comment=reply.decision_comment or ""
    )


def escalated(*, item: InboxItem, actor, note: str = "") -> int:
    return _notify(Kind.PRESS_ESCALATED, item, _press_office(), actor=actor, comment=note)


def handed_back(*, item: InboxItem, actor, note: str = "") -> int:
    return _notify(
        Kind.PRESS_HANDED_BACK, item, _department_people(item) or _coordinators(), actor=actor, comment=note
    )


def spike(*, item: InboxItem, count: int) -> int:
    return _notify(
        Kind.INBOX_SPIKE, item, _coordinators(), count=count, title=item.post.title if item.post_id else ""
    )
