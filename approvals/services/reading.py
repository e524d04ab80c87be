"""Marking notifications read."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from notifications.models import Notification

# --- notifications ---------------------------------------------------------------------------------------
# Reading a notification is not a decision anybody is accountable for: not audited.


@transaction.atomic
def notification_mark_read(*, actor, notification: Notification) -> Notification:
    if notification.recipient_id != actor.pk:
        raise PermissionDenied
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, actor) -> int:
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())
