"""The append-only, hash-chained audit trail (moved from approvals in issue 13; tables keep their names)."""

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

    Written only by :func:`audit.services.audit_record`, inside the transaction of the change it
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
        # The table was created by the approvals app (issue 13 moved the model); the name stays.
        db_table = "approvals_auditevent"

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
        db_table = "approvals_auditchainhead"

    def __str__(self):
        return f"#{self.last_sequence} {self.last_hash[:12]}"
