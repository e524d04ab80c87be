"""Posts, their per-channel text variants, media, revisions, internal comments and calendar feeds.

Changed only through :mod:`posts.services`; read through :mod:`posts.selectors`. Status values are
constants on :class:`Post`; every transition is a named service that checks the current status first.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Post(models.Model):
    """One post of a department, published on one or more channels."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        IN_REVIEW = "in_review", _("in review")
        CHANGES_REQUESTED = "changes_requested", _("changes requested")
        APPROVED = "approved", _("approved")
        SCHEDULED = "scheduled", _("scheduled")
        PUBLISHING = "publishing", _("publishing")
        PUBLISHED = "published", _("published")
        PARTIALLY_FAILED = "partially_failed", _("partially failed")
        FAILED = "failed", _("failed")
        REJECTED = "rejected", _("rejected")
        WITHDRAWN = "withdrawn", _("withdrawn")

    # The author (and the department's staff) may edit in these states; afterwards only Koordination.
    AUTHOR_EDITABLE = frozenset({Status.DRAFT, Status.CHANGES_REQUESTED})
    # Koordination may edit before publication ("edit before approval"); editing an approved post
    # sends it back to review.
    COORDINATOR_EDITABLE = AUTHOR_EDITABLE | {Status.IN_REVIEW, Status.APPROVED, Status.SCHEDULED}
    # States after submission: every saved change is a revision.
    SUBMITTED = frozenset({Status.IN_REVIEW, Status.APPROVED, Status.SCHEDULED})

    department = models.ForeignKey(
        "departments.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="posts"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="posts"
    )
    # Who answers for the post when the author is not a person (a service user of another system):
    # set when the post is made, never changed. Four eyes excludes them like the author.
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Answers for the post when the author is a service user; may not approve it."),
    )
    title = models.CharField(
        _("internal title"),
        max_length=200,
        help_text=_("Only for the lists and the calendar; never published."),
    )
    text = models.TextField(_("text"), blank=True)
    link = models.URLField(_("link"), max_length=2000, blank=True)
    channels = models.ManyToManyField(
        "channels.Channel", verbose_name=_("channels"), blank=True, related_name="posts"
    )
    planned_at = models.DateTimeField(
        _("planned publication"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("Empty: as soon as it is approved."),
    )
    press_relevant = models.BooleanField(
        _("press-relevant"),
        default=False,
        help_text=_("The press office reviews it as well."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        indexes = [
            models.Index(fields=["department", "status"], name="post_department_status_idx"),
            # The list's order: page 1 of 100,000 posts reads 25 index entries instead of sorting them all.
            models.Index(fields=["-updated_at", "-id"], name="post_updated_idx"),
            # The list's author filter asks, per user, "wrote a post in these departments?" (index only).
            models.Index(fields=["author", "department"], name="post_author_department_idx"),
        ]

    def __str__(self):
        return self.title

    @property
    def calendar_at(self):
        """When the post shows in the calendar: published, else planned."""
        return self.published_at or self.planned_at

    @property
    def is_locked_for_author(self) -> bool:
        return self.status not in self.AUTHOR_EDITABLE


class PostVariant(models.Model):
    """A channel's own text for a post; a channel without one uses the post's main text."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="variants")
    channel = models.ForeignKey("channels.Channel", on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("text for this channel"))

    class Meta:
        verbose_name = _("text variant")
        verbose_name_plural = _("text variants")
        constraints = [
            models.UniqueConstraint(fields=["post", "channel"], name="post_variant_unique_channel"),
        ]

    def __str__(self):
        return f"{self.post} – {self.channel}"


def _media_path(instance, filename: str) -> str:
    # Random names: the original file name may carry personal data and must not be guessable.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"posts/{instance.post_id}/{secrets.token_hex(16)}.{extension}"


class Media(models.Model):
    """An image or video of a post. Files are private: served only through permission-checked views."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("image")
        VIDEO = "video", _("video")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="media")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=_media_path, max_length=300)
    mime_type = models.CharField(_("file type"), max_length=50)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    thumbnail = models.FileField(_("thumbnail"), upload_to=_media_path, max_length=300, blank=True)
    captions = models.FileField(_("captions"), upload_to=_media_path, max_length=300, blank=True)
    alt_text = models.TextField(_("alternative text"), blank=True)
    credit = models.CharField(_("credit / licence"), max_length=300, blank=True)
    shows_people = models.BooleanField(_("shows identifiable people"), default=False)
    consent = models.BooleanField(_("consent recorded"), default=False)
    original_name = models.CharField(_("original file name"), max_length=255, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("medium")
        verbose_name_plural = _("media")

    def __str__(self):
        return self.original_name or f"{self.get_kind_display()} {self.pk}"


class Revision(models.Model):
    """A snapshot of a submitted post: written on submission and on every saved change afterwards."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("number"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=40)  # "submitted", "changed", "resubmitted"
    # {"title", "text", "link", "channels": [names], "variants": {channel name: text},
    #  "planned_at": iso, "press_relevant", "media": [{"name", "alt_text", "credit", ...}]}
    snapshot = models.JSONField(_("content"))
    changed_fields = models.JSONField(_("changed fields"), default=list, blank=True)

    class Meta:
        ordering = ["post", "number"]
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        constraints = [
            models.UniqueConstraint(fields=["post", "number"], name="revision_unique_number"),
        ]

    def __str__(self):
        return f"{self.post} #{self.number}"


class Comment(models.Model):
    """An internal comment on a post; never published."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self):
        return f"{self.author} – {self.post}"


class CalendarFeed(models.Model):
    """A user's secret iCal address. Revoking deletes the row; a new token makes a new address."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        return f"{self.user}"
