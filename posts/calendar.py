"""The editorial calendar ("Redaktionsplan"): month and week grids, and the iCal feed (RFC 5545)."""

from __future__ import annotations

import calendar as pycalendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.db.models import Count, F, Window
from django.db.models.functions import Coalesce, RowNumber, TruncDate
from django.urls import reverse
from django.utils import timezone

from .models import Post

BERLIN = ZoneInfo("Europe/Berlin")
# How long an event lasts in calendar programs (a post is a moment; 15 minutes makes it visible).
EVENT_MINUTES = 15
FEED_PAST_DAYS = 90
FEED_FUTURE_DAYS = 400
ICAL_STATUS = {
    Post.Status.IN_REVIEW: "TENTATIVE",
    Post.Status.CHANGES_REQUESTED: "TENTATIVE",
    Post.Status.DRAFT: "TENTATIVE",
    Post.Status.WITHDRAWN: "CANCELLED",
    Post.Status.REJECTED: "CANCELLED",
}
# Posts that are not planned or published any more do not belong in the calendar.
CALENDAR_EXCLUDED = (Post.Status.REJECTED, Post.Status.WITHDRAWN)
# How many posts a day shows before "n more": a month cell stays readable, and the page costs the same
# with 100 or 100,000 posts (bench/pages_bench.py). The week view links the rest to the post list.
MONTH_PER_DAY = 3
WEEK_PER_DAY = 20
# The week's time grid (wide screens) shows these hours as rows – 06:00 to 22:00 – and widens to the
# earliest and latest hour of the week that has a post, so every post sits in its own hour and every row
# is a real hour to drop a post on (no "earlier/later" row whose time would be unclear).
WEEK_FIRST_HOUR = 6
WEEK_LAST_HOUR = 21  # the row 21:00–22:00


@dataclass
class Day:
    date: date
    in_month: bool
    is_today: bool
    posts: list = field(default_factory=list)
    # Posts of the day that are not shown (more than the view's per-day limit).
    more: int = 0


def local_range(start: date, end: date) -> tuple[datetime, datetime]:
    """[start, end) as aware datetimes at Berlin midnight."""
    return (
        datetime.combine(start, time.min, tzinfo=BERLIN),
        datetime.combine(end, time.min, tzinfo=BERLIN),
    )


def posts_between(queryset, start: date, end: date):
    """Posts planned or published in [start, end), by their calendar time, oldest first."""
    begin, finish = local_range(start, end)
    from django.db.models import Q

    return (
        queryset.exclude(status__in=CALENDAR_EXCLUDED)
        .filter(
            Q(published_at__gte=begin, published_at__lt=finish)
            | Q(published_at__isnull=True, planned_at__gte=begin, planned_at__lt=finish)
        )
        .order_by("planned_at", "pk")
    )


def _calendar_day():
    return TruncDate(Coalesce("published_at", "planned_at"), tzinfo=BERLIN)


def posts_by_day(queryset, start: date, end: date, *, per_day: int) -> tuple[list, dict[date, int]]:
    """The first ``per_day`` posts of each day in [start, end) by calendar time, and each day's total.

    Two queries (plus the queryset's prefetches) however many posts there are: a window function numbers
    the posts within their Berlin day, and a GROUP BY counts them.
    """
    posts = posts_between(queryset, start, end)
    day = _calendar_day()
    totals = dict(
        posts.order_by()
        .annotate(day=day)
        .values("day")
        .annotate(total=Count("pk"))
        .values_list("day", "total")
    )
    rank = Window(
        RowNumber(),
        partition_by=[_calendar_day()],
        order_by=[Coalesce("published_at", "planned_at").asc(), F("pk").asc()],
    )
    shown = list(posts.annotate(day_rank=rank).filter(day_rank__lte=per_day))
    return shown, totals


def _group(posts) -> dict[date, list]:
    by_day: dict[date, list] = {}
    for post in posts:
        by_day.setdefault(timezone.localtime(post.calendar_at, BERLIN).date(), []).append(post)
    return by_day


def _day(day: date, in_month: bool, by_day: dict, totals: dict | None) -> Day:
    posts = sorted(by_day.get(day, []), key=_time_key)
    more = max(0, totals.get(day, 0) - len(posts)) if totals is not None else 0
    return Day(day, in_month, day == timezone.localdate(), posts, more)


def month_grid(year: int, month: int, posts, totals: dict[date, int] | None = None) -> list[list[Day]]:
    by_day = _group(posts)
    return [
        [_day(day, day.month == month, by_day, totals) for day in week]
        for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    ]


def week_days(monday: date, posts, totals: dict[date, int] | None = None) -> list[Day]:
    by_day = _group(posts)
    return [_day(monday + timedelta(days=i), True, by_day, totals) for i in range(7)]


@dataclass
class Slot:
    """One hour of one day in the week's time grid (a drop target)."""

    day: Day
    hour: int
    # Ended before now: shaded; the server refuses a time in the past anyway.
    past: bool
    posts: list = field(default_factory=list)


@dataclass
class HourRow:
    hour: int
    slots: list[Slot]

    @property
    def label(self) -> str:
        return f"{self.hour:02d}:00"


def week_hours(days: list[Day], now: datetime | None = None) -> list[HourRow]:
    """The week's days (``week_days``) as hour rows × day columns, without another query.

    Rows from ``WEEK_FIRST_HOUR`` to ``WEEK_LAST_HOUR``, widened to the hours of the posts shown; each post
    in the row of its Berlin hour, oldest first (as in the day).
    """
    now = now or timezone.now()
    hour_of = {
        id(post): timezone.localtime(post.calendar_at, BERLIN).hour for day in days for post in day.posts
    }
    first = min([WEEK_FIRST_HOUR, *hour_of.values()])
    last = max([WEEK_LAST_HOUR, *hour_of.values()])
    rows = []
    for hour in range(first, last + 1):
        slots = []
        for day in days:
            end = datetime.combine(day.date, time(hour), tzinfo=BERLIN) + timedelta(hours=1)
            posts = [post for post in day.posts if hour_of[id(post)] == hour]
            slots.append(Slot(day, hour, end <= now, posts))
        rows.append(HourRow(hour, slots))
    return rows


def _time_key(post):
    return (post.calendar_at, post.pk)


def feed_posts(queryset):
    now = timezone.now()
    return posts_between(
        queryset,
        (now - timedelta(days=FEED_PAST_DAYS)).date(),
        (now + timedelta(days=FEED_FUTURE_DAYS)).date(),
    )


def ical_feed(posts, *, name: str) -> bytes:
    """An RFC 5545 calendar with one event per post (UTC times; UID stable per post)."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Landkreis Social//Redaktionsplan//DE")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/Berlin")
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"
    stamp = timezone.now().astimezone(ZoneInfo("UTC")).replace(microsecond=0)
    for post in posts:
        start = post.calendar_at.astimezone(ZoneInfo("UTC")).replace(microsecond=0)
        event = icalendar.Event()
        event.add("uid", f"post-{post.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=EVENT_MINUTES))
        channels = ", ".join(c.name for c in post.channels.all())
        event.add("summary", f"[{post.department.code}] {post.title}")
        description = f"{post.get_status_display()} – {channels}\n\n{post.text}"
        event.add("description", description)
        event.add("url", settings.SITE_URL + reverse("posts:detail", args=[post.pk]))
        event.add("status", ICAL_STATUS.get(post.status, "CONFIRMED"))
        event.add("last-modified", post.updated_at.astimezone(ZoneInfo("UTC")).replace(microsecond=0))
        event.add("categories", [post.department.name])
        cal.add_component(event)
    return cal.to_ical()
