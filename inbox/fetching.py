"""Fetching what citizens write, per channel, through the channel's adapter (``fetch_inbox``).

One run for one channel (``fetch_channel``, a Celery task per channel queued by beat's ``fetch_due``):

1. **Claim** the channel's :class:`ChannelInbox` with a conditional UPDATE (a lease): a second worker
   for the same channel finds nothing to do. A worker killed mid-fetch frees it when the lease ends.
2. **Read** a page through the adapter, outside any transaction, as long as the channel's read window
   (``reads_per_window``) and – where reads cost money (X) – its monthly budget allow.
3. **Commit** the page in one transaction: upsert by (channel, id on the network), route, start the
   clock, and move the cursor (compare-and-set on the cursor read in 2). The cursor is never ahead of
   the committed items: a run that dies before the commit reads the same page again, and the upsert
   keeps every item once.
4. Errors go on the channel's health like publishing's: a **credentials** problem marks the channel
   "needs attention" (it is not read again until that is cleared); a **temporary** one (429 with its
   reset, 5xx, timeouts, malformed answers) backs off exponentially, never before the network's reset.

Nothing here logs a citizen's text or name: only channel ids, counts and the adapter's error message.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from audit.services import audit_record
from channels.adapters import adapter_for
from channels.models import Channel
from channels.networks import registry
from channels.networks.base import InboxPage, PublishError
from channels.selectors import live_channels

from . import routing
from .models import ChannelInbox

logger = logging.getLogger(__name__)


@dataclass
class FetchResult:
    status: str  # "ok", "busy", "skipped", "budget", "window", "retry", "credentials", "refused"
    created: int = 0
    seen: int = 0
    pages: int = 0
    message: str = ""


def readable_channels():
    """Live channels whose network can be read and whose reading is switched on (or not set up yet)."""
    kinds = registry.readers()
    return (
        live_channels()
        .filter(kind__in=kinds, attention_since__isnull=True)
        .exclude(inbox_state__reading_enabled=False)
    )


def _month(moment: datetime) -> date:
    return timezone.localtime(moment).date().replace(day=1)


def channel_inbox_for(channel: Channel) -> ChannelInbox:
    """The channel's inbox state, created on first use (X: reading off, with the default budget)."""
    adapter = registry.get(channel.kind)
    state, _created = ChannelInbox.objects.get_or_create(
        channel=channel,
        defaults={
            "reading_enabled": not adapter.reads_are_paid,
            "monthly_read_budget": (settings.INBOX_X_MONTHLY_READS or None)
            if adapter.reads_are_paid
            else None,
        },
    )
    return state


def _claim(channel: Channel, now: datetime) -> ChannelInbox | None:
    state = channel_inbox_for(channel)
    claimed = ChannelInbox.objects.filter(
        Q(lease_until__isnull=True) | Q(lease_until__lte=now),
        Q(next_fetch_at__isnull=True) | Q(next_fetch_at__lte=now),
        pk=state.pk,
        reading_enabled=True,
    ).update(lease_until=now + timedelta(seconds=settings.INBOX_FETCH_LEASE_SECONDS), last_fetch_at=now)
    if not claimed:
        return None
    state.refresh_from_db()
    return state


def _release(state: ChannelInbox, **fields) -> None:
    ChannelInbox.objects.filter(pk=state.pk).update(lease_until=None, **fields)


def backoff_seconds(failures: int, retry_after: float | None) -> float:
    ceiling = min(3600.0, settings.INBOX_FETCH_SECONDS * 2 ** max(0, failures - 1))
    wait = max(settings.INBOX_FETCH_SECONDS, random.uniform(ceiling / 2, ceiling))  # noqa: S311 - jitter
    if retry_after is not None:
        wait = max(wait, float(retry_after) + 1.0)
    return wait


def _window_wait(state: ChannelInbox, limit: tuple[int, int] | None, now: datetime) -> datetime | None:
    if not limit or state.window_started_at is None:
        return None
    count, seconds = limit
    end = state.window_started_at + timedelta(seconds=seconds)
    if now >= end or state.window_reads < count:
        return None
    return end


def _budget_left(state: ChannelInbox, now: datetime) -> int | None:
    if state.monthly_read_budget is None:
        return None
    used = state.reads_used if state.reads_month == _month(now) else 0
    return max(0, state.monthly_read_budget - used)


def budget_status(state: ChannelInbox, now: datetime | None = None) -> tuple[int, int | None]:
    """(reads used this month, budget or None) – shown in the admin and on the inbox page."""
    now = now or timezone.now()
    used = state.reads_used if state.reads_month == _month(now) else 0
    return used, state.monthly_read_budget


def _mark_credentials_problem(channel: Channel, message: str) -> None:
    with transaction.atomic():
        first = Channel.objects.filter(pk=channel.pk, attention_since__isnull=True).update(
            attention_since=timezone.now(), attention_message=message[:500]
        )
        if first:
            audit_record(
                actor=None,
                verb="channel.needs_attention",
                obj=channel,
                after={"message": message[:500], "while": "reading the inbox"},
            )


def fetch_channel(channel_id: int, *, now: datetime | None = None) -> FetchResult:
    channel = Channel.objects.filter(pk=channel_id).first()
    if channel is None or not readable_channels().filter(pk=channel_id).exists():
        return FetchResult("skipped")
    started = now or timezone.now()
    state = _claim(channel, started)
    if state is None:
        return FetchResult("busy")
    adapter_class = registry.get(channel.kind)
    result = FetchResult("ok")
    try:
        adapter = adapter_for(channel)
        for _page in range(settings.INBOX_MAX_PAGES_PER_RUN):
            moment = timezone.now()
            left = _budget_left(state, moment)
            if left is not None and left < adapter_class.read_page_minimum:
                next_month = (_month(moment) + timedelta(days=32)).replace(day=1)
                _release(
                    state,
                    next_fetch_at=timezone.make_aware(datetime.combine(next_month, datetime.min.time())),
                    last_error="Monthly read budget used up.",
                )
                result.status = "budget"
                return result
            wait = _window_wait(state, adapter_class.reads_per_window, moment)
            if wait is not None:
                _release(state, next_fetch_at=wait)
                result.status = "window"
                return result
            page = adapter.fetch_inbox(state.cursor, max_items=left)
            created, seen = commit_page(channel=channel, state=state, page=page, now=timezone.now())
            result.created += created
            result.seen += seen
            result.pages += 1
            if created < 0:  # somebody else moved the cursor meanwhile (an expired lease): stop here
                result.created = max(0, result.created)
                break
            if not page.more:
                break
    except PublishError as error:
        return _record_error(channel, state, error, result)
    _release(
        state,
        failures=0,
        next_fetch_at=None,
        last_success_at=timezone.now(),
        last_error="",
    )
    logger.info("inbox: channel %s fetched %s pages, %s new items", channel.pk, result.pages, result.created)
    return result


def _record_error(
    channel: Channel, state: ChannelInbox, error: PublishError, result: FetchResult
) -> FetchResult:
    message = error.message[:500]
    result.message = message
    if error.credentials_problem:
        _mark_credentials_problem(channel, message)
        _release(state, failures=F("failures") + 1, last_error=message)
        result.status = "credentials"
    elif error.permanent:
        # Refused (403, 404 …): back off like a temporary error, the message is on the channel's health.
        wait = backoff_seconds(state.failures + 1, error.retry_after)
        _release(
            state,
            failures=F("failures") + 1,
            next_fetch_at=timezone.now() + timedelta(seconds=wait),
            last_error=message,
        )
        result.status = "refused"
    else:
        wait = backoff_seconds(state.failures + 1, error.retry_after)
        _release(
            state,
            failures=F("failures") + 1,
            next_fetch_at=timezone.now() + timedelta(seconds=wait),
            last_error=message,
        )
        result.status = "retry"
    logger.warning("inbox: channel %s fetch failed (%s): %s", channel.pk, result.status, message)
    return result


@transaction.atomic
def commit_page(*, channel: Channel, state: ChannelInbox, page: InboxPage, now: datetime) -> tuple[int, int]:
    """Upsert the page's items and move the cursor, in one transaction. Returns (created, seen);
    created is -1 when the cursor had moved meanwhile (nothing of this page is written then)."""
    month = _month(now)
    window = Q(window_started_at__isnull=True) | Q(
        window_started_at__lte=now
        - timedelta(seconds=(registry.get(channel.kind).reads_per_window or (1, 1))[1])
    )
    billed = page.requests if page.billed_reads is None else page.billed_reads
    common = {
        "cursor": page.cursor,
        "reads_used": (F("reads_used") + billed) if state.reads_month == month else billed,
        "reads_month": month,
    }
    moved = ChannelInbox.objects.filter(pk=state.pk, cursor=state.cursor).filter(window).update(
        window_started_at=now, window_reads=page.requests, **common
    ) or ChannelInbox.objects.filter(pk=state.pk, cursor=state.cursor).update(
        window_reads=F("window_reads") + page.requests, **common
    )
    if not moved:
        return -1, 0
    items = page.items
    if state.last_success_at is None and settings.INBOX_BACKFILL_DAYS:
        # The channel's first complete read: what was written long before the inbox existed is history,
        # not work – it would arrive overdue by weeks. Skipped (the cursor moves past it all the same).
        horizon = now - timedelta(days=settings.INBOX_BACKFILL_DAYS)
        items = tuple(item for item in items if item.created_at is None or item.created_at >= horizon)
    created = routing.upsert_items(channel=channel, inbound=items, now=now)
    state.refresh_from_db(fields=["cursor", "reads_used", "reads_month", "window_started_at", "window_reads"])
    if created:
        audit_record(
            actor=None,
            verb="inbox.items_received",
            obj=channel,
            after={"channel": channel.name, "count": created},
        )
    return created, len(page.items)
