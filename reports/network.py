"""Snapshots of what each network says about published posts and about the channels' followers.

Beat runs :func:`snapshots_take` every hour. Per live channel (not one that needs attention) it asks
the channel's adapter (``fetch_metrics`` / ``fetch_followers``, see ``channels/networks/``) about the
deliveries that are due: daily for the first 30 days after publication, then weekly until day 90; and
about the followers once a day. At most ``REPORTS_METRICS_PER_CHANNEL_RUN`` reads per channel and run
keep within the networks' rate limits (Mastodon 300 / 5 min, Meta's per-app budget); a rate limit or
any retryable error ends the channel's turn until the next run. Reads that cost money (X) are made only
within ``REPORTS_X_READS_PER_MONTH`` (0 = off, the default).

Snapshots keep the network's metric names and the adapter's mapping version; a metric the adapter asked
for and the network did not deliver is written down as missing, never as 0. Taking a snapshot twice on
one day is refused by a unique constraint (the second run finds nothing due).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from channels.adapters import adapter_for
from channels.models import Channel
from channels.networks.base import PublishError
from publishing.models import Delivery

from .metrics import local_day
from .models import FollowerSnapshot, MetricSnapshot

logger = logging.getLogger(__name__)

DAILY_UNTIL_DAY = 30
WEEKLY_UNTIL_DAY = 90


@dataclass
class ChannelRun:
    channel_id: int
    snapshots: int = 0
    followers: bool = False
    stopped: str = ""  # why the channel's turn ended early (rate limit, credentials …)


def _due(age: int, last_day: date | None, today: date) -> bool:
    if last_day is None:
        return True
    if age <= DAILY_UNTIL_DAY:
        return last_day < today
    return (today - last_day).days >= 7


def due_deliveries(channel: Channel, *, now: datetime, limit: int) -> list[Delivery]:
    """The channel's published deliveries whose next snapshot is due, those never read first."""
    today = local_day(now)
    last = MetricSnapshot.objects.filter(delivery=OuterRef("pk")).order_by("-day").values("day")[:1]
    candidates = (
        Delivery.objects.filter(
            channel=channel,
            status=Delivery.Status.PUBLISHED,
            published_at__gte=now - timedelta(days=WEEKLY_UNTIL_DAY + 1),
        )
        .exclude(external_id="")
        .annotate(last_day=Subquery(last))
        .only("id", "external_id", "published_at", "channel_id")
        .order_by("-published_at")
    )
    due = []
    for delivery in candidates:
        age = (today - local_day(delivery.published_at)).days
        if age <= WEEKLY_UNTIL_DAY and _due(age, delivery.last_day, today):
            due.append(delivery)
    due.sort(key=lambda d: (d.last_day is not None, d.last_day or today))
    return due[:limit]


def paid_reads_this_month(*, now: datetime) -> int:
    """Reads of networks that charge for them (X), this calendar month: each snapshot is one read."""
    paid = [c.pk for c in Channel.objects.all() if c.adapter_class.metrics_cost_money]
    start = local_day(now).replace(day=1)
    return (
        MetricSnapshot.objects.filter(channel_id__in=paid, day__gte=start).count()
        + FollowerSnapshot.objects.filter(channel_id__in=paid, day__gte=start).count()
    )


def snapshots_take_for_channel(channel: Channel, *, now: datetime, budget: int | None = None) -> ChannelRun:
    """Read the due figures of one channel; ``budget`` caps the reads (paid networks)."""
    run = ChannelRun(channel.pk)
    limit = (
        settings.REPORTS_METRICS_PER_CHANNEL_RUN
        if budget is None
        else min(budget, settings.REPORTS_METRICS_PER_CHANNEL_RUN)
    )
    if limit <= 0:
        run.stopped = "budget"
        return run
    today = local_day(now)
    try:
        adapter = adapter_for(channel)
    except PublishError as error:
        run.stopped = f"credentials: {error.message}"
        return run
    version = adapter.metrics_version
    if not FollowerSnapshot.objects.filter(channel=channel, day=today).exists():
        try:
            followers = adapter.fetch_followers()
        except PublishError as error:
            run.stopped = error.message
            return run
        FollowerSnapshot.objects.bulk_create(
            [
                FollowerSnapshot(
                    channel=channel, day=today, taken_at=now, followers=followers, mapping_version=version
                )
            ],
            ignore_conflicts=True,
        )
        run.followers = True
        limit -= 1
    asked = list(adapter.post_metrics)
    rows = []
    for delivery in due_deliveries(channel, now=now, limit=max(0, limit)):
        try:
            values = adapter.fetch_metrics(delivery.external_id)
        except PublishError as error:
            if error.retryable or error.credentials_problem:
                run.stopped = error.message
                break
            values = {}  # e.g. the post is gone on the network: nothing delivered today
        rows.append(
            MetricSnapshot(
                delivery_id=delivery.pk,
                channel=channel,
                day=today,
                taken_at=now,
                age_days=(today - local_day(delivery.published_at)).days,
                values=values,
                missing=[
                    name for name in asked if not any(k == name or k.startswith(name + ".") for k in values)
                ],
                mapping_version=version,
            )
        )
    MetricSnapshot.objects.bulk_create(rows, ignore_conflicts=True)
    run.snapshots = len(rows)
    return run


def snapshots_take(*, now: datetime | None = None) -> list[ChannelRun]:
    """One round over every live channel (the beat task)."""
    now = now or timezone.now()
    runs = []
    paid_left = settings.REPORTS_X_READS_PER_MONTH - paid_reads_this_month(now=now)
    channels = Channel.objects.filter(enabled=True).filter(Q(attention_since__isnull=True)).order_by("pk")
    for channel in channels:
        if not channel.adapter_class.post_metrics:  # the sandbox: nothing to read
            continue
        if channel.adapter_class.metrics_cost_money:
            run = snapshots_take_for_channel(channel, now=now, budget=max(0, paid_left))
            paid_left -= run.snapshots + (1 if run.followers else 0)
        else:
            run = snapshots_take_for_channel(channel, now=now)
        if run.stopped:
            logger.info(
                "reports: channel %s stopped after %d snapshot(s): %s",
                channel.pk,
                run.snapshots,
                run.stopped[:200],
            )
        runs.append(run)
    return runs
