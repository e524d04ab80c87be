"""What citizens write on the county's channels (the Posteingang).

Changed only through :mod:`inbox.services`; read through :mod:`inbox.selectors`. Every text, name and
handle here is a citizen's personal data: never logged, never in an audit event, deleted after the
retention period (``INBOX_RETENTION_DAYS``) once the item is closed.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class InboxItem(models.Model):
    """One comment, reply, mention or direct message – one row per (channel, id on the network)."""

    class Kind(models.TextChoices):
        COMMENT = "comment", pgettext_lazy("inbox kind", "Comment")
        REPLY = "reply", pgettext_lazy("inbox kind", "Reply")
        MENTION = "mention", pgettext_lazy("inbox kind", "Mention")
        DIRECT = "direct", pgettext_lazy("inbox kind", "Direct message")

    class State(models.TextChoices):
        NEW = "new", pgettext_lazy("inbox state", "new")
        IN_PROGRESS = "in_progress", pgettext_lazy("inbox state", "in progress")
        DONE = "done", pgettext_lazy("inbox state", "done")
        # Room for the next steps (replies, moderation, the press office) – e.g. "at_press" – in the
        # same field: max_length leaves space, OPEN lists what still needs somebody.

    OPEN = (State.NEW, State.IN_PROGRESS)

    class Resolution(models.TextChoices):
        ANSWERED = "answered", pgettext_lazy("inbox resolution", "answered")
        NO_ANSWER_NEEDED = "no_answer_needed", pgettext_lazy("inbox resolution", "no answer needed")

    channel = models.ForeignKey(
        "channels.Channel", verbose_name=_("channel"), on_delete=models.PROTECT, related_name="+"
    )
    network_id = models.CharField(_("id on the network"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.NEW)
    is_open = models.BooleanField(_("open"), default=True)
    resolution = models.CharField(_("resolution"), max_length=30, choices=Resolution.choices, blank=True)
    close_reason = models.TextField(_("reason"), blank=True)
    # What the citizen wrote, as plain text (the network's HTML cleaned), and as little about them as
    # the work needs: the handle, the display name and the profile link.
    text = models.TextField(_("text"), blank=True)
    author_handle = models.CharField(_("author"), max_length=300, blank=True)
    author_name = models.CharField(_("display name"), max_length=300, blank=True)
    author_url = models.URLField(_("profile"), max_length=1000, blank=True)
    # The author's account id on the network (pseudonymous): what a direct answer (X, Messenger) or a
    # report (Mastodon) is addressed to. Deleted with the item; never logged, never shown on a page.
    author_network_id = models.CharField(_("author's account id"), max_length=300, blank=True)
    url = models.URLField(_("address on the network"), max_length=1000, blank=True)
    media_urls = models.JSONField(_("media (links)"), default=list, blank=True)
    created_on_network = models.DateTimeField(_("written"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), db_index=True)
    # Threads: what it answers and the thread's first post (ids on the network), and the conversation
    # it is shown in (all items of a channel with the same key, in order).
    parent_network_id = models.CharField(_("answers"), max_length=300, blank=True)
    root_network_id = models.CharField(_("thread start"), max_length=300, blank=True)
    conversation_key = models.CharField(_("conversation"), max_length=320, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("answers"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The county post it belongs to (through the delivery's id on the network) and who must answer.
    post = models.ForeignKey(
        "posts.Post",
        verbose_name=_("post"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: waits in the coordination's triage list."),
    )
    suggested_department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("suggested department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken over by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The response clock, in staffed hours (inbox.clock): when it starts, when a reminder is due,
    # when the first reaction is due; when the first reaction came; which notices went out.
    clock_starts_at = models.DateTimeField(_("clock starts"), null=True, blank=True)
    remind_at = models.DateTimeField(_("due soon from"), null=True, blank=True)
    due_at = models.DateTimeField(_("reaction due"), null=True, blank=True)
    first_reaction_at = models.DateTimeField(_("first reaction"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    overdue_notified_at = models.DateTimeField(_("overdue notice sent"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        ordering = ["-is_open", F("due_at").asc(), "id"]
        verbose_name = _("inbox item")
        verbose_name_plural = _("inbox items")
        constraints = [
            models.UniqueConstraint(fields=["channel", "network_id"], name="inboxitem_unique_network_id"),
            models.CheckConstraint(
                condition=Q(is_open=True, state__in=["new", "in_progress"]) | Q(is_open=False, state="done"),
                name="inboxitem_open_follows_state",
            ),
        ]
        indexes = [
            # The inbox page, most urgent first – for everybody and per department.
            models.Index(
                F("is_open").desc(),
                F("due_at").asc(),
                F("id").asc(),
                name="inboxitem_urgency_idx",
            ),
            models.Index(
                F("department"),
                F("is_open").desc(),
                F("due_at").asc(),
                F("id").asc(),
                name="inboxitem_dept_urgency_idx",
            ),
            # Waiting for a first reaction: the navigation's count, the overdue filter, the triage list.
            models.Index(
                F("department"),
                F("due_at"),
                name="inboxitem_waiting_idx",
                condition=Q(is_open=True, first_reaction_at__isnull=True),
            ),
            # The reminder task and the retention task.
            models.Index(fields=["is_open", "remind_at"], name="inboxitem_open_remind_idx"),
            models.Index(fields=["is_open", "closed_at"], name="inboxitem_closed_idx"),
        ]

    def __str__(self):
        # Never the text or the author: this shows up in the audit trail and in logs.
        return f"{self.get_kind_display()} {self.pk} ({self.channel_id})"

    def __repr__(self):
        return f"<InboxItem {self.pk}: {self.kind} {self.state}>"


class InboxRead(models.Model):
    """Who opened which item (unread items are marked on the inbox page)."""

    item = models.ForeignKey(InboxItem, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "item"], name="inboxread_unique")]

    def __str__(self):
        return f"{self.user_id} read {self.item_id}"


class ChannelInbox(models.Model):
    """Per channel: the read cursor, the fetch lease, backoff and health, X's monthly read budget, the
    response target. Written by the fetch (inbox.fetching) and the admin."""

    channel = models.OneToOneField(
        "channels.Channel", verbose_name=_("channel"), on_delete=models.CASCADE, related_name="inbox_state"
    )
    reading_enabled = models.BooleanField(
        _("read comments and messages"),
        default=True,
        help_text=_("Off by default where every read costs money (X)."),
    )
    monthly_read_budget = models.PositiveIntegerField(
        _("monthly read budget"),
        null=True,
        blank=True,
        help_text=_("Network reads per calendar month (X charges for every read); empty = no limit."),
    )
    response_hours = models.DecimalField(
        _("first reaction within (staffed hours)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("Empty = the department's target or the default."),
    )
    # The adapter's own cursor string: moved only in the transaction that commits the items.
    cursor = models.TextField(_("cursor"), blank=True, editable=False)
    reads_month = models.DateField(_("month of the counted reads"), null=True, blank=True, editable=False)
    reads_used = models.PositiveIntegerField(_("reads this month"), default=0, editable=False)
    window_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    window_reads = models.PositiveIntegerField(default=0, editable=False)
    lease_until = models.DateTimeField(_("being fetched until"), null=True, blank=True, editable=False)
    next_fetch_at = models.DateTimeField(_("next fetch not before"), null=True, blank=True, editable=False)
    failures = models.PositiveIntegerField(_("failures in a row"), default=0, editable=False)
    last_fetch_at = models.DateTimeField(_("last fetch"), null=True, blank=True, editable=False)
    last_success_at = models.DateTimeField(_("last successful fetch"), null=True, blank=True, editable=False)
    last_error = models.CharField(_("last error"), max_length=500, blank=True, editable=False)

    class Meta:
        verbose_name = _("channel inbox")
        verbose_name_plural = _("channel inboxes")

    def __str__(self):
        return str(self.channel)


class DepartmentResponseTarget(models.Model):
    department = models.OneToOneField(
        "departments.Department", verbose_name=_("department"), on_delete=models.CASCADE, related_name="+"
    )
    hours = models.DecimalField(_("first reaction within (staffed hours)"), max_digits=5, decimal_places=1)

    class Meta:
        verbose_name = _("response target")
        verbose_name_plural = _("response targets")

    def __str__(self):
        return f"{self.department}: {self.hours} h"


class KeywordRule(models.Model):
    """Admin-edited: an item in the triage list whose text contains one of the words suggests a department."""

    keywords = models.TextField(
        _("keywords"), help_text=_("One word or phrase per line (case does not matter).")
    )
    department = models.ForeignKey(
        "departments.Department", verbose_name=_("department"), on_delete=models.CASCADE, related_name="+"
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("keyword rule")
        verbose_name_plural = _("keyword rules")

    def __str__(self):
        return f"{self.department}: {self.keywords.splitlines()[0] if self.keywords else ''}"

    def words(self) -> list[str]:
        return [line.strip().casefold() for line in self.keywords.splitlines() if line.strip()]


class SandboxComment(models.Model):
    """What a (demo) citizen wrote under a post on the sandbox feed: the sandbox network's comment
    section. The sandbox adapter reads it like a network's API (inbox.sandbox)."""

    channel = models.ForeignKey("channels.Channel", on_delete=models.CASCADE, related_name="+")
    sandbox_post_id = models.PositiveBigIntegerField(_("sandbox post"))
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    author_handle = models.CharField(_("author"), max_length=100)
    author_name = models.CharField(_("display name"), max_length=200, blank=True)
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    # The county's answers (issue 16) are comments too; they are not read back into the inbox.
    by_county = models.BooleanField(_("by the county"), default=False)
    hidden = models.BooleanField(_("hidden"), default=False)
    reply_key = models.CharField(_("idempotency key"), max_length=100, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("sandbox comment")
        verbose_name_plural = _("sandbox comments")

    def __str__(self):
        return f"sandbox comment {self.pk}"


class SavedReply(models.Model):
    """A Textbaustein: a saved answer for one department or for all, searched from the reply box and
    inserted for editing – never sent as it is. Edited by Koordination and Administration."""

    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(_("text"), max_length=2000)
    department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="saved_replies",
        help_text=_("Empty: for every department."),
    )
    keywords = models.CharField(
        _("keywords"), max_length=300, blank=True, help_text=_("Further words to find it by (search).")
    )
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("saved reply")
        verbose_name_plural = _("saved replies")
        indexes = [models.Index(fields=["active", "department"], name="inbox_savedreply_scope_idx")]

    def __str__(self):
        return self.title


class DepartmentReplySetting(models.Model):
    """ "Antworten brauchen Freigabe" per department. Without a row: on for coordinated departments,
    off for autonomous ones (``inbox.replying.replies_need_approval``)."""

    department = models.OneToOneField(
        "departments.Department",
        verbose_name=_("department"),
        on_delete=models.CASCADE,
        related_name="reply_setting",
    )
    replies_need_approval = models.BooleanField(_("replies need approval"), default=True)

    class Meta:
        verbose_name = _("reply setting")
        verbose_name_plural = _("reply settings")

    def __str__(self):
        return str(self.department)


class Reply(models.Model):
    """The county's answer to an inbox item: checked like a post, approved where the department needs
    it, sent exactly once like a delivery (claim with a lease, sweep, ``uncertain`` for an unknown
    outcome; the key is Mastodon's Idempotency-Key)."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("reply status", "waiting for approval")
        APPROVED = "approved", pgettext_lazy("reply status", "approved, waiting to be sent")
        SENDING = "sending", pgettext_lazy("reply status", "sending")
        PUBLISHED = "published", pgettext_lazy("reply status", "published")
        FAILED = "failed", pgettext_lazy("reply status", "failed")
        UNCERTAIN = "uncertain", pgettext_lazy("reply status", "outcome unknown")
        REJECTED = "rejected", pgettext_lazy("reply status", "rejected")

    item = models.ForeignKey(
        InboxItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.TextField(_("text"))
    direct = models.BooleanField(_("as a direct message"), default=False)
    key = models.UUIDField(_("idempotency key"), default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    findings = models.JSONField(_("etiquette findings"), default=list, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved or rejected by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_comment = models.TextField(_("comment"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    external_id = models.CharField(_("id on the network"), max_length=300, blank=True)
    url = models.URLField(_("address on the network"), max_length=1000, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="inbox_reply_due_idx")]

    def __str__(self):
        return f"Reply {self.pk} ({self.status})"


class ModerationAction(models.Model):
    """Hiding, showing again, deleting or reporting a citizen's item – with the netiquette clause and
    the reason, and the original kept as evidence (text, author, time, link) for the retention period,
    also when the item itself is deleted."""

    class Action(models.TextChoices):
        HIDE = "hide", pgettext_lazy("moderation", "hidden")
        UNHIDE = "unhide", pgettext_lazy("moderation", "shown again")
        DELETE = "delete", pgettext_lazy("moderation", "deleted")
        REPORT = "report", pgettext_lazy("moderation", "reported to the server's moderators")

    item = models.ForeignKey(
        InboxItem, verbose_name=_("item"), null=True, on_delete=models.SET_NULL, related_name="moderation"
    )
    channel = models.ForeignKey(
        "channels.Channel", verbose_name=_("channel"), on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    succeeded = models.BooleanField(_("carried out"), default=False)
    error = models.TextField(_("error"), blank=True)
    clause = models.ForeignKey(
        "etiquette.NetiquetteClause",
        verbose_name=_("netiquette clause"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("reason"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    # Evidence: the original as it was.
    evidence_network_id = models.CharField(_("id on the network"), max_length=300)
    evidence_text = models.TextField(_("text"), blank=True)
    evidence_author = models.CharField(_("author"), max_length=300, blank=True)
    evidence_author_url = models.URLField(_("profile"), max_length=1000, blank=True)
    evidence_written_at = models.DateTimeField(_("written"), null=True, blank=True)
    evidence_url = models.URLField(_("address on the network"), max_length=1000, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("moderation action")
        verbose_name_plural = _("moderation actions")

    def __str__(self):
        return f"{self.action} {self.pk}"


class PressEscalation(models.Model):
    """ "An die Pressestelle": while open, the item is locked for the department; the Pressestelle
    answers it (the same reply path) or hands it back with a note."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("escalation", "with the press office")
        HANDED_BACK = "handed_back", pgettext_lazy("escalation", "handed back")
        ANSWERED = "answered", pgettext_lazy("escalation", "answered by the press office")

    item = models.ForeignKey(
        InboxItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="escalations"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    note = models.TextField(_("note"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closing_note = models.TextField(_("note of the press office"), blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("press escalation")
        verbose_name_plural = _("press escalations")
        constraints = [
            models.UniqueConstraint(
                fields=["item"], condition=Q(status="open"), name="inbox_one_open_escalation_per_item"
            )
        ]

    def __str__(self):
        return f"Escalation {self.pk} ({self.status})"


class SpikeAlert(models.Model):
    """ "Viele neue Beiträge": more than ``LANDKREIS_INBOX_SPIKE_PER_HOUR`` items within an hour on one
    post; Koordination is told once per post and hour (the constraint makes it once, whoever runs)."""

    post = models.ForeignKey("posts.Post", verbose_name=_("post"), on_delete=models.CASCADE, related_name="+")
    hour = models.DateTimeField(_("hour"))
    count = models.PositiveIntegerField(_("items in the hour"))
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        ordering = ["-hour"]
        verbose_name = _("spike alert")
        verbose_name_plural = _("spike alerts")
        constraints = [
            models.UniqueConstraint(fields=["post", "hour"], name="inbox_one_spike_alert_per_hour")
        ]

    def __str__(self):
        return f"Spike {self.post_id} {self.hour:%Y-%m-%d %H}"
