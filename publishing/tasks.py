"""Celery entry points of publishing. Tasks take delivery ids only; the database decides.

- ``deliver(id)``: claim (conditional UPDATE), call the network adapter outside any transaction,
  record the outcome. A message for a delivery that is not claimable (a duplicate, a redelivery after
  a lost acknowledgement, a stale sweep) finds nothing to claim and returns.
- ``withdraw(id)``: the same for deleting a published post on its network.
- ``sweep()``: beat runs it every ``PUBLISHING_SWEEP_SECONDS``; see ``deliveries_sweep``.

No task ever waits for another or sleeps: a rate limit or a backoff becomes a countdown (or, for long
waits, the sweep's job), so one slow or failing channel never holds back another.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import OperationalError, close_old_connections, connection
from django.utils import timezone
from django.utils.translation import gettext as _

from channels.adapters import adapter_for
from channels.networks import registry
from channels.networks.base import ErrorKind, PublishError

from . import delivery_services as deliveries

logger = logging.getLogger(__name__)

# With the prefork pool the task is stopped before its lease runs out, so an expired lease means
# "worker gone". The threads pool (docker compose, make demo) cannot stop a thread: there the adapters'
# network timeouts bound a task, and should one still outlive its lease, its late answer is kept
# (an "uncertain" delivery that did get published is recorded as published; a deduplicating network
# answers the second sending with the first post).
TIME_LIMIT = settings.PUBLISHING_LEASE_SECONDS * 0.9
SOFT_TIME_LIMIT = settings.PUBLISHING_LEASE_SECONDS * 0.8
# The network libraries are imported when the worker starts, not during its first delivery.
registry.kinds()
# Sending to the broker after a commit: fail fast when it is down (the sweep queues it later).
RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}


def _worker_id(task) -> str:
    return f"{task.request.hostname or socket.gethostname()}:{os.getpid()}"


def enqueue(delivery_id: int, *, task: str = "deliver", countdown: float | None = None) -> bool:
    """Put a delivery on the broker (after the commit that made it due). Waits longer than
    ``PUBLISHING_MAX_COUNTDOWN_SECONDS`` are left to the sweep. Never raises: a broker that is down
    delays the delivery until the next sweep, it does not fail the request that approved it."""
    if countdown is not None and countdown > settings.PUBLISHING_MAX_COUNTDOWN_SECONDS:
        return False
    target = {"deliver": deliver, "withdraw": withdraw}[task]
    try:
        target.apply_async(
            args=[delivery_id],
            countdown=max(0.0, countdown) if countdown else None,
            retry_policy=RETRY_POLICY,
        )
    except Exception:  # kombu/redis errors: the database still knows the delivery is due
        logger.warning("broker unreachable: delivery %s is left to the sweep", delivery_id, exc_info=True)
        return False
    return True


def _until(moment) -> float:
    return max(0.0, (moment - timezone.now()).total_seconds())


def _drop_broken_connection() -> None:
    """A worker keeps its connection across tasks (CELERY_DB_REUSE_MAX): replace it if it broke or
    is older than CONN_MAX_AGE. (Not inside a transaction – the tests run tasks inside one.)"""
    if not connection.in_atomic_block:
        close_old_connections()


def _with_db_retry(function, *, tries: int = 4):
    """Run a short transaction again after a deadlock or a dropped connection. Above all the outcome
    of a network call must not get lost: without it the delivery would end up "uncertain"."""
    for attempt in range(tries):
        try:
            return function()
        except OperationalError:
            if attempt == tries - 1:
                raise
            logger.warning("database error, trying again (%s of %s)", attempt + 1, tries - 1, exc_info=True)
            _drop_broken_connection()
            time.sleep(0.1 * 2**attempt)
    return None


@shared_task(
    name="publishing.tasks.deliver",
    ignore_result=True,
    acks_late=True,
    time_limit=TIME_LIMIT,
    soft_time_limit=SOFT_TIME_LIMIT,
)
def deliver(delivery_id: int) -> str:
    return run_delivery(int(delivery_id), worker=_worker_id(deliver))


class LeaseKeeper(threading.Thread):
    """Renews a claimed delivery's lease every third of ``PUBLISHING_LEASE_RENEW_SECONDS`` while the
    adapter sends, never beyond ``PUBLISHING_LEASE_SECONDS`` after the claim (a hung request still ends
    as "worker gone"). When the worker process dies (kill -9, out of memory) the renewals stop and the
    sweep notices it one renewal period later instead of after the whole lease (issue 14)."""

    def __init__(self, claim, worker: str):
        super().__init__(name=f"lease-{claim.delivery_id}", daemon=True)
        self.claim, self.worker = claim, worker
        self.stopped = threading.Event()
        self.hard_end = timezone.now() + timedelta(seconds=settings.PUBLISHING_LEASE_SECONDS)

    def run(self):
        period = settings.PUBLISHING_LEASE_RENEW_SECONDS
        try:
            while not self.stopped.wait(period / 3):
                until = min(timezone.now() + timedelta(seconds=period), self.hard_end)
                if not deliveries.delivery_renew_lease(
                    delivery_id=self.claim.delivery_id,
                    number=self.claim.number,
                    worker=self.worker,
                    until=until,
                ):
                    return
        except Exception:  # a renewal that fails only makes the lease end sooner
            logger.warning("delivery %s: renewing the lease failed", self.claim.delivery_id, exc_info=True)
        finally:
            connection.close()  # this thread's own connection

    def stop(self):
        self.stopped.set()


def run_delivery(delivery_id: int, *, worker: str) -> str:
    _drop_broken_connection()
    claim = _with_db_retry(lambda: deliveries.delivery_claim(delivery_id=delivery_id, worker=worker))
    if claim is None:
        return "nothing to do"
    if isinstance(claim, deliveries.Wait):  # the channel's posting limit: later, not refused
        enqueue(delivery_id, countdown=_until(claim.until))
        return "rate limited"
    if isinstance(claim, deliveries.KeyWindowPassed):
        _with_db_retry(lambda: deliveries.delivery_key_window_passed(delivery_id=delivery_id))
        return "uncertain"
    adapter_class = registry.get(claim.channel.kind)
    ref = error = None
    started = time.monotonic()
    keeper = LeaseKeeper(claim, worker)
    keeper.start()
    try:
        error = deliveries.preflight_error(adapter_class, claim.content)
        if error is None:
            ref = adapter_for(claim.channel).publish(claim.content)
    except PublishError as exc:
        error = exc
    except Exception as exc:  # before the adapter sent anything (it maps its own failures)
        logger.exception("delivery %s: preparing the adapter failed", delivery_id)
        error = PublishError(
            _("Preparing the request failed (%(error)s); nothing was sent.") % {"error": type(exc).__name__},
            kind=ErrorKind.RETRYABLE,
        )
    finally:
        keeper.stop()
    duration_ms = int((time.monotonic() - started) * 1000)
    result = _with_db_retry(
        lambda: deliveries.delivery_record_outcome(
            claim=claim,
            ref=ref,
            error=error,
            duration_ms=duration_ms,
            deduplicates=adapter_class.deduplicates,
        )
    )
    if result.retry_at is not None:
        enqueue(delivery_id, countdown=_until(result.retry_at))
    if result.withdraw:
        enqueue(delivery_id, task="withdraw")
    return result.status


@shared_task(
    name="publishing.tasks.withdraw",
    ignore_result=True,
    acks_late=True,
    time_limit=TIME_LIMIT,
    soft_time_limit=SOFT_TIME_LIMIT,
)
def withdraw(delivery_id: int) -> str:
    return run_withdrawal(int(delivery_id), worker=_worker_id(withdraw))


def run_withdrawal(delivery_id: int, *, worker: str) -> str:
    _drop_broken_connection()
    claim = _with_db_retry(lambda: deliveries.delivery_withdraw_claim(delivery_id=delivery_id, worker=worker))
    if claim is None:
        return "nothing to do"
    error = None
    started = time.monotonic()
    if not claim.external_id:
        error = PublishError(
            _(
                "The post's id on the network is unknown (it was marked as published by hand): please delete it there."
            ),
            kind=ErrorKind.PERMANENT,
        )
    else:
        try:
            adapter_for(claim.channel).delete(claim.external_id)
        except PublishError as exc:
            error = exc
        except Exception as exc:
            logger.exception("delivery %s: preparing the deletion failed", delivery_id)
            error = PublishError(type(exc).__name__, kind=ErrorKind.RETRYABLE)
    duration_ms = int((time.monotonic() - started) * 1000)
    result = _with_db_retry(
        lambda: deliveries.delivery_record_withdrawal(claim=claim, error=error, duration_ms=duration_ms)
    )
    if result.retry_at is not None:
        enqueue(delivery_id, task="withdraw", countdown=_until(result.retry_at))
    return result.status


@shared_task(name="publishing.tasks.sweep", ignore_result=True)
def sweep() -> dict:
    result = deliveries.deliveries_sweep()
    if result.expired or result.queued or result.withdrawals:
        logger.info(
            "sweep: %s lease(s) expired, %s delivery(ies) and %s withdrawal(s) queued",
            result.expired,
            len(result.queued),
            len(result.withdrawals),
        )
    return {"expired": result.expired, "queued": len(result.queued), "withdrawals": len(result.withdrawals)}
