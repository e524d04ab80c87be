"""The workflow figures: what each metric counts, per day, and which days a change touches.

Each :class:`Metric` source computes the :class:`~reports.models.DailyFigure` rows of a set of days from
the app's own tables, and names the days whose figures may have changed since a moment (the event's own
time stamp: a review's ``finished_at``, a delivery's ``published_at`` …). :mod:`reports.rollup` calls
them; the page and the PDF read only the rollup rows.

The inbox's figures are sources of the same kind: items and first reaction within staffed hours,
moderation actions per netiquette clause, and escalations to the press office.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import TruncDate

from approvals.models import Review, WarningAcknowledgement
from departments.models import Membership
from etiquette.models import Acknowledgement
from inbox.clock import staffed_hours
from inbox.models import InboxItem, ModerationAction, PressEscalation
from posts.models import Post
from publishing.models import Delivery, DeliveryAttempt

from .models import DailyFigure, FollowerSnapshot, MetricSnapshot

# Metric names (stable: they are stored in the rollup rows).
POSTS_PUBLISHED = "posts_published"  # department; a post once, however many channels
DELIVERIES_PUBLISHED = "deliveries_published"  # department × channel
DECISIONS = "decisions"  # department × key "<review mode>:<outcome>"
DECISION_SECONDS = "decision_seconds"  # department × review mode; values: seconds, sorted
DECISION_RULES = "decision_rules"  # department × key "<outcome>:<rule code>"
WARNINGS_APPROVED = "warnings_approved"  # department × rule code
DELIVERIES_FAILED = "deliveries_failed"  # department × channel
DELIVERIES_UNCERTAIN = "deliveries_uncertain"  # department × channel
GUIDE_CONFIRMED = "guide_confirmed"  # department (of the person; none for county-wide roles)
# Network figures, on the day of publication, from each delivery's newest snapshot (reports.network):
# department × channel × the network's metric name: count = sum of the newest values, items = posts the
# network delivered it for, missing = posts it did not deliver it for (not 0!).
NETWORK = "network"
NETWORK_UNREAD = "network_unread"  # department × channel: published posts without any snapshot
FOLLOWERS = "followers"  # channel: followers that day (a day the network did not deliver has no row)
# The inbox (inbox/): what citizens wrote, on the day it was received, per department × channel × kind;
# the first reaction on its day, per department: staffed seconds (inbox.clock) as single values, and
# count = reactions within the department's target, items = reactions.
INBOX_ITEMS = "inbox_items"
INBOX_REACTION_SECONDS = "inbox_reaction_seconds"
INBOX_WITHIN_TARGET = "inbox_within_target"
# Moderation actions carried out (``succeeded``), on the day of the action, per department of the item
# (none: triage, or the item was deleted) × channel × key "<action>:<netiquette clause id>".
MODERATION_ACTIONS = "moderation_actions"
# Escalations to the press office on the day they were made, per department of the item × channel × key
# = the escalation's status now (open, handed_back, answered): closing it rebuilds its day.
PRESS_ESCALATIONS = "press_escalations"

DECIDED = (Review.Status.APPROVED, Review.Status.CHANGES_REQUESTED, Review.Status.REJECTED)
# Etiquette findings that "involve" a rule in a decision: what the reviewer had to weigh.
INVOLVED_SEVERITIES = {"warn", "block"}


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def day_range(days: Iterable[date]) -> tuple[datetime, datetime]:
    """The aware moments from the first day's start to the last day's end (local time)."""
    days = sorted(days)
    zone = local_zone()
    start = datetime.combine(days[0], time.min, tzinfo=zone)
    end = datetime.combine(days[-1] + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


def local_day(moment: datetime) -> date:
    return moment.astimezone(local_zone()).date()


def _days_of(queryset, field: str) -> set[date]:
    return set(
        queryset.annotate(_day=TruncDate(field, tzinfo=local_zone()))
        .values_list("_day", flat=True)
        .distinct()
    )


@dataclass(frozen=True)
class Metric:
    """A source of rollup rows: ``compute(days)`` the rows of those days, ``changed(since)`` the days
    that events stamped at or after ``since`` fall on, ``first_day()`` the day of its oldest event."""

    names: tuple[str, ...]
    compute: Callable[[set[date]], list[DailyFigure]]
    changed: Callable[[datetime], set[date]]
    first_day: Callable[[], date | None]


def _first(queryset, field: str) -> date | None:
    first = queryset.order_by(field).values_list(field, flat=True).first()
    return local_day(first) if first else None


# --- published posts and deliveries ------------------------------------------------------------------------


def _posts_compute(days: set[date]) -> list[DailyFigure]:
    start, end = day_range(days)
    rows = (
        Post.objects.filter(published_at__gte=start, published_at__lt=end)
        .annotate(_day=TruncDate("published_at", tzinfo=local_zone()))
        .values("_day", "department_id")
        .annotate(n=Count("id"))
    )
    figures = [
        DailyFigure(day=r["_day"], metric=POSTS_PUBLISHED, department_id=r["department_id"], count=r["n"])
        for r in rows
        if r["_day"] in days
    ]
    deliveries = (
        Delivery.objects.filter(published_at__gte=start, published_at__lt=end)
        .annotate(_day=TruncDate("published_at", tzinfo=local_zone()))
        .values("_day", "post__department_id", "channel_id")
        .annotate(n=Count("id"))
    )
    figures += [
        DailyFigure(
            day=r["_day"],
            metric=DELIVERIES_PUBLISHED,
            department_id=r["post__department_id"],
            channel_id=r["channel_id"],
            count=r["n"],
        )
        for r in deliveries
        if r["_day"] in days
    ]
    return figures


def _posts_changed(since: datetime) -> set[date]:
    return _days_of(Post.objects.filter(published_at__gte=since), "published_at") | _days_of(
        Delivery.objects.filter(published_at__gte=since), "published_at"
    )


def _posts_first() -> date | None:
    found = [
        d
        for d in (
            _first(Post.objects.exclude(published_at=None), "published_at"),
            _first(Delivery.objects.exclude(published_at=None), "published_at"),
        )
        if d
    ]
    return min(found) if found else None


# --- review decisions -----------------------------------------------------------------------------------


def _decisions_compute(days: set[date]) -> list[DailyFigure]:
    start, end = day_range(days)
    reviews = (
        Review.objects.filter(finished_at__gte=start, finished_at__lt=end, status__in=DECIDED)
        .values_list("id", "post__department_id", "mode", "status", "opened_at", "finished_at", "findings")
        .order_by()
    )
    counts: dict[tuple, int] = defaultdict(int)
    seconds: dict[tuple, list[int]] = defaultdict(list)
    rules: dict[tuple, int] = defaultdict(int)
    approved_reviews: dict[int, tuple[date, int]] = {}
    for review_id, department_id, mode, status, opened_at, finished_at, findings in reviews.iterator(
        chunk_size=2000
    ):
        day = local_day(finished_at)
        if day not in days:
            continue
        counts[(day, department_id, f"{mode}:{status}")] += 1
        seconds[(day, department_id, mode)].append(max(0, round((finished_at - opened_at).total_seconds())))
        if status == Review.Status.APPROVED:
            approved_reviews[review_id] = (day, department_id)
        else:
            involved = {
                f.get("rule")
                for f in findings or []
                if isinstance(f, dict) and f.get("rule") and str(f.get("severity")) in INVOLVED_SEVERITIES
            }
            for rule in involved:
                rules[(day, department_id, f"{status}:{rule}")] += 1
    figures = [
        DailyFigure(day=d, metric=DECISIONS, department_id=dep, key=key, count=n)
        for (d, dep, key), n in counts.items()
    ]
    figures += [
        DailyFigure(
            day=d, metric=DECISION_SECONDS, department_id=dep, key=mode, count=len(v), values=sorted(v)
        )
        for (d, dep, mode), v in seconds.items()
    ]
    figures += [
        DailyFigure(day=d, metric=DECISION_RULES, department_id=dep, key=key, count=n)
        for (d, dep, key), n in rules.items()
    ]
    figures += _warnings_approved(approved_reviews)
    return figures


def _warnings_approved(approved_reviews: dict[int, tuple[date, int]]) -> list[DailyFigure]:
    """Warnings a reviewer approved with a reason, in the revision that was approved (one per finding,
    however many steps acknowledged it), on the day of the approval."""
    seen: set[tuple[int, str]] = set()
    counts: dict[tuple, int] = defaultdict(int)
    ids = list(approved_reviews)
    for chunk_start in range(0, len(ids), 5000):
        chunk = ids[chunk_start : chunk_start + 5000]
        acks = (
            WarningAcknowledgement.objects.filter(review_id__in=chunk)
            .exclude(reason="")
            .values_list("review_id", "finding_key", "rule", "revision_id", "review__revision_id")
            .order_by()
        )
        for review_id, finding_key, rule, revision_id, review_revision_id in acks:
            if revision_id != review_revision_id or (review_id, finding_key) in seen:
                continue
            seen.add((review_id, finding_key))
            day, department_id = approved_reviews[review_id]
            counts[(day, department_id, rule)] += 1
    return [
        DailyFigure(day=d, metric=WARNINGS_APPROVED, department_id=dep, key=rule, count=n)
        for (d, dep, rule), n in counts.items()
    ]


def _decisions_changed(since: datetime) -> set[date]:
    return _days_of(Review.objects.filter(finished_at__gte=since), "finished_at")


def _decisions_first() -> date | None:
    return _first(Review.objects.exclude(finished_at=None), "finished_at")


# --- delivery problems ------------------------------------------------------------------------------------


def _problems_compute(days: set[date]) -> list[DailyFigure]:
    start, end = day_range(days)
    rows = (
        DeliveryAttempt.objects.filter(
            finished_at__gte=start,
            finished_at__lt=end,
            outcome__in=(DeliveryAttempt.Outcome.FAILED, DeliveryAttempt.Outcome.UNCERTAIN),
        )
        .annotate(_day=TruncDate("finished_at", tzinfo=local_zone()))
        .values("_day", "outcome", "delivery__post__department_id", "channel_id")
        .annotate(n=Count("delivery_id", distinct=True))
    )
    metric = {
        DeliveryAttempt.Outcome.FAILED: DELIVERIES_FAILED,
        DeliveryAttempt.Outcome.UNCERTAIN: DELIVERIES_UNCERTAIN,
    }
    return [
        DailyFigure(
            day=r["_day"],
            metric=metric[r["outcome"]],
            department_id=r["delivery__post__department_id"],
            channel_id=r["channel_id"],
            count=r["n"],
        )
        for r in rows
        if r["_day"] in days
    ]


def _problems_changed(since: datetime) -> set[date]:
    return _days_of(DeliveryAttempt.objects.filter(finished_at__gte=since), "finished_at")


def _problems_first() -> date | None:
    return _first(DeliveryAttempt.objects.exclude(finished_at=None), "finished_at")


# --- guide confirmations ----------------------------------------------------------------------------------


def _guide_compute(days: set[date]) -> list[DailyFigure]:
    """Confirmations of the etiquette guide per day, counted in each department the person belongs to
    when the rollup runs (county-wide roles without a department under none)."""
    start, end = day_range(days)
    rows = list(
        Acknowledgement.objects.filter(acknowledged_at__gte=start, acknowledged_at__lt=end)
        .annotate(_day=TruncDate("acknowledged_at", tzinfo=local_zone()))
        .values_list("_day", "user_id")
        .order_by()
    )
    departments: dict[int, list[int]] = defaultdict(list)
    for user_id, department_id in Membership.objects.filter(user_id__in={u for _, u in rows}).values_list(
        "user_id", "department_id"
    ):
        departments[user_id].append(department_id)
    counts: dict[tuple, int] = defaultdict(int)
    for day, user_id in rows:
        if day not in days:
            continue
        for department_id in departments.get(user_id) or [None]:
            counts[(day, department_id)] += 1
    return [
        DailyFigure(day=d, metric=GUIDE_CONFIRMED, department_id=dep, count=n)
        for (d, dep), n in counts.items()
    ]


def _guide_changed(since: datetime) -> set[date]:
    return _days_of(Acknowledgement.objects.filter(acknowledged_at__gte=since), "acknowledged_at")


def _guide_first() -> date | None:
    return _first(Acknowledgement.objects.all(), "acknowledged_at")


# --- network figures -----------------------------------------------------------------------------------


def _network_compute(days: set[date]) -> list[DailyFigure]:
    start, end = day_range(days)
    deliveries = {
        pk: (local_day(published_at), department_id, channel_id)
        for pk, published_at, department_id, channel_id in Delivery.objects.filter(
            published_at__gte=start, published_at__lt=end
        )
        .values_list("id", "published_at", "post__department_id", "channel_id")
        .order_by()
    }
    deliveries = {pk: place for pk, place in deliveries.items() if place[0] in days}
    sums: dict[tuple, int] = defaultdict(int)
    posts: dict[tuple, int] = defaultdict(int)
    missing: dict[tuple, int] = defaultdict(int)
    seen: set[int] = set()
    ids = sorted(deliveries)
    for chunk_start in range(0, len(ids), 2000):
        newest_first = (
            MetricSnapshot.objects.filter(delivery_id__in=ids[chunk_start : chunk_start + 2000])
            .order_by("delivery_id", "-day")
            .values_list("delivery_id", "values", "missing")
        )
        for delivery_id, values, not_delivered in newest_first.iterator(chunk_size=5000):
            if delivery_id in seen:
                continue
            seen.add(delivery_id)
            place = deliveries[delivery_id]
            for name, value in (values or {}).items():
                sums[(*place, name)] += int(value)
                posts[(*place, name)] += 1
            for name in not_delivered or []:
                missing[(*place, name)] += 1
    unread: dict[tuple, int] = defaultdict(int)
    for pk, place in deliveries.items():
        if pk not in seen:
            unread[place] += 1
    figures = [
        DailyFigure(
            day=d,
            metric=NETWORK,
            department_id=dep,
            channel_id=ch,
            key=name,
            count=sums.get((d, dep, ch, name), 0),
            items=posts.get((d, dep, ch, name), 0),
            missing=missing.get((d, dep, ch, name), 0),
        )
        for (d, dep, ch, name) in set(sums) | set(missing)
    ]
    figures += [
        DailyFigure(day=d, metric=NETWORK_UNREAD, department_id=dep, channel_id=ch, count=n)
        for (d, dep, ch), n in unread.items()
    ]
    followers = FollowerSnapshot.objects.filter(day__in=days, followers__isnull=False).values_list(
        "day", "channel_id", "followers"
    )
    figures += [DailyFigure(day=d, metric=FOLLOWERS, channel_id=ch, count=n) for d, ch, n in followers]
    return figures


def _network_changed(since: datetime) -> set[date]:
    read = Delivery.objects.filter(
        pk__in=MetricSnapshot.objects.filter(taken_at__gte=since).values("delivery_id")
    ).exclude(published_at=None)
    return _days_of(read, "published_at") | set(
        FollowerSnapshot.objects.filter(taken_at__gte=since).values_list("day", flat=True).distinct()
    )


def _network_first() -> date | None:
    return FollowerSnapshot.objects.order_by("day").values_list("day", flat=True).first()


# --- the inbox -----------------------------------------------------------------------------------------


def _inbox_compute(days: set[date]) -> list[DailyFigure]:
    start, end = day_range(days)
    items = (
        InboxItem.objects.filter(received_at__gte=start, received_at__lt=end)
        .annotate(_day=TruncDate("received_at", tzinfo=local_zone()))
        .values("_day", "department_id", "channel_id", "kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    figures = [
        DailyFigure(
            day=r["_day"],
            metric=INBOX_ITEMS,
            department_id=r["department_id"],
            channel_id=r["channel_id"],
            key=r["kind"],
            count=r["n"],
        )
        for r in items
        if r["_day"] in days
    ]
    seconds: dict[tuple, list[int]] = defaultdict(list)
    within: dict[tuple, int] = defaultdict(int)
    reactions = InboxItem.objects.filter(first_reaction_at__gte=start, first_reaction_at__lt=end).values_list(
        "department_id", "received_at", "clock_starts_at", "first_reaction_at", "due_at"
    )
    for department_id, received_at, clock_starts_at, reacted_at, due_at in reactions.order_by():
        day = local_day(reacted_at)
        if day not in days:
            continue
        hours = staffed_hours(clock_starts_at or received_at, reacted_at)
        seconds[(day, department_id)].append(round(hours * 3600))
        if due_at is not None and reacted_at <= due_at:
            within[(day, department_id)] += 1
    figures += [
        DailyFigure(day=d, metric=INBOX_REACTION_SECONDS, department_id=dep, count=len(v), values=sorted(v))
        for (d, dep), v in seconds.items()
    ]
    figures += [
        DailyFigure(
            day=d, metric=INBOX_WITHIN_TARGET, department_id=dep, count=within.get((d, dep), 0), items=len(v)
        )
        for (d, dep), v in seconds.items()
    ]
    return figures


def _inbox_changed(since: datetime) -> set[date]:
    # A re-routed item changes its department's figures: updated_at, on both of its days.
    touched = InboxItem.objects.filter(
        Q(received_at__gte=since) | Q(first_reaction_at__gte=since) | Q(updated_at__gte=since)
    )
    return _days_of(touched, "received_at") | _days_of(
        touched.exclude(first_reaction_at=None), "first_reaction_at"
    )


def _inbox_first() -> date | None:
    return _first(InboxItem.objects.all(), "received_at")


# --- moderation per netiquette clause and escalations to the press office ----------------------------------


def _moderation_compute(days: set[date]) -> list[DailyFigure]:
    start, end = day_range(days)
    rows = (
        ModerationAction.objects.filter(created_at__gte=start, created_at__lt=end, succeeded=True)
        .annotate(_day=TruncDate("created_at", tzinfo=local_zone()))
        .values("_day", "item__department_id", "channel_id", "action", "clause_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [
        DailyFigure(
            day=r["_day"],
            metric=MODERATION_ACTIONS,
            department_id=r["item__department_id"],
            channel_id=r["channel_id"],
            key=f"{r['action']}:{r['clause_id']}",
            count=r["n"],
        )
        for r in rows
        if r["_day"] in days
    ]


def _moderation_changed(since: datetime) -> set[date]:
    # A re-routed item moves its actions to another department: updated_at, on the actions' days.
    touched = ModerationAction.objects.filter(Q(created_at__gte=since) | Q(item__updated_at__gte=since))
    return _days_of(touched, "created_at")


def _moderation_first() -> date | None:
    return _first(ModerationAction.objects.filter(succeeded=True), "created_at")


def _press_compute(days: set[date]) -> list[DailyFigure]:
    start, end = day_range(days)
    rows = (
        PressEscalation.objects.filter(created_at__gte=start, created_at__lt=end)
        .annotate(_day=TruncDate("created_at", tzinfo=local_zone()))
        .values("_day", "item__department_id", "item__channel_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [
        DailyFigure(
            day=r["_day"],
            metric=PRESS_ESCALATIONS,
            department_id=r["item__department_id"],
            channel_id=r["item__channel_id"],
            key=r["status"],
            count=r["n"],
        )
        for r in rows
        if r["_day"] in days
    ]


def _press_changed(since: datetime) -> set[date]:
    # Handing back or answering changes the status counted on the day the escalation was made.
    touched = PressEscalation.objects.filter(
        Q(created_at__gte=since) | Q(closed_at__gte=since) | Q(item__updated_at__gte=since)
    )
    return _days_of(touched, "created_at")


def _press_first() -> date | None:
    return _first(PressEscalation.objects.all(), "created_at")


METRICS: tuple[Metric, ...] = (
    Metric((POSTS_PUBLISHED, DELIVERIES_PUBLISHED), _posts_compute, _posts_changed, _posts_first),
    Metric(
        (DECISIONS, DECISION_SECONDS, DECISION_RULES, WARNINGS_APPROVED),
        _decisions_compute,
        _decisions_changed,
        _decisions_first,
    ),
    Metric((DELIVERIES_FAILED, DELIVERIES_UNCERTAIN), _problems_compute, _problems_changed, _problems_first),
    Metric((GUIDE_CONFIRMED,), _guide_compute, _guide_changed, _guide_first),
    Metric(
        (NETWORK, NETWORK_UNREAD, FOLLOWERS),
        _network_compute,
        _network_changed,
        _network_first,
    ),
    Metric(
        (INBOX_ITEMS, INBOX_REACTION_SECONDS, INBOX_WITHIN_TARGET),
        _inbox_compute,
        _inbox_changed,
        _inbox_first,
    ),
    Metric((MODERATION_ACTIONS,), _moderation_compute, _moderation_changed, _moderation_first),
    Metric((PRESS_ESCALATIONS,), _press_compute, _press_changed, _press_first),
)
