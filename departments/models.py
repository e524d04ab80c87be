from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Department(models.Model):
    """A Fachbereich of the county that writes its own posts."""

    class ReviewMode(models.TextChoices):
        COORDINATED = "coordinated", _("coordinated (the social-media coordinator approves)")
        AUTONOMOUS = "autonomous", _("autonomous (the department head approves)")

    name = models.CharField(_("name"), max_length=200, unique=True)
    code = models.SlugField(
        _("short code"), max_length=20, unique=True, help_text=_("e.g. GA for Gesundheitsamt")
    )
    review_mode = models.CharField(
        _("review mode"), max_length=20, choices=ReviewMode.choices, default=ReviewMode.COORDINATED
    )
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Only active departments can draft and submit posts.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        permissions = [
            ("draft_posts", _("Can draft and submit posts for this department")),
            ("lead_department", _("Can approve posts of this department when it reviews autonomously")),
        ]

    def __str__(self):
        return self.name


class Membership(models.Model):
    """A user's role in one department. Changed only through ``departments.services``."""

    class Role(models.TextChoices):
        EDITOR = "editor", _("Editor (Redaktion)")
        HEAD = "head", _("Department head (Fachbereichsleitung)")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.EDITOR)
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        ordering = ["department__name", "user__username"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "department"], name="membership_unique_user_department"),
        ]

    def __str__(self):
        return f"{self.user} – {self.department} ({self.get_role_display()})"
