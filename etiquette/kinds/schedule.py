"""``schedule.staffed_hours``: publish only when someone can answer comments.

Staffed hours (weekdays, times, time zone) and the public holidays (the ``holidays`` library, by
default Germany / Niedersachsen) are parameters; ``extra_closed_days`` adds days such as 24 and 31
December.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..types import Severity
from . import register
from .base import Hit, PostRuleKind
from .params import DateListParam, StrParam, TimeParam, WeekdaysParam

WEEKDAYS_DE = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SHORT_DE = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")


@lru_cache(maxsize=64)
def public_holidays(country: str, subdiv: str, year: int) -> dict[date, str]:
    return dict(holidays.country_holidays(country, subdiv=subdiv or None, years=year, language="de"))


def _days_label(days: list[int]) -> str:
    if days and days == list(range(days[0], days[-1] + 1)) and len(days) > 2:
        return f"{SHORT_DE[days[0] - 1]}–{SHORT_DE[days[-1] - 1]}"
    return ", ".join(SHORT_DE[day - 1] for day in days)


@register
class StaffedHoursKind(PostRuleKind):
    kind = "schedule.staffed_hours"
    label = _("planned outside staffed hours or on a public holiday")
    default_severity = Severity.WARN
    parameters = {
        "days": WeekdaysParam([1, 2, 3, 4, 5], help_text=_("1 = Monday … 7 = Sunday")),
        "start": TimeParam("08:00"),
        "end": TimeParam("16:00"),
        "timezone": StrParam("Europe/Berlin", max_length=64),
        "holiday_country": StrParam("DE", max_length=3, pattern=r"[A-Z]{2,3}"),
        "holiday_subdiv": StrParam("NI", max_length=10, pattern=r"[A-Z0-9]{0,10}"),
        "extra_closed_days": DateListParam(["12-24", "12-31"]),
    }

    @classmethod
    def validate_parameters(cls, raw):
        cleaned = super().validate_parameters(raw)
        errors = []
        try:
            ZoneInfo(cleaned["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            errors.append(gettext("Parameter “timezone”: unknown time zone “%s”.") % cleaned["timezone"])
        try:
            holidays.country_holidays(cleaned["holiday_country"], subdiv=cleaned["holiday_subdiv"] or None)
        except NotImplementedError:
            errors.append(
                gettext(
                    "Parameters “holiday_country”/“holiday_subdiv”: the holidays library does not know %s."
                )
                % f"{cleaned['holiday_country']}-{cleaned['holiday_subdiv']}"
            )
        if TimeParam.to_time(cleaned["start"]) is None or (
            TimeParam.to_time(cleaned["end"]) is not None
            and TimeParam.to_time(cleaned["end"]) <= TimeParam.to_time(cleaned["start"])
        ):
            errors.append(gettext("Parameters “start”/“end”: the end must be after the start."))
        if errors:
            raise ValidationError(errors)
        return cleaned

    def setup(self):
        self.zone = ZoneInfo(self.params["timezone"])
        self.start = TimeParam.to_time(self.params["start"])
        self.end = TimeParam.to_time(self.params["end"])
        self.closed = set(self.params["extra_closed_days"])

    def check_post(self, post, ctx):
        if post.scheduled_at is None:
            return
        local = post.scheduled_at.astimezone(self.zone)
        day = local.date()
        holiday = public_holidays(
            self.params["holiday_country"], self.params["holiday_subdiv"], day.year
        ).get(day)
        if holiday is None and (day.isoformat() in self.closed or f"{day:%m-%d}" in self.closed):
            holiday = "dienstfreier Tag"
        if holiday:
            reason_de, reason_en = f"ist ein Feiertag ({holiday})", f"is a public holiday ({holiday})"
        elif day.isoweekday() not in self.params["days"] or (
            local.time() < self.start or (self.end is not None and local.time() >= self.end)
        ):
            reason_de, reason_en = "liegt außerhalb der Dienstzeiten", "is outside staffed hours"
        else:
            return
        when_de = f"{WEEKDAYS_DE[day.weekday()]}, {local:%d.%m.%Y, %H:%M} Uhr"
        when_en = f"{WEEKDAYS_EN[day.weekday()]}, {local:%Y-%m-%d %H:%M}"
        hours = f"{_days_label(self.params['days'])} {self.params['start']}–{self.params['end']} Uhr"
        yield Hit(
            message=(
                f"Geplant für {when_de} – das {reason_de}. Kommentare blieben dann unbeantwortet; "
                f"besetzt ist {hours}."
            ),
            message_en=f"Planned for {when_en}, which {reason_en}; comments would go unanswered.",
        )
