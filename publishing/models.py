"""Channels, rollout phases and the local sandbox feed.

Changed only through :mod:`publishing.services`; read through :mod:`publishing.selectors`.

Which departments may use a channel
-----------------------------------
django-guardian object permissions belong to users and groups; a department is neither. The source
of truth is therefore ``Channel.departments`` (a plain many-to-many, one query to filter on). The
services mirror it into the guardian object permission ``publishing.publish_to_channel`` granted to
one group per department (``publishing.permissions.department_group``), so that guardian's
``get_objects_for_group`` / ``get_perms`` and the admin's object-permission views tell the same
story. Code that asks "may this department publish here?" uses
:func:`publishing.selectors.channels_for_department` – the one accessor.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .networks import registry


class Channel(models.Model):
    """One account on one social network (or the local sandbox)."""

    kind = models.CharField(_("network"), max_length=20, choices=registry.choices)
    name = models.CharField(_("display name"), max_length=200, unique=True)
    account = models.CharField(
        _("account"),
        max_length=200,
        blank=True,
        help_text=_("The account on the network, e.g. @landkreis@social.example or the page id."),
    )
    # Fernet token (MultiFernet over settings.CREDENTIALS_KEYS) of the JSON credentials; see crypto.py.
    credentials_encrypted = models.TextField(_("credentials (encrypted)"), blank=True, editable=False)
    # Session state a network hands out after login (Bluesky's session string), encrypted the same way.
    session_encrypted = models.TextField(_("session (encrypted)"), blank=True, editable=False)
    base_url = models.URLField(
        _("API base URL"),
        blank=True,
        help_text=_(
            "Only for self-hosted servers (e.g. a Mastodon instance); empty = the network's default."
        ),
    )
    enabled = models.BooleanField(
        _("enabled"),
        default=False,
        help_text=_("Only a channel of an active rollout phase can be enabled."),
    )
    departments = models.ManyToManyField(
        "departments.Department",
        verbose_name=_("departments"),
        blank=True,
        related_name="channels",
        help_text=_("Departments whose posts may be published on this channel."),
    )
    # The last "check credentials" answer (never a secret: the network's account name or message).
    checked_at = models.DateTimeField(_("last checked"), null=True, blank=True, editable=False)
    check_ok = models.BooleanField(_("check succeeded"), null=True, blank=True, editable=False)
    check_message = models.CharField(_("check result"), max_length=500, blank=True, editable=False)
    # Set when the network refused the credentials while publishing: the channel's deliveries wait
    # (instead of burning attempts) until the credentials are changed or "check access" succeeds.
    attention_since = models.DateTimeField(_("needs attention since"), null=True, blank=True, editable=False)
    attention_message = models.CharField(_("problem"), max_length=500, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        permissions = [("publish_to_channel", _("Can publish posts on this channel"))]

    def __str__(self):
        return self.name

    def __repr__(self):
        # Never the credentials, not even encrypted.
        return f"<Channel {self.pk}: {self.kind} {self.name!r}>"

    @property
    def adapter_class(self):
        return registry.get(self.kind)

    @property
    def needs_attention(self) -> bool:
        return self.attention_since is not None


class RolloutPhase(models.Model):
    """One step of the county's rollout ("bausteinweise"): the channels and departments it adds."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        ACTIVE = "active", _("active")

    order = models.PositiveSmallIntegerField(
        _("order"), unique=True, help_text=_("0 for Phase 0, and so on.")
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True, editable=False)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("activated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    channels = models.ManyToManyField(
        Channel,
        verbose_name=_("channels"),
        blank=True,
        related_name="phases",
        help_text=_("Channels this phase enables."),
    )
    departments = models.ManyToManyField(
        "departments.Department",
        verbose_name=_("departments"),
        blank=True,
        related_name="rollout_phases",
        help_text=_("Departments this phase brings on board."),
    )

    class Meta:
        ordering = ["order"]
        verbose_name = _("rollout phase")
        verbose_name_plural = _("rollout phases")

    def __str__(self):
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class SandboxPost(models.Model):
    """A post "published" on a sandbox channel: the local feed page shows these like a social network."""

    channel = models.ForeignKey(
        Channel, verbose_name=_("channel"), on_delete=models.CASCADE, related_name="+"
    )
    text = models.TextField(_("text"))
    link = models.URLField(_("link"), max_length=2000, blank=True)
    language = models.CharField(_("language"), max_length=10, default="de")
    # [{"path": ..., "alt_text": ..., "kind": "image"|"video", "mime_type": ...}]
    media = models.JSONField(_("media"), default=list, blank=True)
    # The delivery's key: the sandbox deduplicates like Mastodon does.
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, blank=True)
    published_at = models.DateTimeField(_("published"), auto_now_add=True, db_index=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("sandbox post")
        verbose_name_plural = _("sandbox posts")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="sandboxpost_unique_idempotency_key",
            ),
        ]

    def __str__(self):
        return self.text[:60]


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
