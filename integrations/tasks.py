"""Celery entry points of the integrations app."""

from __future__ import annotations

from celery import shared_task

from .api import idempotency
from .models import FeedSource
from .services import feed_import
from .webhooks import stale_deliveries, webhook_attempt, webhooks_dispatch


@shared_task
def purge_idempotency_keys() -> int:
    """Forget Idempotency-Keys older than 24 hours."""
    return idempotency.purge()


@shared_task
def dispatch_webhooks() -> int:
    """New audit events → webhook deliveries (committed), then queue each."""
    made = webhooks_dispatch() + stale_deliveries()
    for pk in made:
        deliver_webhook.delay(pk)
    return len(made)


@shared_task(ignore_result=True)
def deliver_webhook(delivery_id: int) -> None:
    countdown = webhook_attempt(delivery_id)
    if countdown is not None:
        deliver_webhook.apply_async((delivery_id,), countdown=countdown)


@shared_task
def import_feeds() -> int:
    """Every enabled data feed once (beat); a source that fails keeps its error in ``last_error``."""
    made = 0
    for source in FeedSource.objects.filter(enabled=True).select_related(
        "integration__service_user",
        "integration__responsible",
        "template",
        "update_template",
        "cancel_template",
    ):
        made += len(feed_import(source=source))
    return made
