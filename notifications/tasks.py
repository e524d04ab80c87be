"""Sending notification e-mails in the worker: digests after a short delay, retries after a failure."""

from __future__ import annotations

import logging
from datetime import datetime

from celery import shared_task
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import timezone

from . import email
from .models import Notification

logger = logging.getLogger("notifications")

MAX_RETRIES = 6  # 1, 2, 4, 8, 16, 32 minutes: about an hour of a mail server's trouble
RETRY_BASE_SECONDS = 60


def digest_key(recipient_id: int) -> str:
    return f"notifications:digest:{recipient_id}"


def deliver(recipient, notification_ids: list[int], *, attempt: int = 0) -> bool:
    """Send now; on failure log the recipient and the reason and queue a retry. True when sent."""
    notifications = list(
        Notification.objects.filter(pk__in=notification_ids, recipient=recipient)
        .select_related("post")
        .order_by("created_at", "pk")
    )
    if not notifications or not recipient.email:
        return True
    try:
        email.send(recipient, notifications)
    except Exception as exc:  # SMTP errors, a refused connection, a bad header …
        reason = f"{type(exc).__name__}: {exc}"
        if attempt < MAX_RETRIES:
            countdown = RETRY_BASE_SECONDS * 2**attempt
            logger.warning(
                "e-mail to %s failed (%s notification(s)): %s – trying again in %s s (attempt %s of %s)",
                recipient.email,
                len(notifications),
                reason,
                countdown,
                attempt + 1,
                MAX_RETRIES + 1,
            )
            _queue(recipient.pk, notification_ids=notification_ids, attempt=attempt + 1, countdown=countdown)
        else:
            logger.error(
                "e-mail to %s failed for good (%s notification(s), %s attempts): %s",
                recipient.email,
                len(notifications),
                attempt + 1,
                reason,
            )
        return False
    return True


def _queue(recipient_id: int, *, countdown: float, **kwargs) -> bool:
    try:
        send_emails.apply_async(kwargs={"recipient_id": recipient_id, **kwargs}, countdown=countdown)
    except Exception:  # the broker is down: nothing else can carry it
        logger.error(
            "e-mail to user %s could not be queued (broker unreachable)", recipient_id, exc_info=True
        )
        return False
    return True


def schedule_digest(recipient_id: int, *, since: datetime, delay: float) -> bool:
    """One digest per recipient and delay: the first notification schedules it, the next ones join it."""
    if not cache.add(digest_key(recipient_id), since.isoformat(), timeout=int(delay * 10) + 60):
        return True  # a digest is already on its way
    if _queue(recipient_id, since=since.isoformat(), countdown=delay):
        return True
    cache.delete(digest_key(recipient_id))
    return False


@shared_task(name="notifications.tasks.send_emails", ignore_result=True, acks_late=True)
def send_emails(
    recipient_id: int,
    notification_ids: list[int] | None = None,
    since: str | None = None,
    attempt: int = 0,
) -> None:
    recipient = get_user_model().objects.filter(pk=recipient_id, is_active=True).first()
    if recipient is None:
        cache.delete(digest_key(recipient_id))
        return
    if notification_ids is None:
        # A digest: everything since the first notification; later ones schedule the next digest.
        cache.delete(digest_key(recipient_id))
        until = timezone.now()
        notification_ids = list(
            Notification.objects.filter(
                recipient_id=recipient_id,
                created_at__gte=datetime.fromisoformat(since),
                created_at__lte=until,
            ).values_list("pk", flat=True)
        )
    deliver(recipient, notification_ids, attempt=attempt)
