"""The response clock in staffed hours.

Staffed = inside the office hours of the weekday (``INBOX_OFFICE_HOURS``, e.g.
``mon-thu 08:00-16:00; fri 08:00-13:00``) and not a public holiday of Niedersachsen (the ``holidays``
package, subdivision NI). Everything is computed in the county's time zone (``TIME_ZONE``).

    clock_start(t)            the first staffed moment at or after t (an item from Saturday: Monday 8:00)
    add_staffed(t, hours)     the moment when ``hours`` staffed hours after t have passed
    staffed_hours(a, b)       staffed hours between a and b
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_OFFICE_HOURS = "mon-thu 08:00-16:00; fri 08:00-13:00"
_PART = re.compile(r"^(?P<days>[a-z]{3}(?:-[a-z]{3})?(?:,[a-z]{3}(?:-[a-z]{3})?)*)\s+(?P<spans>.+)$")
_SPAN = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


def parse_office_hours(value: str) -> dict[int, list[tuple[time, time]]]:
    """``"mon-thu 08:00-16:00; fri 08:00-12:00,13:00-15:00"`` → {weekday: [(start, end), …]}."""
    hours: dict[int, list[tuple[time, time]]] = {day: [] for day in range(7)}
    for part in filter(None, (p.strip().lower() for p in value.split(";"))):
        match = _PART.match(part)
        if not match:
            raise ImproperlyConfigured(
                f"INBOX_OFFICE_HOURS: cannot read {part!r} (e.g. 'mon-fri 08:00-16:00')."
            )
        days: list[int] = []
        for group in match["days"].split(","):
            first, _, last = group.partition("-")
            if first not in DAYS or (last and last not in DAYS):
                raise ImproperlyConfigured(f"INBOX_OFFICE_HOURS: unknown day in {group!r} (mon … sun).")
            start, end = DAYS.index(first), DAYS.index(last or first)
            days += list(range(start, end + 1))
        for span in match["spans"].split(","):
            found = _SPAN.match(span.strip())
            if not found:
                raise ImproperlyConfigured(
                    f"INBOX_OFFICE_HOURS: cannot read the time span {span!r} (08:00-16:00)."
                )
            h1, m1, h2, m2 = (int(x) for x in found.groups())
            if not (0 <= h1 < 24 and 0 <= h2 <= 24 and m1 < 60 and m2 < 60) or (h1, m1) >= (h2, m2):
                raise ImproperlyConfigured(f"INBOX_OFFICE_HOURS: {span!r} is not a time span of one day.")
            end_time = time(23, 59, 59, 999999) if h2 == 24 else time(h2, m2)
            for day in days:
                hours[day].append((time(h1, m1), end_time))
    for spans in hours.values():
        spans.sort()
    if not any(hours.values()):
        raise ImproperlyConfigured("INBOX_OFFICE_HOURS: no office hours at all.")
    return hours


@functools.cache
def _office_hours(value: str) -> dict[int, list[tuple[time, time]]]:
    return parse_office_hours(value)


@functools.cache
def _holidays(year: int):
    return holidays.country_holidays("DE", subdiv="NI", years=year)


def is_holiday(day: date) -> bool:
    return day in _holidays(day.year)


def holiday_name(day: date) -> str:
    return _holidays(day.year).get(day, "")


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _spans(day: date, zone: ZoneInfo) -> list[tuple[datetime, datetime]]:
    if is_holiday(day):
        return []
    hours = _office_hours(settings.INBOX_OFFICE_HOURS)
    return [
        (datetime.combine(day, start, zone), datetime.combine(day, end, zone))
        for start, end in hours[day.weekday()]
    ]


def _walk(moment: datetime):
    """Staffed spans from ``moment`` on: (start, end) with start ≥ moment, in order, for two years."""
    zone = _zone()
    local = moment.astimezone(zone)
    day = local.date()
    for _ in range(740):
        for start, end in _spans(day, zone):
            if end <= local:
                continue
            yield max(start, local), end
        day += timedelta(days=1)


def clock_start(moment: datetime) -> datetime:
    for start, _end in _walk(moment):
        return start
    return moment


def add_staffed(moment: datetime, hours: float) -> datetime:
    remaining = timedelta(hours=float(hours))
    for start, end in _walk(moment):
        if end - start >= remaining:
            return start + remaining
        remaining -= end - start
    return moment + timedelta(hours=float(hours))


def staffed_hours(first: datetime, last: datetime) -> float:
    if last <= first:
        return 0.0
    total = timedelta()
    for start, end in _walk(first):
        if start >= last:
            break
        total += min(end, last) - start
    return total.total_seconds() / 3600
