"""Telling people about inbox items: a reminder to the department when an item becomes due soon, a
notice to Koordination when it is overdue, the department when Koordination assigns it one.

The message names the channel, the kind and the due time and links to the conversation page – never
the citizen's text or name (e-mails leave the county's systems). Sent after the commit.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from departments import roles
from departments.models import Membership

from .models import InboxItem

logger = logging.getLogger(__name__)


def _department_people(item: InboxItem):
    if item.department_id is None:
        return []
    user_ids = Membership.objects.filter(department_id=item.department_id).values("user_id")
    return list(get_user_model().objects.filter(pk__in=user_ids, is_active=True))


def _coordinators():
    return list(
        get_user_model().objects.filter(Q(groups__name=roles.KOORDINATION), is_active=True).distinct()
    )


def _send(item: InboxItem, recipients, subject_text: str, actor=None) -> int:
    addresses = sorted({u.email for u in recipients if u.email and (actor is None or u.pk != actor.pk)})
    if not addresses:
        return 0
    url = settings.SITE_URL + reverse("inbox:item", args=[item.pk])
    with translation.override(settings.LANGUAGE_CODE):
        due = formats.date_format(timezone.localtime(item.due_at), "DATETIME_FORMAT") if item.due_at else "–"
        body = "\n".join(
            [
                subject_text,
                "",
                _("Channel: %(channel)s") % {"channel": item.channel.name},
                _("Kind: %(kind)s") % {"kind": item.get_kind_display()},
                _("First reaction due: %(due)s") % {"due": due},
                "",
                url,
            ]
        )
        subject = "[Landkreis Social] " + subject_text

    def send():
        for address in addresses:
            try:
                EmailMessage(subject=subject, body=body, to=[address]).send()
            except Exception:
                logger.warning("inbox item %s: notice e-mail failed", item.pk)

    transaction.on_commit(send)
    return len(addresses)


def due_soon(*, item: InboxItem) -> int:
    with translation.override(settings.LANGUAGE_CODE):
        text = _("An inbox item of your department is due soon.")
    recipients = _department_people(item) or _coordinators()
    return _send(item, recipients, text)


def overdue(*, item: InboxItem) -> int:
    with translation.override(settings.LANGUAGE_CODE):
        text = _("An inbox item is overdue.")
    return _send(item, _coordinators() + _department_people(item), text)


def assigned(*, item: InboxItem, actor, note: str) -> int:
    with translation.override(settings.LANGUAGE_CODE):
        text = _("The coordination assigned an inbox item to your department.")
    return _send(item, _department_people(item), text, actor=actor)


def reply_waiting(*, item: InboxItem, actor) -> int:
    """A reply waits for approval: Koordination and – for its department – the heads."""
    with translation.override(settings.LANGUAGE_CODE):
        text = _("A reply to an inbox item waits for your approval.")
    heads = []
    if item.department_id is not None:
        head_ids = Membership.objects.filter(
            department_id=item.department_id, role=Membership.Role.HEAD
        ).values("user_id")
        heads = list(get_user_model().objects.filter(pk__in=head_ids, is_active=True))
    return _send(item, _coordinators() + heads, text, actor=actor)


def reply_outcome(*, reply, text: str, coordinators: bool = False) -> int:
    """The reply's author (and Koordination for failures) learn what became of it."""
    recipients = [reply.author] if reply.author_id else []
    if coordinators:
        recipients += _coordinators()
    return _send(reply.item, recipients, text)


def _press_office():
    return list(
        get_user_model().objects.filter(Q(groups__name=roles.PRESSESTELLE), is_active=True).distinct()
    )


def escalated(*, item: InboxItem, actor) -> int:
    with translation.override(settings.LANGUAGE_CODE):
        text = _("An inbox item was passed to the press office.")
    return _send(item, _press_office(), text, actor=actor)


def handed_back(*, item: InboxItem, actor) -> int:
    with translation.override(settings.LANGUAGE_CODE):
        text = _("The press office handed an inbox item back to your department.")
    return _send(item, _department_people(item) or _coordinators(), text, actor=actor)


def spike(*, item: InboxItem, count: int) -> int:
    with translation.override(settings.LANGUAGE_CODE):
        text = _("Many new comments on one post: %(count)s within an hour.") % {"count": count}
    return _send(item, _coordinators(), text)
