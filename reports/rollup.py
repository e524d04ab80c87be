"""Keeping the daily rollups up to date, incrementally.

:func:`rollup_changed` (beat, every few minutes) asks each metric source which days events stamped since
the last run fall on, adds today and yesterday, and rebuilds exactly those days with :func:`rollup_days`:
the day's rows are deleted and computed anew from the source tables in one transaction, so running it
twice gives the same rows (idempotent) and a run that dies changes nothing. The first run (no watermark)
rebuilds every day since the oldest event.

Why a margin: an event's time stamp is taken before its transaction commits, so a change stamped just
before a run may become visible only after it. The next run looks back ``REPORTS_ROLLUP_MARGIN_SECONDS``
before the previous run's start; today and yesterday are always rebuilt, which covers the rest.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from .metrics import DECISION_SECONDS, INBOX_REACTION_SECONDS, METRICS, local_day
from .models import DailyFigure, MonthlyFigure, RollupState

# Metrics whose rows carry single values (percentiles need them all), joined rather than summed.
SINGLE_VALUES = (DECISION_SECONDS, INBOX_REACTION_SECONDS)
# Days rebuilt in one statement group when many are due (a first run over years of data).
CHUNK_DAYS = 31


def _lock_state() -> RollupState:
    RollupState.objects.get_or_create(id=1)
    return RollupState.objects.select_for_update().get(id=1)


def _rebuild(days: set[date]) -> int:
    DailyFigure.objects.filter(day__in=days).delete()
    rows = [row for metric in METRICS for row in metric.compute(days)]
    DailyFigure.objects.bulk_create(rows, batch_size=2000)
    for month in sorted({day.replace(day=1) for day in days}):
        _rebuild_month(month)
    return len(rows)


def _month_end(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _rebuild_month(month: date) -> None:
    """The month's rows from its daily rows: sums in the database, single values joined here."""
    MonthlyFigure.objects.filter(day=month).delete()
    daily = DailyFigure.objects.filter(day__gte=month, day__lte=_month_end(month))
    sums = (
        daily.exclude(metric__in=SINGLE_VALUES)
        .values("metric", "department_id", "channel_id", "key")
        .annotate(n=Sum("count"), i=Sum("items"), x=Sum("missing"))
        .order_by()
    )
    rows = [
        MonthlyFigure(
            day=month,
            metric=r["metric"],
            department_id=r["department_id"],
            channel_id=r["channel_id"],
            key=r["key"],
            count=r["n"],
            items=r["i"],
            missing=r["x"],
        )
        for r in sums
    ]
    joined: dict[tuple, list[int]] = defaultdict(list)
    for metric, department_id, key, values in daily.filter(metric__in=SINGLE_VALUES).values_list(
        "metric", "department_id", "key", "values"
    ):
        joined[(metric, department_id, key)].extend(values)
    rows += [
        MonthlyFigure(day=month, metric=metric, department_id=dep, key=key, count=len(v), values=sorted(v))
        for (metric, dep, key), v in joined.items()
    ]
    MonthlyFigure.objects.bulk_create(rows, batch_size=2000)


def rollup_days(days: Iterable[date]) -> int:
    """Rebuild the rows of ``days`` from the source tables; returns the number of rows written."""
    days = sorted(set(days))
    written = 0
    for start in range(0, len(days), CHUNK_DAYS):
        chunk = set(days[start : start + CHUNK_DAYS])
        with transaction.atomic():
            _lock_state()  # one rollup at a time: two runs cannot interleave a day's delete and insert
            written += _rebuild(chunk)
    return written


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def changed_days(since: datetime | None, *, now: datetime) -> set[date]:
    today = local_day(now)
    days = {today, today - timedelta(days=1)}
    if since is None:
        firsts = [d for d in (metric.first_day() for metric in METRICS) if d is not None]
        if firsts:
            days.update(days_between(min(firsts), today))
        return days
    for metric in METRICS:
        days |= metric.changed(since)
    return days


def rollup_changed(*, now: datetime | None = None) -> list[date]:
    """Rebuild the days touched since the last run (the beat task). Returns the days rebuilt."""
    now = now or timezone.now()
    with transaction.atomic():
        state = _lock_state()
        margin = timedelta(seconds=settings.REPORTS_ROLLUP_MARGIN_SECONDS)
        since = state.watermark - margin if state.watermark else None
    days = changed_days(since, now=now)
    rollup_days(days)
    with transaction.atomic():
        state = _lock_state()
        if state.watermark is None or state.watermark < now:
            state.watermark = now
        state.last_run_at = timezone.now()
        state.last_days = len(days)
        state.save(update_fields=["watermark", "last_run_at", "last_days"])
    return sorted(days)
