"""Working days of the county (Niedersachsen): when the monthly report is due."""

from __future__ import annotations

from datetime import date, timedelta

import holidays


def is_working_day(day: date) -> bool:
    closed = holidays.country_holidays("DE", subdiv="NI", years=[day.year])
    return day.weekday() < 5 and day not in closed


def first_working_day(year: int, month: int) -> date:
    day = date(year, month, 1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def previous_month(day: date) -> tuple[date, date]:
    """The first and the last day of the month before ``day``'s month."""
    last = day.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last
