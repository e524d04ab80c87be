from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """An in-app message to one person about one post (the same text also goes out by e-mail).

    ``kind`` and ``data`` are stored, not the sentence: the text is built when it is shown, in the
    reader's language (:mod:`notifications.services`).
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
        # The table was created by the approvals app (issue 13 moved the model); the name stays.
        db_table = "approvals_notification"

    def __str__(self):
        return f"{self.recipient} – {self.get_kind_display()}"
