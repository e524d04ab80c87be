"""Celery entry points of the inbox. Tasks take channel ids only; the database decides.

- ``fetch_due()``: beat, every ``INBOX_FETCH_SECONDS``: queue ``fetch(channel_id)`` for each live channel
  that can be read (the claim in ``fetch_channel`` drops duplicates and honours backoff).
- ``fetch(channel_id)``: one channel's run (inbox.fetching).
- ``clock_notices()``: reminders and overdue notices, each once.
- ``retention()``: delete closed items after the retention period.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from . import fetching, moderation, replying, services, spikes

logger = logging.getLogger(__name__)


def _fresh_connection() -> None:
    if not connection.in_atomic_block:
        close_old_connections()


@shared_task(name="inbox.tasks.fetch_due", ignore_result=True)
def fetch_due() -> int:
    _fresh_connection()
    now = timezone.now()
    due = (
        fetching.readable_channels()
        .exclude(inbox_state__next_fetch_at__gt=now)
        .exclude(inbox_state__lease_until__gt=now)
    )
    ids = list(due.values_list("pk", flat=True))
    for channel_id in ids:
        try:
            fetch.apply_async(args=[channel_id], expires=settings.INBOX_FETCH_SECONDS)
        except Exception:  # the broker is down: the next beat tries again
            logger.warning("inbox: broker unreachable, channel %s waits for the next round", channel_id)
            return 0
    return len(ids)


@shared_task(
    name="inbox.tasks.fetch",
    ignore_result=True,
    acks_late=True,
    time_limit=settings.INBOX_FETCH_LEASE_SECONDS * 0.9,
    soft_time_limit=settings.INBOX_FETCH_LEASE_SECONDS * 0.8,
)
def fetch(channel_id: int) -> str:
    _fresh_connection()
    return fetching.fetch_channel(int(channel_id)).status


@shared_task(name="inbox.tasks.clock_notices", ignore_result=True)
def clock_notices() -> dict:
    _fresh_connection()
    return services.items_send_clock_notices()


@shared_task(name="inbox.tasks.retention", ignore_result=True)
def retention() -> int:
    _fresh_connection()
    moderation.evidence_delete_expired()
    return services.items_delete_expired()


@shared_task(
    name="inbox.tasks.send_reply",
    ignore_result=True,
    acks_late=True,
    time_limit=settings.PUBLISHING_LEASE_SECONDS * 0.9,
    soft_time_limit=settings.PUBLISHING_LEASE_SECONDS * 0.8,
)
def send_reply(reply_id: int) -> str:
    """Send one reply (inbox.replying); a duplicate message finds nothing to claim."""
    _fresh_connection()
    return replying.reply_send(int(reply_id))


@shared_task(name="inbox.tasks.replies_sweep", ignore_result=True)
def replies_sweep() -> dict:
    _fresh_connection()
    return replying.replies_sweep()


@shared_task(name="inbox.tasks.spike_alerts", ignore_result=True)
def spike_alerts() -> int:
    _fresh_connection()
    return spikes.spikes_alert()
