"""Deliveries and their attempts (channels, rollout phases and the sandbox feed are in ``channels``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from channels.models import Channel

# The deliveries page lists what needs a person first: failed, outcome unknown, a deletion that
# failed, then waiting for a retry, then what is on its way, then the rest. One expression for the
# page's ORDER BY and for the index that answers it (PostgreSQL uses an expression index only for
# the same expression): with 180,000 deliveries the page sorted them all (450 ms) before.
DELIVERY_OVERVIEW_ORDER = (
    ("failed", 0),
    ("uncertain", 1),
    ("withdrawing", 2),
    ("retrying", 3),
    ("sending", 4),
    ("pending", 5),
    ("published", 6),
    ("withdrawn", 7),
)


def delivery_urgency() -> models.Case:
    return models.Case(
        *[models.When(status=value, then=models.Value(rank)) for value, rank in DELIVERY_OVERVIEW_ORDER],
        default=models.Value(9),
        output_field=models.IntegerField(),
    )


class Delivery(models.Model):
    """One approved post on one channel: the unit a worker claims, sends and records.

    Written only by ``publishing.delivery_services``; the database row is the truth about a delivery,
    the broker only wakes workers (DESIGN.md "Publishing guarantees", docs/publishing.md).
    """

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("delivery status", "waiting")
        SENDING = "sending", pgettext_lazy("delivery status", "sending")
        PUBLISHED = "published", pgettext_lazy("delivery status", "published")
        RETRYING = "retrying", pgettext_lazy("delivery status", "retrying")
        FAILED = "failed", pgettext_lazy("delivery status", "failed")
        UNCERTAIN = "uncertain", pgettext_lazy("delivery status", "outcome unknown")
        WITHDRAWING = "withdrawing", pgettext_lazy("delivery status", "being withdrawn")
        WITHDRAWN = "withdrawn", pgettext_lazy("delivery status", "withdrawn")

    # A worker may claim these once ``next_attempt_at`` has come.
    CLAIMABLE = (Status.PENDING, Status.RETRYING)
    # Still on its way: the post is "publishing" while one of its deliveries is in one of these.
    OPEN = (Status.PENDING, Status.SENDING, Status.RETRYING)
    # What the coordinator must look at: listed first on the deliveries page.
    PROBLEMS = (Status.FAILED, Status.UNCERTAIN, Status.RETRYING, Status.WITHDRAWING)

    post = models.ForeignKey(
        "posts.Post", verbose_name=_("post"), on_delete=models.PROTECT, related_name="deliveries"
    )
    channel = models.ForeignKey(
        Channel, verbose_name=_("channel"), on_delete=models.PROTECT, related_name="deliveries"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    # The post's planned time (or the approval time): never sent before it.
    due_at = models.DateTimeField(_("due"))
    # When a worker may claim it next (pending/retrying), or try the deletion again (withdrawing).
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    attempt_count = models.PositiveIntegerField(_("attempts"), default=0)
    # Attempts since the delivery was created or a person asked for a retry (bounded by settings).
    attempts_in_round = models.PositiveIntegerField(_("attempts in this round"), default=0)
    lease_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    worker = models.CharField(_("worker"), max_length=200, blank=True)
    # When it was last put on the broker (the sweep queues it again only after a while).
    enqueued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    external_id = models.CharField(_("id on the network"), max_length=300, blank=True)
    external_url = models.URLField(_("address on the network"), max_length=2000, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    withdraw_requested_at = models.DateTimeField(_("withdrawal requested"), null=True, blank=True)
    withdraw_reason = models.TextField(_("reason for the withdrawal"), blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A withdrawal that left something on the network for a person to remove (outcome unknown).
    withdraw_note = models.CharField(_("note on the withdrawal"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["post", "channel"], name="delivery_unique_post_channel"),
            models.CheckConstraint(
                condition=~Q(status="sending") | Q(lease_until__isnull=False),
                name="delivery_sending_has_lease",
            ),
        ]
        indexes = [
            # The sweep: due deliveries, expired leases.
            models.Index(fields=["status", "next_attempt_at"], name="delivery_status_next_idx"),
            models.Index(fields=["status", "lease_until"], name="delivery_status_lease_idx"),
            # The deliveries page: most urgent first, then newest (publishing.selectors.deliveries_overview).
            models.Index(
                delivery_urgency(), F("updated_at").desc(), F("id").desc(), name="delivery_overview_idx"
            ),
            # The Koordination start page: the newest failed or unknown deliveries (a few of
            # thousands at 100,000 posts, which it sorted all before: 15-20 ms).
            models.Index(
                fields=["-updated_at", "-id"],
                condition=Q(status__in=("failed", "uncertain")),
                name="delivery_problems_newest_idx",
            ),
        ]

    def __str__(self):
        return f"{self.post_id} → {self.channel_id} ({self.status})"

    @property
    def is_problem(self) -> bool:
        return self.status in self.PROBLEMS


class DeliveryAttempt(models.Model):
    """One try to publish (or delete) a delivery: when, how long, what came of it."""

    class Operation(models.TextChoices):
        PUBLISH = "publish", _("publish")
        DELETE = "delete", _("delete")

    class Outcome(models.TextChoices):
        RUNNING = "running", pgettext_lazy("attempt outcome", "running")
        PUBLISHED = "published", pgettext_lazy("attempt outcome", "published")
        DELETED = "deleted", pgettext_lazy("attempt outcome", "deleted")
        RETRYABLE = "retryable", pgettext_lazy("attempt outcome", "temporary error")
        FAILED = "failed", pgettext_lazy("attempt outcome", "refused")
        UNCERTAIN = "uncertain", pgettext_lazy("attempt outcome", "outcome unknown")
        LOST = "lost", pgettext_lazy("attempt outcome", "worker stopped")

    delivery = models.ForeignKey(
        Delivery, verbose_name=_("delivery"), on_delete=models.CASCADE, related_name="attempts"
    )
    # The delivery's channel, kept here so the rate limiter counts one index range.
    channel = models.ForeignKey(
        Channel, verbose_name=_("channel"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.PositiveIntegerField(_("number"))
    operation = models.CharField(
        _("operation"), max_length=10, choices=Operation.choices, default=Operation.PUBLISH
    )
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, default=Outcome.RUNNING)
    error = models.TextField(_("error"), blank=True)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    worker = models.CharField(_("worker"), max_length=200, blank=True)

    class Meta:
        ordering = ["delivery", "number", "pk"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        indexes = [
            models.Index(fields=["channel", "operation", "started_at"], name="attempt_rate_window_idx"),
        ]

    def __str__(self):
        return f"{self.delivery_id} #{self.number} {self.outcome}"
