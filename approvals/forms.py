"""Forms of the review page, the queue filters, the review modes and the audit export.

Forms only validate input; the decisions themselves are made by :mod:`approvals.services`.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from channels.models import Channel
from departments.models import Department
from etiquette.types import Finding
from posts.models import Post

from .models import WarningAcknowledgement
from .selectors import SOON_DUE, finding_dict, finding_key

TEXT_MAX_LENGTH = 20000
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"]


def ack_field_name(key: str) -> str:
    """A form field name for one finding key (keys contain characters a field name should not)."""
    return "ack_" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


class PageForm(forms.Form):
    """A form that shares the review page with others: its ids start with ``ID_PREFIX`` (unique ids,
    and each label points at its own field); the field names stay as they are."""

    ID_PREFIX = "id_%s"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", self.ID_PREFIX)
        super().__init__(*args, **kwargs)


class DecisionForm(PageForm):
    """What every decision form carries: the step and the revision the reviewer saw."""

    step = forms.IntegerField(widget=forms.HiddenInput)
    revision = forms.IntegerField(widget=forms.HiddenInput)


class ApproveForm(DecisionForm):
    ID_PREFIX = "approve_%s"
    SCHEDULE_KEEP = "keep"
    SCHEDULE_AT = "at"
    SCHEDULE_NOW = "now"

    schedule = forms.ChoiceField(
        label=_("Publication"),
        choices=[
            (SCHEDULE_KEEP, _("keep the planned time")),
            (SCHEDULE_AT, _("publish at another time")),
            (SCHEDULE_NOW, _("publish now")),
        ],
        initial=SCHEDULE_KEEP,
        widget=forms.RadioSelect,
    )
    planned_at = forms.DateTimeField(
        label=_("New publication time"),
        required=False,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Only with “publish at another time”. Date and time, e.g. 24.12.2026 09:30."),
    )
    comment = forms.CharField(
        label=_("Comment for the author (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self,
        *args,
        warnings: list[Finding] = (),
        acknowledged: dict[str, WarningAcknowledgement] | None = None,
        is_last_step: bool = True,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        acknowledged = acknowledged or {}
        self.warning_fields = []
        for finding in warnings:
            data = finding_dict(finding)
            key = finding_key(data)
            name = ack_field_name(key)
            done = acknowledged.get(key)
            self.fields[name] = forms.CharField(
                label=_("Reason for approving despite: %(message)s") % {"message": data.get("message", "")},
                required=done is None,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
                error_messages={"required": _("Please give a reason for approving despite this warning.")},
                help_text=(
                    _("Already acknowledged by %(name)s: “%(reason)s”. You may add your own reason.")
                    % {
                        "name": done.acknowledged_by.get_full_name() or done.acknowledged_by.get_username(),
                        "reason": done.reason,
                    }
                    if done
                    else ""
                ),
            )
            self.warning_fields.append({"key": key, "name": name, "finding": data, "done": done})
        if not is_last_step:
            del self.fields["schedule"]
            del self.fields["planned_at"]
        self.is_last_step = is_last_step

    def clean(self):
        from .services import PLANNED_AT_TOLERANCE

        data = super().clean()
        if data.get("schedule") == self.SCHEDULE_AT and "planned_at" not in self.errors:
            planned_at = data.get("planned_at")
            if not planned_at:
                self.add_error("planned_at", _("Please enter the date and time of publication."))
            elif planned_at < timezone.now() - PLANNED_AT_TOLERANCE:
                self.add_error(
                    "planned_at",
                    _("The planned time is in the past. Choose a later time or publish now."),
                )
        return data

    def acknowledgements(self) -> dict[str, str]:
        return {
            item["key"]: self.cleaned_data.get(item["name"], "")
            for item in self.warning_fields
            if self.cleaned_data.get(item["name"], "").strip()
        }

    def field_for(self, key: str) -> str | None:
        for item in self.warning_fields:
            if item["key"] == key:
                return item["name"]
        return None

    def planned_at_choice(self):
        """``KEEP``, ``None`` (publish now) or the new time."""
        from .selectors import KEEP

        schedule = self.cleaned_data.get("schedule", self.SCHEDULE_KEEP)
        if schedule == self.SCHEDULE_NOW:
            return None
        if schedule == self.SCHEDULE_AT:
            return self.cleaned_data["planned_at"]
        return KEEP


class RequestChangesForm(DecisionForm):
    ID_PREFIX = "changes_%s"
    comment = forms.CharField(
        label=_("What should the author change?"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Please say what should be changed.")},
    )


class RejectForm(DecisionForm):
    ID_PREFIX = "reject_%s"
    reason = forms.CharField(
        label=_("Reason for the rejection"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Please give the reason for the rejection.")},
    )


class ReviewEditForm(PageForm):
    """The reviewer's edit of the text (and the channels' own texts) before deciding."""

    ID_PREFIX = "edit_%s"

    revision = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("Text"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("The post needs a text.")},
    )
    link = forms.URLField(label=_("Link"), required=False, max_length=2000, assume_scheme="https")

    def __init__(self, *args, channels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.variant_names = []
        for channel in channels:
            name = f"variant_{channel.pk}"
            self.fields[name] = forms.CharField(
                label=_("Own text for %(channel)s (empty: the text above)") % {"channel": channel.name},
                required=False,
                max_length=TEXT_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
            self.variant_names.append((channel.pk, name))

    def variants(self) -> dict[int, str]:
        return {pk: self.cleaned_data.get(name, "") for pk, name in self.variant_names}


class CommentForm(PageForm):
    ID_PREFIX = "comment_%s"
    text = forms.CharField(
        label=_("Internal comment"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Please write a comment.")},
    )


# --- the queue ---------------------------------------------------------------------------------------------


class QueueFilter(django_filters.FilterSet):
    URGENCY_CHOICES = [("overdue", _("overdue")), ("soon", _("due within 24 hours"))]

    q = django_filters.CharFilter(label=_("Title contains"), method="filter_title")
    department = django_filters.ModelChoiceFilter(
        label=_("Department"),
        field_name="review__post__department",
        queryset=Department.objects.none(),
        empty_label=_("all"),
    )
    kind = django_filters.ChoiceFilter(label=_("Step"), choices=(), empty_label=_("all"))
    channel = django_filters.ModelChoiceFilter(
        label=_("Channel"),
        field_name="review__post__channels",
        queryset=Channel.objects.none(),
        empty_label=_("all"),
    )
    urgency = django_filters.ChoiceFilter(
        label=_("Due"), choices=URGENCY_CHOICES, method="filter_urgency", empty_label=_("any time")
    )

    def __init__(self, *args, departments=None, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["department"].queryset = (
            departments if departments is not None else Department.objects.none()
        )
        self.filters["kind"].extra["choices"] = list(kinds)
        self.filters["channel"].queryset = Channel.objects.order_by("name")

    def filter_title(self, queryset, name, value):
        return queryset.filter(review__post__title__icontains=value.strip()) if value.strip() else queryset

    def filter_urgency(self, queryset, name, value):
        now = timezone.now()
        if value == "overdue":
            return queryset.filter(review__post__planned_at__lte=now)
        if value == "soon":
            return queryset.filter(
                review__post__planned_at__gt=now, review__post__planned_at__lte=now + SOON_DUE
            )
        return queryset


class AutonomousFilter(django_filters.FilterSet):
    department = django_filters.ModelChoiceFilter(
        label=_("Department"),
        field_name="post__department",
        queryset=Department.objects.none(),
        empty_label=_("all"),
    )
    since = django_filters.DateFilter(
        label=_("Approved from"),
        field_name="finished_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = django_filters.DateFilter(
        label=_("Approved until"),
        field_name="finished_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    published = django_filters.BooleanFilter(
        label=_("Only published"), method="filter_published", widget=forms.CheckboxInput
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["department"].queryset = Department.objects.order_by("name")

    def filter_published(self, queryset, name, value):
        return queryset.filter(post__status=Post.Status.PUBLISHED) if value else queryset


# --- administration ----------------------------------------------------------------------------------------


class ReviewModeForm(forms.Form):
    review_mode = forms.ChoiceField(label=_("Review mode"), choices=Department.ReviewMode.choices)
    comment = forms.CharField(
        label=_("Reason (for the audit trail)"),
        max_length=1000,
        error_messages={"required": _("Please give a reason; it is kept in the audit trail.")},
    )

    def __init__(self, *args, department: Department, **kwargs):
        kwargs.setdefault("prefix", f"d{department.pk}")
        kwargs.setdefault("initial", {"review_mode": department.review_mode})
        super().__init__(*args, **kwargs)
        self.department = department


class AuditExportForm(forms.Form):
    start = forms.DateField(
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date"}),
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
        error_messages={
            "required": _("Please enter the first day."),
            "invalid": _("Please enter a valid date."),
        },
    )
    end = forms.DateField(
        label=_("To"),
        widget=forms.DateInput(attrs={"type": "date"}),
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
        error_messages={
            "required": _("Please enter the last day."),
            "invalid": _("Please enter a valid date."),
        },
    )

    MAX_DAYS = 3660

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The end date is before the start date."))
            elif end - start > timedelta(days=self.MAX_DAYS):
                self.add_error("end", _("Please export at most ten years at once."))
        return data
