"""Daily rollups of the workflow figures and the stored committee reports.

Written only by :mod:`reports.rollup` (figures) and :mod:`reports.services` (reports); read through
:mod:`reports.selectors`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DailyFigure(models.Model):
    """One number of one day: a metric, optionally per department, channel and one more key.

    ``metric`` names what is counted (see :data:`reports.metrics.METRICS`); ``key`` is the metric's own
    dimension (the review mode, an etiquette rule's code, a decision and a rule). ``values`` holds the
    single measurements where a report needs more than a sum (the seconds from submission to decision,
    sorted), so that medians and percentiles of any period are exact. The rows of a day are rebuilt as a
    whole (:func:`reports.rollup.rollup_days`), never edited one by one.
    """

    day = models.DateField(_("day"))
    metric = models.CharField(_("metric"), max_length=40)
    department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    channel = models.ForeignKey(
        "channels.Channel",
        verbose_name=_("channel"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    key = models.CharField(_("key"), max_length=150, blank=True)
    count = models.BigIntegerField(_("count"), default=0)
    # Network figures: how many posts the sum covers, and for how many the network did not deliver it.
    items = models.PositiveIntegerField(_("items"), default=0)
    missing = models.PositiveIntegerField(_("not delivered"), default=0)
    values = models.JSONField(_("single values"), default=list, blank=True)

    class Meta:
        ordering = ["day", "metric", "pk"]
        verbose_name = _("daily figure")
        verbose_name_plural = _("daily figures")
        indexes = [
            # The page reads some metrics over a period (optionally one department).
            models.Index(fields=["metric", "day"], name="figure_metric_day_idx"),
            models.Index(fields=["day"], name="figure_day_idx"),
        ]

    def __str__(self):
        return f"{self.day} {self.metric} {self.key} = {self.count}"


class MonthlyFigure(models.Model):
    """The daily figures of one month summed (``day`` is the month's first day), rebuilt from them with
    every day of the month that is rebuilt: the page reads whole months here and only the days of a
    month it covers in part from :class:`DailyFigure` – a year is twelve rows per series, not 365."""

    day = models.DateField(_("month"))
    metric = models.CharField(_("metric"), max_length=40)
    department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    channel = models.ForeignKey(
        "channels.Channel",
        verbose_name=_("channel"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    key = models.CharField(_("key"), max_length=150, blank=True)
    count = models.BigIntegerField(_("count"), default=0)
    items = models.PositiveIntegerField(_("items"), default=0)
    missing = models.PositiveIntegerField(_("not delivered"), default=0)
    values = models.JSONField(_("single values"), default=list, blank=True)

    class Meta:
        ordering = ["day", "metric", "pk"]
        verbose_name = _("monthly figure")
        verbose_name_plural = _("monthly figures")
        indexes = [models.Index(fields=["metric", "day"], name="monthly_metric_day_idx")]

    def __str__(self):
        return f"{self.day:%Y-%m} {self.metric} {self.key} = {self.count}"


class RollupState(models.Model):
    """A single row: until when changes have been rolled up, and the lock of the rollup runs."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    # Every change with a time stamp at or after this moment (less a safety margin) is rolled up next.
    watermark = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_days = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("rollup state")

    def __str__(self):
        return f"rolled up until {self.watermark}"


class CommitteeReport(models.Model):
    """A committee report as PDF, stored unchanged; its SHA-256 is in the audit trail."""

    class Kind(models.TextChoices):
        MONTHLY = "monthly", _("monthly report")
        PERIOD = "period", _("report for a period")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.MONTHLY)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("until"))
    pdf = models.BinaryField(_("PDF"), editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)
    size = models.PositiveIntegerField(_("size in bytes"), editable=False)
    created_at = models.DateTimeField(_("created"), editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    recipients = models.JSONField(_("sent to"), default=list, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-period_start", "-pk"]
        verbose_name = _("committee report")
        verbose_name_plural = _("committee reports")
        constraints = [
            # The monthly job may run twice (or on two beat hosts): one report per month.
            models.UniqueConstraint(
                fields=["period_start"],
                condition=models.Q(kind="monthly"),
                name="committee_report_one_per_month",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.period_start:%m/%Y}"

    @property
    def filename(self) -> str:
        if self.kind == self.Kind.MONTHLY:
            return f"ausschussbericht-{self.period_start:%Y-%m}.pdf"
        return f"ausschussbericht-{self.period_start:%Y-%m-%d}-{self.period_end:%Y-%m-%d}.pdf"


class MetricSnapshot(models.Model):
    """What a network said about one published delivery on one day, stored raw.

    ``values`` maps the metric's name *as the network gives it* to its number; a metric the adapter
    asked for that the network did not deliver is listed in ``missing`` – "vom Netzwerk nicht
    geliefert" is not 0. ``mapping_version`` is the adapter's ``metrics_version`` at the time (names
    and meanings change: Meta retired several in 2025).
    """

    delivery = models.ForeignKey(
        "publishing.Delivery", verbose_name=_("delivery"), on_delete=models.CASCADE, related_name="+"
    )
    channel = models.ForeignKey(
        "channels.Channel", verbose_name=_("channel"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("day"))
    taken_at = models.DateTimeField(_("taken"))
    age_days = models.PositiveSmallIntegerField(_("days since publication"))
    values = models.JSONField(_("values"), default=dict)
    missing = models.JSONField(_("not delivered by the network"), default=list, blank=True)
    mapping_version = models.CharField(_("mapping version"), max_length=20)

    class Meta:
        ordering = ["delivery", "day"]
        verbose_name = _("network figures of a post")
        verbose_name_plural = _("network figures of posts")
        constraints = [
            models.UniqueConstraint(fields=["delivery", "day"], name="metric_snapshot_one_per_day"),
        ]
        indexes = [models.Index(fields=["taken_at"], name="metric_snapshot_taken_idx")]

    def __str__(self):
        return f"{self.delivery_id} {self.day}"


class FollowerSnapshot(models.Model):
    """A channel's followers on one day (``followers`` None: the network did not deliver them)."""

    channel = models.ForeignKey(
        "channels.Channel", verbose_name=_("channel"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("day"))
    taken_at = models.DateTimeField(_("taken"))
    followers = models.PositiveIntegerField(_("followers"), null=True, blank=True)
    mapping_version = models.CharField(_("mapping version"), max_length=20)

    class Meta:
        ordering = ["channel", "day"]
        verbose_name = _("followers of a channel")
        verbose_name_plural = _("followers of channels")
        constraints = [
            models.UniqueConstraint(fields=["channel", "day"], name="follower_snapshot_one_per_day"),
        ]
        indexes = [models.Index(fields=["taken_at"], name="follower_snapshot_taken_idx")]

    def __str__(self):
        return f"{self.channel_id} {self.day}: {self.followers}"
