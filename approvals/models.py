from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("audit events are append-only")

    def delete(self):
        raise PermissionError("audit events are append-only")


class AuditEvent(models.Model):
    """One entry of the append-only, hash-chained audit trail.

    Written only by :func:`approvals.audit.audit_record`, inside the transaction of the change it
    describes. ``sequence`` numbers events without gaps and ``hash`` covers the previous event's
    hash, so ``manage.py audit_verify`` notices a changed, inserted or deleted row.
    """

    sequence = models.PositiveBigIntegerField(_("sequence number"), unique=True, editable=False)
    created_at = models.DateTimeField(_("time"), editable=False, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        # Not SET_NULL: that would rewrite the row (the hash covers ``actor_id``, and the database
        # refuses UPDATEs of this table). The id stays when an account is removed; no constraint.
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        editable=False,
    )
    # The name is kept as written so that the trail still names the person after the account is gone.
    actor_name = models.CharField(_("actor name"), max_length=300, blank=True, editable=False)
    verb = models.CharField(_("action"), max_length=100, db_index=True, editable=False)
    object_type = models.CharField(_("object type"), max_length=100, blank=True, editable=False)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, editable=False)
    object_repr = models.CharField(_("object"), max_length=300, blank=True, editable=False)
    # The post an event belongs to (for the per-post timeline); a plain id, not a foreign key, so the
    # trail stays complete even if a post row is removed.
    post_id = models.PositiveBigIntegerField(_("post"), null=True, blank=True, db_index=True, editable=False)
    before = models.JSONField(_("before"), default=dict, blank=True, editable=False)
    after = models.JSONField(_("after"), default=dict, blank=True, editable=False)
    comment = models.TextField(_("comment"), blank=True, editable=False)
    previous_hash = models.CharField(_("previous hash"), max_length=64, editable=False)
    hash = models.CharField(_("hash"), max_length=64, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["sequence"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self):
        return f"#{self.sequence} {self.verb} {self.object_repr}"

    def save(self, *args, **kwargs):
        # Invariant, not business logic: an event is written once and never changed.
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit events are append-only")


class AuditChainHead(models.Model):
    """A single row that serialises writers of the chain and remembers its last link.

    Writers lock it (``SELECT … FOR UPDATE``) so two transactions cannot both append after the same
    event; keeping the last sequence and hash here also detects the deletion of the newest events.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self):
        return f"#{self.last_sequence} {self.last_hash[:12]}"


# --- Reviews ----------------------------------------------------------------------------------------------


class Review(models.Model):
    """One submission of a post, tied to the revision it reviews, with ordered :class:`ReviewStep`s.

    Opened by :func:`approvals.services.review_open` when a post is submitted; finished by the step
    decisions. ``revision`` is the revision under review: it moves when a reviewer edits the post
    (``submitted_revision`` keeps what the author sent). ``findings`` are the etiquette findings of
    ``revision`` (plain dicts, :meth:`etiquette.types.Finding.as_dict`), kept so that the queue can
    count warnings without running the engine per row.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("in review")
        APPROVED = "approved", _("approved")
        CHANGES_REQUESTED = "changes_requested", _("changes requested")
        REJECTED = "rejected", _("rejected")

    class Mode(models.TextChoices):
        # The department's review mode at submission (departments.Department.ReviewMode).
        COORDINATED = "coordinated", _("coordinated")
        AUTONOMOUS = "autonomous", _("autonomous")

    post = models.ForeignKey(
        "posts.Post", verbose_name=_("post"), on_delete=models.CASCADE, related_name="reviews"
    )
    revision = models.ForeignKey(
        "posts.Revision",
        verbose_name=_("revision under review"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    submitted_revision = models.ForeignKey(
        "posts.Revision",
        verbose_name=_("submitted revision"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    mode = models.CharField(_("review mode"), max_length=20, choices=Mode.choices)
    press_relevant = models.BooleanField(_("press-relevant"), default=False)
    findings = models.JSONField(_("etiquette findings"), default=list, blank=True)
    warning_count = models.PositiveSmallIntegerField(_("warnings"), default=0)
    opened_at = models.DateTimeField(_("submitted"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True, db_index=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("finished by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["post"], condition=models.Q(status="open"), name="review_one_open_per_post"
            ),
        ]

    def __str__(self):
        return f"{self.post} – {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class ReviewStep(models.Model):
    """One step of a review, decided by one person of the step's role.

    Steps are chosen when the review opens and decided in ``position`` order: exactly one step of an
    open review is ``open``; the later ones are ``waiting``. A step that was never reached when the
    review ended (changes requested or rejected earlier) becomes ``skipped``.
    """

    class Kind(models.TextChoices):
        COORDINATION = "coordination", _("Coordination")
        DEPARTMENT_HEAD = "department_head", _("Department head")
        PRESS = "press", _("Press office")

    class Status(models.TextChoices):
        WAITING = "waiting", _("waiting")
        OPEN = "open", _("open")
        APPROVED = "approved", _("approved")
        CHANGES_REQUESTED = "changes_requested", _("changes requested")
        REJECTED = "rejected", _("rejected")
        SKIPPED = "skipped", _("not reached")

    DECIDED = frozenset({Status.APPROVED, Status.CHANGES_REQUESTED, Status.REJECTED})

    review = models.ForeignKey(
        Review, verbose_name=_("review"), on_delete=models.CASCADE, related_name="steps"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("step"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.WAITING, db_index=True
    )
    activated_at = models.DateTimeField(_("waiting since"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The revision the decision saw.
    revision = models.ForeignKey(
        "posts.Revision",
        verbose_name=_("revision"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["review", "position"]
        verbose_name = _("review step")
        verbose_name_plural = _("review steps")
        constraints = [
            models.UniqueConstraint(fields=["review", "position"], name="review_step_unique_position"),
            models.UniqueConstraint(
                fields=["review"], condition=models.Q(status="open"), name="review_step_one_open"
            ),
        ]
        indexes = [models.Index(fields=["status", "kind"], name="review_step_status_kind_idx")]

    def __str__(self):
        return f"{self.review.post} – {self.get_kind_display()} ({self.get_status_display()})"


class WarningAcknowledgement(models.Model):
    """A reviewer's reason for approving despite one warning of the etiquette check.

    Stored per finding (``finding_key``: rule, channel, place) and tied to the revision it applied to:
    after an edit the warnings of the new revision must be acknowledged again.
    """

    review = models.ForeignKey(
        Review, verbose_name=_("review"), on_delete=models.CASCADE, related_name="acknowledgements"
    )
    step = models.ForeignKey(
        ReviewStep, verbose_name=_("review step"), on_delete=models.CASCADE, related_name="acknowledgements"
    )
    revision = models.ForeignKey(
        "posts.Revision", verbose_name=_("revision"), on_delete=models.CASCADE, related_name="+"
    )
    finding_key = models.CharField(_("finding"), max_length=200)
    rule = models.CharField(_("rule"), max_length=100)
    channel = models.CharField(_("channel"), max_length=20, blank=True)
    message = models.TextField(_("message"))
    reason = models.TextField(_("reason for approving"))
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"))

    class Meta:
        ordering = ["acknowledged_at", "pk"]
        verbose_name = _("acknowledged warning")
        verbose_name_plural = _("acknowledged warnings")
        constraints = [
            models.UniqueConstraint(
                fields=["step", "revision", "finding_key"], name="acknowledgement_unique_per_step"
            ),
        ]

    def __str__(self):
        return f"{self.rule}: {self.reason[:60]}"


# --- Notifications ----------------------------------------------------------------------------------------


class Notification(models.Model):
    """An in-app message to one person about one post (the same text also goes out by e-mail).

    ``kind`` and ``data`` are stored, not the sentence: the text is built when it is shown, in the
    reader's language (:mod:`approvals.notifications`).
    """

    class Kind(models.TextChoices):
        REVIEW_WAITING = "review_waiting", _("a post waits for your review")
        STEP_APPROVED = "step_approved", _("a review step was approved")
        APPROVED = "approved", _("your post was approved")
        CHANGES_REQUESTED = "changes_requested", _("changes were requested")
        REJECTED = "rejected", _("your post was rejected")
        EDITED = "edited", _("a reviewer edited your post")
        # Sent by publishing (publishing.delivery_services).
        DELIVERY_FAILED = "delivery_failed", _("publishing on a channel failed")
        DELIVERY_UNCERTAIN = "delivery_uncertain", _("publishing on a channel has an unknown outcome")
        CHANNEL_ATTENTION = "channel_attention", _("a channel needs attention")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    post = models.ForeignKey("posts.Post", verbose_name=_("post"), on_delete=models.CASCADE, related_name="+")
    actor_name = models.CharField(_("by"), max_length=300, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]

    def __str__(self):
        return f"{self.recipient} – {self.get_kind_display()}"
