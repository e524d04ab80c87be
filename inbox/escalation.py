"""Press enquiries go to the Pressestelle: "An die Pressestelle" with a note locks the item for the
department (no reply, no moderation, no closing by the department); the Pressestelle answers it through
the same reply path (its replies need no department approval: press work stays with it) or hands it
back with a note. Notifications both ways, by e-mail without the citizen's text."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from departments import roles

from . import notices
from .models import InboxItem, PressEscalation
from .selectors import sees_all, visible_items

NOTE_MAX_LENGTH = 2000
Status = PressEscalation.Status


def open_escalation(item: InboxItem) -> PressEscalation | None:
    return item.escalations.filter(status=Status.OPEN).first()


def is_locked_for(user, item: InboxItem) -> bool:
    """Locked while the Pressestelle has it – for everybody but the Pressestelle (and Administration)."""
    if roles.is_press_office(user) or roles.is_administrator(user):
        return False
    return item.escalations.filter(status=Status.OPEN).exists()


def _note(note: str) -> str:
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Please add a note for the press office.")})
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError({"note": _("At most %(n)s characters, please.") % {"n": NOTE_MAX_LENGTH}})
    return note


@transaction.atomic
def item_escalate(*, actor, item: InboxItem, note: str) -> PressEscalation:
    if not (
        item.is_open
        and visible_items(actor).filter(pk=item.pk).exists()
        and (sees_all(actor) or item.department_id is not None)
    ):
        raise PermissionDenied
    note = _note(note)
    try:
        with transaction.atomic():
            escalation = PressEscalation.objects.create(item=item, note=note, created_by=actor)
    except IntegrityError:
        raise ValidationError(_("The press office has this item already.")) from None
    audit_record(actor=actor, verb="inbox_item.escalated", obj=item, post_id=item.post_id, comment=note)
    notices.escalated(item=item, actor=actor, note=note)
    notices.replies_stop_waiting(item=item)
    return escalation


@transaction.atomic
def escalation_hand_back(*, actor, item: InboxItem, note: str) -> PressEscalation:
    if not roles.is_press_office(actor):
        raise PermissionDenied
    note = _note(note)
    escalation = PressEscalation.objects.select_for_update().filter(item=item, status=Status.OPEN).first()
    if escalation is None:
        raise ValidationError(_("The press office does not have this item (any more)."))
    escalation.status, escalation.closed_by, escalation.closed_at = Status.HANDED_BACK, actor, timezone.now()
    escalation.closing_note = note
    escalation.save(update_fields=["status", "closed_by", "closed_at", "closing_note"])
    audit_record(actor=actor, verb="inbox_item.handed_back", obj=item, post_id=item.post_id, comment=note)
    notices.handed_back(item=item, actor=actor, note=note)
    return escalation


def escalation_answered(*, item_id: int, actor) -> None:
    """A reply was published while the Pressestelle had the item (inside the caller's transaction)."""
    PressEscalation.objects.filter(item_id=item_id, status=Status.OPEN).update(
        status=Status.ANSWERED, closed_by=actor, closed_at=timezone.now()
    )
