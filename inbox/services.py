"""Every write to inbox items: take over, close with a reason, assign / reassign, mark read, the clock's
notices, retention, the demo citizen's comment. Each checks the current state first and writes its audit
event in the same transaction. Audit events name the item by id – never its text or author."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from departments import roles
from departments.models import Department
from notifications.services import notifications_forget

from . import notices, routing
from .models import InboxItem, InboxRead, SandboxComment, SavedReply
from .selectors import may_assign, may_edit_saved_replies, sees_all, visible_items

REASON_MAX_LENGTH = 2000
State = InboxItem.State


class StateConflict(ValidationError):
    """The item is no longer in the state the action needs (somebody else was faster)."""


def _may_work_on(user, item: InboxItem) -> bool:
    return (
        visible_items(user).filter(pk=item.pk).exists()
        and (sees_all(user) or item.department_id is not None)
        # While the Pressestelle has the item, it is locked for the department (issue 16).
        and not item.escalations.filter(status="open").exists()
    ) or (roles.is_press_office(user) and visible_items(user).filter(pk=item.pk).exists())


def _locked(item: InboxItem) -> InboxItem:
    return InboxItem.objects.select_for_update(of=("self",)).select_related("department").get(pk=item.pk)


def _clean_reason(reason: str, *, required: bool = True) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ValidationError({"reason": _("Please give a reason.")})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": _("At most %(n)s characters, please.") % {"n": REASON_MAX_LENGTH}})
    return reason


@transaction.atomic
def item_take_over(*, actor, item: InboxItem) -> InboxItem:
    """neu → in Bearbeitung, by ``actor``; the first reaction stops the clock."""
    if not _may_work_on(actor, item):
        raise PermissionDenied
    item = _locked(item)
    if item.state != State.NEW:
        raise StateConflict(_("This item is no longer new; somebody has taken it over already."))
    now = timezone.now()
    item.state = State.IN_PROGRESS
    item.assignee = actor
    item.first_reaction_at = item.first_reaction_at or now
    item.save(update_fields=["state", "assignee", "first_reaction_at", "updated_at"])
    audit_record(
        actor=actor,
        verb="inbox_item.taken_over",
        obj=item,
        post_id=item.post_id,
        before={"state": State.NEW},
        # The department's id: webhooks about the item go only to that department's integrations.
        after={"state": item.state, "department_id": item.department_id},
    )
    return item


@transaction.atomic
def item_close(*, actor, item: InboxItem, resolution: str, reason: str) -> InboxItem:
    """→ erledigt: beantwortet / keine Antwort nötig, with a reason (required)."""
    if not _may_work_on(actor, item):
        raise PermissionDenied
    if resolution not in InboxItem.Resolution.values:
        raise ValidationError({"resolution": _("Please choose how the item was settled.")})
    reason = _clean_reason(reason)
    item = _locked(item)
    if item.state not in InboxItem.OPEN:
        raise StateConflict(_("This item is closed already."))
    now = timezone.now()
    before = item.state
    item.state = State.DONE
    item.is_open = False
    item.resolution = resolution
    item.close_reason = reason
    item.closed_at = now
    item.closed_by = actor
    item.assignee = item.assignee or actor
    item.first_reaction_at = item.first_reaction_at or now
    item.save(
        update_fields=[
            "state",
            "is_open",
            "resolution",
            "close_reason",
            "closed_at",
            "closed_by",
            "assignee",
            "first_reaction_at",
            "updated_at",
        ]
    )
    audit_record(
        actor=actor,
        verb="inbox_item.closed",
        obj=item,
        post_id=item.post_id,
        before={"state": before},
        after={"state": item.state, "resolution": resolution},
        comment=reason,
    )
    notices.replies_stop_waiting(item=item)
    return item


@transaction.atomic
def item_assign(*, actor, item: InboxItem, department: Department, note: str) -> InboxItem:
    """Koordination (or Administration) assigns an item to a department, or reassigns it – with a note.
    The clock is counted again from the item's arrival with the new department's target."""
    if not may_assign(actor):
        raise PermissionDenied
    if department is None or not department.active:
        raise ValidationError({"department": _("Please choose an active department.")})
    note = _clean_reason(note)
    item = _locked(item)
    if item.department_id == department.pk:
        raise ValidationError({"department": _("The item already belongs to this department.")})
    before = item.department.name if item.department_id else ""
    item.department = department
    fields = ["department", "updated_at"]
    if item.first_reaction_at is None:
        clock = routing.clock_fields(item.received_at, routing.target_hours(item.channel_id, department.pk))
        for name, value in clock.items():
            setattr(item, name, value)
        item.reminded_at = None
        fields += [*clock, "reminded_at"]
    item.save(update_fields=fields)
    audit_record(
        actor=actor,
        verb="inbox_item.reassigned" if before else "inbox_item.assigned",
        obj=item,
        post_id=item.post_id,
        before={"department": before},
        after={"department": department.name, "department_id": department.pk},
        comment=note,
    )
    notices.assigned(item=item, actor=actor, note=note)
    return item


def item_mark_read(*, user, item: InboxItem) -> None:
    """Remember that ``user`` opened the item (not audited: reading changes nothing)."""
    try:
        with transaction.atomic():
            InboxRead.objects.get_or_create(user=user, item=item)
    except IntegrityError:  # the same person in two tabs at once
        pass


def items_send_clock_notices(*, now: datetime | None = None) -> dict[str, int]:
    """Beat: a reminder to the department when an item becomes due soon, a notice to Koordination when
    it is overdue – each once (a conditional UPDATE claims it before anything is sent)."""
    now = now or timezone.now()
    sent = {"reminders": 0, "overdue": 0}
    waiting = InboxItem.objects.filter(is_open=True, first_reaction_at__isnull=True)
    for pk in waiting.filter(reminded_at__isnull=True, remind_at__lte=now, due_at__gt=now).values_list(
        "pk", flat=True
    )[:500]:
        with transaction.atomic():
            if InboxItem.objects.filter(pk=pk, reminded_at__isnull=True).update(reminded_at=now):
                notices.due_soon(item=InboxItem.objects.select_related("department", "channel").get(pk=pk))
                sent["reminders"] += 1
    for pk in waiting.filter(overdue_notified_at__isnull=True, due_at__lte=now).values_list("pk", flat=True)[
        :500
    ]:
        with transaction.atomic():
            if InboxItem.objects.filter(pk=pk, overdue_notified_at__isnull=True).update(
                overdue_notified_at=now, reminded_at=now
            ):
                notices.overdue(item=InboxItem.objects.select_related("department", "channel").get(pk=pk))
                sent["overdue"] += 1
    return sent


@transaction.atomic
def items_delete_expired(*, now: datetime | None = None) -> int:
    """Retention (DSGVO): closed items are deleted ``INBOX_RETENTION_DAYS`` after closing; the number is
    audited (not what they said)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.INBOX_RETENTION_DAYS)
    expired = InboxItem.objects.filter(is_open=False, closed_at__lt=cutoff)
    count = expired.count()
    if not count:
        return 0
    # Items answering them keep their place in the thread (parent is SET_NULL); notifications about
    # them go with them.
    notifications_forget(InboxItem, expired.values_list("pk", flat=True))
    expired.delete()
    audit_record(
        actor=None,
        verb="inbox.retention_deleted",
        after={
            "count": count,
            "closed_before": cutoff.isoformat(),
            "retention_days": settings.INBOX_RETENTION_DAYS,
        },
    )
    return count


@transaction.atomic
def sandbox_comment_create(
    *, actor, channel, sandbox_post_id: int, author_handle: str, text: str, author_name: str = "", parent=None
) -> SandboxComment:
    """Demo: a citizen writes under a post of the sandbox feed. The comment reaches the inbox through the
    sandbox adapter's ``fetch_inbox``, like a network's comment would."""
    text = (text or "").strip()
    handle = (author_handle or "").strip()
    errors = {}
    if not text:
        errors["text"] = _("Please write a comment.")
    elif len(text) > 5000:
        errors["text"] = _("At most %(n)s characters, please.") % {"n": 5000}
    if not handle:
        errors["author_handle"] = _("Please give a name for the citizen.")
    elif len(handle) > 100:
        errors["author_handle"] = _("At most %(n)s characters, please.") % {"n": 100}
    if errors:
        raise ValidationError(errors)
    comment = SandboxComment.objects.create(
        channel=channel,
        sandbox_post_id=sandbox_post_id,
        parent=parent,
        author_handle=handle,
        author_name=(author_name or "").strip()[:200],
        text=text,
    )
    audit_record(
        actor=actor,
        verb="sandbox_comment.created",
        obj=comment,
        after={"channel": channel.name, "post": sandbox_post_id},
    )
    return comment


# --- Textbausteine (saved replies) -------------------------------------------------------------------

SAVED_REPLY_FIELDS = ("title", "text", "department", "keywords", "active")


def _saved_reply_values(reply: SavedReply) -> dict:
    # The county's own wording (no citizen's data): title and department go into the audit trail.
    return {"title": reply.title, "department": reply.department.code if reply.department else None}


def _require_editor(actor) -> None:
    if not may_edit_saved_replies(actor):
        raise PermissionDenied(_("Only Koordination and Administration edit saved replies."))


@transaction.atomic
def saved_reply_create(
    *, actor, title: str, text: str, department: Department | None = None, keywords: str = ""
) -> SavedReply:
    _require_editor(actor)
    reply = SavedReply(
        title=(title or "").strip(),
        text=(text or "").strip(),
        department=department,
        keywords=(keywords or "").strip(),
        updated_by=actor,
    )
    reply.full_clean()
    reply.save()
    audit_record(actor=actor, verb="saved_reply.created", obj=reply, after=_saved_reply_values(reply))
    return reply


@transaction.atomic
def saved_reply_update(*, actor, reply: SavedReply, **changes) -> SavedReply:
    _require_editor(actor)
    unknown = set(changes) - set(SAVED_REPLY_FIELDS)
    if unknown:
        raise TypeError(f"cannot change {sorted(unknown)}")
    locked = SavedReply.objects.select_for_update().get(pk=reply.pk)
    before = _saved_reply_values(locked) | {"active": locked.active}
    for field, value in changes.items():
        setattr(locked, field, value.strip() if isinstance(value, str) else value)
    locked.updated_by = actor
    locked.full_clean()
    locked.save()
    after = _saved_reply_values(locked) | {"active": locked.active}
    audit_record(
        actor=actor,
        verb="saved_reply.changed",
        obj=locked,
        before=before,
        after=after | {"fields": sorted(changes)},
    )
    return locked
