"""Spike alert: more than ``INBOX_SPIKE_PER_HOUR`` new items within the last hour on one county post
notify Koordination – once per post and clock hour (a unique row claims the alert before anything is
sent, so two beats or workers never send it twice)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from audit.services import audit_record

from . import notices
from .models import InboxItem, SpikeAlert


def spikes_alert(*, now=None) -> int:
    now = now or timezone.now()
    threshold = settings.INBOX_SPIKE_PER_HOUR
    hour = now.replace(minute=0, second=0, microsecond=0)
    busy = (
        InboxItem.objects.filter(post__isnull=False, received_at__gt=now - timedelta(hours=1))
        .values("post_id")
        .annotate(count=Count("pk"))
        .filter(count__gt=threshold)
    )
    sent = 0
    for row in busy:
        try:
            with transaction.atomic():
                SpikeAlert.objects.create(post_id=row["post_id"], hour=hour, count=row["count"])
                latest = (
                    InboxItem.objects.select_related("channel", "department")
                    .filter(post_id=row["post_id"])
                    .order_by("-received_at", "-pk")
                    .first()
                )
                notices.spike(item=latest, count=row["count"])
                audit_record(
                    actor=None,
                    verb="inbox.spike_alert",
                    obj=latest,
                    post_id=row["post_id"],
                    after={"count": row["count"], "threshold": threshold},
                )
        except IntegrityError:
            continue  # this hour's alert for the post went out already
        sent += 1
    return sent
