from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

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
        # Taken back before anybody decided (a cancelled official warning's post): nothing to decide.
        WITHDRAWN = "withdrawn", _("withdrawn")

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
        indexes = [
            # The approval queue (selectors.queue_for) joins every open step to its open review and
            # needs only these columns of it: read from the index alone, not from the wide rows
            # (findings). The included columns need PostgreSQL (SQLite gets the bare index).
            models.Index(
                fields=["id"],
                include=["post", "opened_by"],
                condition=models.Q(status="open"),
                name="review_open_queue_idx",
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
