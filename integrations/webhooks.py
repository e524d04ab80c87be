"""Outbound webhooks: from the audit trail to signed HTTP requests.

1. :func:`webhooks_dispatch` (beat, every few seconds) reads the audit events after the cursor in sequence
   order, keeps those whose verb a registered event (:mod:`integrations.events`) names, and makes one
   :class:`WebhookDelivery` per active subscription that wants the event and whose integration covers the
   post's department. The message id is derived from the audit sequence and the subscription, so a
   dispatch run twice makes nothing twice. Deliveries are queued after the commit.
2. :func:`webhook_attempt` sends one delivery, signed as the Standard Webhooks specification says
   (``webhook-id``, ``webhook-timestamp``, ``webhook-signature`` by the ``standardwebhooks`` package), with
   no redirects and the SSRF check before each attempt, and records status code and duration. A 2xx
   ends it; anything else is retried with exponential backoff (``WEBHOOK_MAX_ATTEMPTS``); the last
   failure counts against the subscription, which is switched off after ``WEBHOOK_DISABLE_AFTER`` failed
   deliveries in a row – audited, and the integration's responsible person and the subscription's creator
   get an e-mail.
"""

from __future__ import annotations

import json
import random
import time
from datetime import timedelta

import requests
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from audit.models import AuditEvent
from audit.services import audit_record
from posts.models import Post

from . import events
from .models import WebhookCursor, WebhookDelivery, WebhookSubscription
from .ssrf import check_url

WEBHOOK_MAX_ATTEMPTS = 5
WEBHOOK_BACKOFF_BASE = 30  # seconds: 30, 60, 120, 240 (+ jitter)
WEBHOOK_DISABLE_AFTER = 5  # failed deliveries in a row
WEBHOOK_TIMEOUT = 10
DISPATCH_BATCH = 500


def _payload(event: events.WebhookEvent, audit: AuditEvent, post: Post | None) -> dict:
    data = {"audit_sequence": audit.sequence, "object_type": audit.object_type, "object_id": audit.object_id}
    if post is not None:
        data["post"] = {
            "id": post.pk,
            "status": post.status,
            "department": post.department.code,
            "title": post.title,
            "url": f"/api/v1/posts/{post.pk}/",
        }
    if audit.object_type == "publishing.delivery":
        data["delivery"] = {"id": audit.object_id, "status": audit.after.get("status")}
    return {"type": event.name, "timestamp": audit.created_at.isoformat(), "data": data}


@transaction.atomic
def webhooks_dispatch() -> list[int]:
    """Turn new audit events into deliveries; returns the ids of the deliveries made."""
    cursor, created = WebhookCursor.objects.select_for_update().get_or_create(id=1)
    if created:  # the first run starts now: no replay of the whole history
        last = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first() or 0
        cursor.last_sequence = last
        cursor.save(update_fields=["last_sequence"])
        return []
    verbs = events.all_verbs()
    batch = list(
        AuditEvent.objects.filter(sequence__gt=cursor.last_sequence).order_by("sequence")[:DISPATCH_BATCH]
    )
    if not batch:
        return []
    relevant = [audit for audit in batch if audit.verb in verbs]
    posts = Post.objects.select_related("department").in_bulk(
        {audit.post_id for audit in relevant if audit.post_id}
    )
    subscriptions = list(
        WebhookSubscription.objects.filter(active=True, integration__active=True).prefetch_related(
            "integration__departments"
        )
    )
    made = []
    for audit in relevant:
        post = posts.get(audit.post_id)
        for event in events.events_for_verb(audit.verb):
            for subscription in subscriptions:
                if event.name not in subscription.events:
                    continue
                departments = {d.pk for d in subscription.integration.departments.all()}
                if event.about_posts:
                    if post is None:
                        continue
                    if post.department_id not in departments:
                        continue
                elif (
                    event.department_key and (audit.after or {}).get(event.department_key) not in departments
                ):
                    continue
                delivery, new = WebhookDelivery.objects.get_or_create(
                    message_id=f"msg_{audit.sequence}_{subscription.pk}_{event.name}",
                    defaults={
                        "subscription": subscription,
                        "next_attempt_at": timezone.now(),
                        "event": event.name,
                        "payload": json.loads(
                            json.dumps(_payload(event, audit, post), cls=DjangoJSONEncoder)
                        ),
                    },
                )
                if new:
                    made.append(delivery.pk)
    cursor.last_sequence = batch[-1].sequence
    cursor.save(update_fields=["last_sequence"])
    return made  # the task queues them once this transaction has committed


def sign(subscription: WebhookSubscription, message_id: str, body: bytes, when=None) -> dict[str, str]:
    when = when or timezone.now()
    signature = Webhook(subscription.secret).sign(msg_id=message_id, timestamp=when, data=body)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(when.timestamp())),
        "webhook-signature": signature,
        "content-type": "application/json",
        "user-agent": "Landkreis-Social-Webhooks/1",
    }


def backoff(attempt: int) -> float:
    """Seconds before attempt ``attempt + 1``: 30, 60, 120 … with up to 20 % jitter."""
    base = WEBHOOK_BACKOFF_BASE * 2 ** (attempt - 1)
    return base * (1 + random.random() * 0.2)  # noqa: S311 - jitter, not a secret


def _notify_switched_off(subscription: WebhookSubscription) -> None:
    recipients = [
        user.email
        for user in (subscription.integration.responsible, subscription.created_by)
        if user is not None and user.email
    ]
    if not recipients:
        return
    subject = f"Webhook abgeschaltet: {subscription.integration.name}"
    body = (
        f"Der Webhook {subscription.url} der Integration {subscription.integration.name} wurde nach "
        f"{WEBHOOK_DISABLE_AFTER} fehlgeschlagenen Zustellungen in Folge abgeschaltet.\n"
        f"Letzter Fehler: {subscription.disabled_reason}\n"
        "Wieder einschalten: Administration → Webhook-Abonnements."
    )
    transaction.on_commit(lambda: send_mail(subject, body, None, recipients, fail_silently=True))


@transaction.atomic
def _record(delivery_id: int, *, status_code, error: str, duration_ms: int) -> float | None:
    """Store an attempt's outcome; returns the countdown for the next attempt or None."""
    delivery = WebhookDelivery.objects.select_for_update().select_related("subscription").get(pk=delivery_id)
    subscription = WebhookSubscription.objects.select_for_update().get(pk=delivery.subscription_id)
    delivery.attempts += 1
    delivery.last_status_code = status_code
    delivery.last_error = error[:300]
    delivery.last_duration_ms = duration_ms
    delivery.last_attempt_at = timezone.now()
    countdown = None
    delivery.next_attempt_at = None
    if status_code is not None and 200 <= status_code < 300:
        delivery.status = WebhookDelivery.Status.DELIVERED
        if subscription.consecutive_failures:
            subscription.consecutive_failures = 0
            subscription.save(update_fields=["consecutive_failures"])
    elif delivery.attempts < WEBHOOK_MAX_ATTEMPTS:
        delivery.status = WebhookDelivery.Status.RETRYING
        countdown = backoff(delivery.attempts)
        delivery.next_attempt_at = timezone.now() + timedelta(seconds=countdown)
    else:
        delivery.status = WebhookDelivery.Status.FAILED
        subscription.consecutive_failures += 1
        fields = ["consecutive_failures"]
        if subscription.active and subscription.consecutive_failures >= WEBHOOK_DISABLE_AFTER:
            subscription.active = False
            subscription.disabled_at = timezone.now()
            subscription.disabled_reason = (error or f"HTTP {status_code}")[:300]
            fields += ["active", "disabled_at", "disabled_reason"]
            audit_record(
                actor=None,
                verb="webhook.switched_off",
                obj=subscription,
                after={"url": subscription.url, "failures": subscription.consecutive_failures},
                comment=subscription.disabled_reason,
            )
            _notify_switched_off(subscription)
        subscription.save(update_fields=fields)
    delivery.save()
    return countdown


def webhook_attempt(delivery_id: int) -> float | None:
    """Send a delivery once. Returns the countdown for a retry, or None when it is settled."""
    delivery = WebhookDelivery.objects.select_related("subscription").get(pk=delivery_id)
    if delivery.status in (
        WebhookDelivery.Status.DELIVERED,
        WebhookDelivery.Status.FAILED,
        WebhookDelivery.Status.REFUSED,
    ):
        return None
    subscription = delivery.subscription
    if not subscription.active:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDelivery.Status.FAILED, last_error="subscription switched off"
        )
        return None
    try:
        check_url(subscription.url)
    except ValidationError as error:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDelivery.Status.REFUSED, last_error=" ".join(error.messages)[:300]
        )
        return None
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    headers = sign(subscription, delivery.message_id, body)
    started = time.monotonic()
    status_code, error = None, ""
    try:
        response = requests.post(
            subscription.url, data=body, headers=headers, timeout=WEBHOOK_TIMEOUT, allow_redirects=False
        )
        status_code = response.status_code
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}"
    except requests.RequestException as exc:
        error = f"{type(exc).__name__}"
    duration_ms = int((time.monotonic() - started) * 1000)
    return _record(delivery.pk, status_code=status_code, error=error, duration_ms=duration_ms)


# A due delivery this much overdue lost its Celery message (a flushed Redis, a restarted worker).
STALE_AFTER = timedelta(minutes=5)


def stale_deliveries(now=None) -> list[int]:
    """Deliveries whose attempt is overdue by more than ``STALE_AFTER``: queued again by the dispatcher.
    Their ``next_attempt_at`` moves on, so each is re-queued once per period. (Should the lost message
    turn up after all, the receiver sees the same ``webhook-id`` twice – the specification asks
    receivers to deduplicate by it.)"""
    now = now or timezone.now()
    ids = list(
        WebhookDelivery.objects.filter(
            status__in=(WebhookDelivery.Status.PENDING, WebhookDelivery.Status.RETRYING),
            next_attempt_at__lt=now - STALE_AFTER,
        ).values_list("pk", flat=True)[:DISPATCH_BATCH]
    )
    WebhookDelivery.objects.filter(pk__in=ids).update(next_attempt_at=now)
    return ids


def purge_deliveries(days: int = 30) -> int:
    deleted, _rows = WebhookDelivery.objects.filter(
        created_at__lt=timezone.now() - timedelta(days=days)
    ).delete()
    return deleted
