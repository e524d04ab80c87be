"""Reading the audit trail: per post, per object.

``object_type`` is the model's label when the event was written and the hash covers it, so events written
before a model moved to another app keep the old label. Lookups by object accept those old labels.
"""

from __future__ import annotations

from django.db import models
from django.db.models import QuerySet

from .models import AuditEvent

# Current label → the labels the same model had before (issue 13 moved channels out of publishing).
OBJECT_TYPE_ALIASES: dict[str, tuple[str, ...]] = {
    "channels.channel": ("publishing.channel",),
    "channels.rolloutphase": ("publishing.rolloutphase",),
    "channels.sandboxpost": ("publishing.sandboxpost",),
    "audit.auditevent": ("approvals.auditevent",),
    "notifications.notification": ("approvals.notification",),
}


def object_types(label: str) -> tuple[str, ...]:
    """``label`` and every label the same model was written under earlier."""
    return (label, *OBJECT_TYPE_ALIASES.get(label, ()))


def events_for(obj: models.Model) -> QuerySet[AuditEvent]:
    """Every event about ``obj`` (under its current or an earlier label), oldest first."""
    return AuditEvent.objects.filter(
        object_type__in=object_types(obj._meta.label_lower), object_id=str(obj.pk)
    ).order_by("sequence")


def timeline(post_id: int) -> QuerySet[AuditEvent]:
    """Every audit event about the post, oldest first."""
    return AuditEvent.objects.filter(post_id=post_id).order_by("sequence")
