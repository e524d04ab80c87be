from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from channels.models import Channel
from departments.models import Department

from .selectors import Scope

DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]


def default_period(today: date) -> tuple[date, date]:
    """The last twelve months up to today (the current month included)."""
    year, month = today.year, today.month - 11
    if month < 1:
        year, month = year - 1, month + 12
    return date(year, month, 1), today


class ReportFilterForm(forms.Form):
    start = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        input_formats=DATE_FORMATS,
        error_messages={"invalid": _("Please enter a valid date.")},
    )
    end = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        input_formats=DATE_FORMATS,
        error_messages={"invalid": _("Please enter a valid date.")},
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("Please choose one of your departments.")},
    )
    channel = forms.ModelChoiceField(
        label=_("Channel"),
        queryset=Channel.objects.order_by("name"),
        required=False,
        empty_label=_("All channels"),
        error_messages={"invalid_choice": _("Please choose a channel from the list.")},
    )

    MAX_DAYS = 5 * 366

    def __init__(self, data=None, *, departments, all_departments: bool):
        super().__init__(data)
        self.departments = departments
        self.all_departments = all_departments
        self.fields["department"].queryset = departments.order_by("name")
        self.fields["department"].empty_label = (
            _("All departments") if all_departments else _("All my departments")
        )

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        default_start, default_end = default_period(today)
        start = data.get("start") or default_start
        end = data.get("end") or default_end
        if "start" in self.errors or "end" in self.errors:
            return data
        if end < start:
            self.add_error("end", _("The end date is before the start date."))
        elif end - start > timedelta(days=self.MAX_DAYS):
            self.add_error("end", _("Please choose at most five years."))
        data["start"], data["end"] = start, end
        return data

    def scope(self) -> Scope:
        data = self.cleaned_data
        chosen = data.get("department")
        departments = (chosen,) if chosen is not None else tuple(self.departments.order_by("name"))
        return Scope(
            start=data["start"],
            end=data["end"],
            departments=departments,
            channel=data.get("channel"),
            all_departments=self.all_departments and chosen is None,
        )
