from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """An in-app message to one person about one post – or about another object of an app above, such
    as an inbox item (``target``) – and the same text by e-mail.

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
        # Sent by the inbox (inbox.notices); ``target`` is the inbox item, ``post`` is empty.
        INBOX_DUE_SOON = "inbox_due_soon", _("an inbox item is due soon")
        INBOX_OVERDUE = "inbox_overdue", _("an inbox item is overdue")
        INBOX_ASSIGNED = "inbox_assigned", _("an inbox item was assigned to your department")
        REPLY_WAITING = "reply_waiting", _("a reply waits for your approval")
        REPLY_REJECTED = "reply_rejected", _("your reply was not approved")
        REPLY_PUBLISHED = "reply_published", _("your reply was published")
        REPLY_FAILED = "reply_failed", _("a reply could not be sent")
        REPLY_UNCERTAIN = "reply_uncertain", _("whether a reply was sent is unknown")
        PRESS_ESCALATED = "press_escalated", _("an inbox item was passed to the press office")
        PRESS_HANDED_BACK = "press_handed_back", _("the press office handed an inbox item back")
        INBOX_SPIKE = "inbox_spike", _("many new comments on one post")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    post = models.ForeignKey(
        "posts.Post",
        verbose_name=_("post"),
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
    )
    # What the notification is about when it is not a post. The app that owns the model registers who
    # may see it and where it is shown (notifications.registry); deleting the object deletes these rows
    # (the owning app calls notifications.services.notifications_forget).
    target_type = models.ForeignKey(
        ContentType,
        verbose_name=_("about (kind)"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    target_id = models.PositiveBigIntegerField(_("about (id)"), null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    actor_name = models.CharField(_("by"), max_length=300, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
            models.Index(fields=["target_type", "target_id"], name="notification_target_idx"),
        ]
        # The table was created by the approvals app (issue 13 moved the model); the name stays.
        db_table = "approvals_notification"

    def __str__(self):
        return f"{self.recipient} – {self.get_kind_display()}"
