"""Celery entry points of the integrations app."""

from __future__ import annotations

from celery import shared_task

from .api import idempotency


@shared_task
def purge_idempotency_keys() -> int:
    """Forget Idempotency-Keys older than 24 hours."""
    return idempotency.purge()
