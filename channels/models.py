"""Channels, rollout phases and the local sandbox feed (moved from publishing in issue 13; tables keep their names).

Changed only through :mod:`channels.services`; read through :mod:`channels.selectors`.

Which departments may use a channel
-----------------------------------
django-guardian object permissions belong to users and groups; a department is neither. The source
of truth is therefore ``Channel.departments`` (a plain many-to-many, one query to filter on). The
services mirror it into the guardian object permission ``channels.publish_to_channel`` granted to
one group per department (``channels.permissions.department_group``), so that guardian's
``get_objects_for_group`` / ``get_perms`` and the admin's object-permission views tell the same
story. Code that asks "may this department publish here?" uses
:func:`channels.selectors.channels_for_department` – the one accessor.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

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
        db_table = "publishing_channel"

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
        db_table = "publishing_rolloutphase"

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
        db_table = "publishing_sandboxpost"
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="sandboxpost_unique_idempotency_key",
            ),
        ]

    def __str__(self):
        return self.text[:60]
