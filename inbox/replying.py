"""Replies to inbox items: written on the conversation page, checked like posts, approved where the
department's setting "Antworten brauchen Freigabe" says so (four eyes), sent exactly once.

A service module of its own next to ``inbox.services`` (items' states, routing, the clock): replies
are a second noun with their own life cycle, and the send path mirrors publishing's delivery
services – the database decides, a worker claims a reply with one conditional UPDATE and a lease,
the sweep re-queues what is due and settles what a dead worker left behind:

    pending ──approve──▶ approved ──claim──▶ sending ──▶ published
       └──reject──▶ rejected          ▲          ├──▶ approved again (temporary error, backoff)
                                      │          ├──▶ failed (refused; "erneut senden" → approved)
                                      └──────────┴──▶ uncertain (may exist: a person checks)

A lease that expired while ``sending`` means the worker died mid-request: on a network that drops a
repeated request with the same key (Mastodon's Idempotency-Key = ``Reply.key``) the reply goes back
to ``approved`` and is sent again; elsewhere it becomes ``uncertain`` and is never resent blindly.
"""

from __future__ import annotations

import logging
import random
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from channels.adapters import adapter_for
from channels.networks import registry
from channels.networks.base import ItemRef, PostContent, PublishError
from departments import roles
from departments.models import Department
from etiquette.engine import check
from etiquette.types import Finding, PostLike

from . import escalation, notices
from .models import DepartmentReplySetting, InboxItem, Reply
from .selectors import sees_all, visible_items

logger = logging.getLogger(__name__)
TEXT_MAX_LENGTH = 5000
Status = Reply.Status


# --- reading: what may be done -------------------------------------------------------------------


def replies_need_approval(department: Department | None) -> bool:
    """The department's setting; without one, on for coordinated departments (and for items that
    belong to no department yet)."""
    if department is None:
        return True
    setting = DepartmentReplySetting.objects.filter(department=department).first()
    if setting is not None:
        return setting.replies_need_approval
    return department.review_mode == Department.ReviewMode.COORDINATED


def may_reply(user, item: InboxItem) -> bool:
    return (
        user.is_authenticated
        and item.is_open
        and visible_items(user).filter(pk=item.pk).exists()
        and (sees_all(user) or item.department_id is not None)
        and not escalation.is_locked_for(user, item)
    )


def may_approve(user, reply: Reply) -> bool:
    """Koordination approves; for its own department a head approves too. Never one's own reply."""
    if not user.is_authenticated or user.pk == reply.author_id:
        return False
    if roles.is_coordinator(user):
        return True
    department = reply.item.department
    return department is not None and user.has_perm("departments.lead_department", department)


def interactions_for(item: InboxItem):
    return registry.interactions(item.channel.kind)


def reply_check(*, item: InboxItem, text: str, direct: bool = False) -> list[Finding]:
    """The etiquette's findings for a reply: every rule that applies to text, the network's length
    counting, and the reply rules (``reply.*``)."""
    return check(
        PostLike(
            text=text,
            channels=(item.channel.kind,),
            department=item.department.code if item.department_id else "",
            reply_to=item.text,
            direct=direct or item.kind == InboxItem.Kind.DIRECT,
        )
    )


def _item_ref(item: InboxItem) -> ItemRef:
    return ItemRef(
        external_id=item.network_id,
        root_id=item.root_network_id if item.root_network_id != item.network_id else "",
        author_id=item.author_network_id,
        author_handle=item.author_handle,
        direct=item.kind == InboxItem.Kind.DIRECT,
    )


# --- writing ---------------------------------------------------------------------------------------


SEND_TASK = "inbox.tasks.send_reply"  # by name: inbox.tasks imports this module


def _queue(reply: Reply) -> None:
    transaction.on_commit(lambda: _enqueue(reply.pk))


def _enqueue(reply_id: int, when=None) -> None:
    try:
        current_app.send_task(SEND_TASK, args=[reply_id], eta=when)
    except Exception:  # the broker is down: the sweep sends it
        logger.warning("inbox: broker unreachable, reply %s waits for the sweep", reply_id)


@transaction.atomic
def reply_submit(*, actor, item: InboxItem, text: str, direct: bool = False) -> Reply:
    """Check and store a reply. Blocking findings refuse it (ValidationError with the findings on
    ``text``); warnings travel with it. It waits for approval where the department needs it, else it
    is sent at once. The item is taken over (in Bearbeitung) by the author."""
    if not may_reply(actor, item):
        raise PermissionDenied
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Please write a reply.")})
    if len(text) > TEXT_MAX_LENGTH:
        raise ValidationError({"text": _("At most %(n)s characters, please.") % {"n": TEXT_MAX_LENGTH}})
    direct = bool(direct) or item.kind == InboxItem.Kind.DIRECT
    allowed = interactions_for(item)
    if not (allowed.reply_direct if direct else allowed.reply):
        raise ValidationError(
            {"direct" if direct else "text": _("This network does not allow this kind of reply.")}
        )
    is_dm = item.kind == InboxItem.Kind.DIRECT
    if direct and not item.author_network_id and allowed.needs_author_id("reply_direct", is_dm):
        # Refused here rather than after approval: the network would be asked nothing anyway.
        raise ValidationError(
            {
                "text" if is_dm else "direct": _(
                    "The author's account id on the network is unknown (the item was read before it "
                    "was stored), so no direct message can be sent. Please answer another way."
                )
            }
        )
    findings = reply_check(item=item, text=text, direct=direct)
    blocking = [f for f in findings if f.blocking]
    if blocking:
        raise ValidationError({"text": [f.message for f in blocking]})
    item = InboxItem.objects.select_for_update(of=("self",)).get(pk=item.pk)
    # The Pressestelle answers the press enquiries passed to it itself: those replies need no department
    # approval. Elsewhere its replies follow the department's setting like everybody's.
    press_answers = roles.is_press_office(actor) and escalation.open_escalation(item) is not None
    needs_approval = replies_need_approval(item.department) and not press_answers
    reply = Reply.objects.create(
        item=item,
        author=actor,
        text=text,
        direct=direct,
        status=Status.PENDING if needs_approval else Status.APPROVED,
        findings=[f.as_dict() for f in findings],
        next_attempt_at=None if needs_approval else timezone.now(),
    )
    if item.state == InboxItem.State.NEW:
        item.state = InboxItem.State.IN_PROGRESS
        item.assignee = item.assignee or actor
        item.save(update_fields=["state", "assignee", "updated_at"])
    audit_record(
        actor=actor,
        verb="reply.submitted",
        obj=reply,
        after={"item": item.pk, "status": reply.status, "direct": direct, "warnings": len(findings)},
    )
    if needs_approval:
        notices.reply_waiting(item=item, actor=actor)
    else:
        _queue(reply)
    return reply


def _locked(reply: Reply) -> Reply:
    """The reply and its item, both locked (item first, as sending does): two approvers deciding two
    replies to one item at once see each other's decision (settling "waits for your approval")."""
    InboxItem.objects.select_for_update(of=("self",)).filter(pk=reply.item_id).exists()
    return (
        Reply.objects.select_for_update(of=("self",))
        .select_related("item", "item__department")
        .get(pk=reply.pk)
    )


def _check_still_answerable(actor, reply: Reply) -> None:
    """A pending reply is not sent once the item was closed (answered meanwhile – a second answer would
    reach the citizen) or while the Pressestelle has it."""
    if not reply.item.is_open:
        raise ValidationError(_("The item is closed meanwhile; this reply is no longer sent."))
    if escalation.is_locked_for(actor, reply.item):
        raise ValidationError(_("The press office has this item now; it answers it."))


@transaction.atomic
def reply_approve(*, actor, reply: Reply) -> Reply:
    reply = _locked(reply)
    if not may_approve(actor, reply):
        raise PermissionDenied
    if reply.status != Status.PENDING:
        raise ValidationError(_("This reply does not wait for approval (any more)."))
    _check_still_answerable(actor, reply)
    reply.status = Status.APPROVED
    reply.decided_by, reply.decided_at = actor, timezone.now()
    reply.next_attempt_at = reply.decided_at
    reply.save(update_fields=["status", "decided_by", "decided_at", "next_attempt_at", "updated_at"])
    audit_record(actor=actor, verb="reply.approved", obj=reply, after={"item": reply.item_id})
    notices.reply_decided(reply=reply)
    _queue(reply)
    return reply


@transaction.atomic
def reply_reject(*, actor, reply: Reply, comment: str) -> Reply:
    reply = _locked(reply)
    if not may_approve(actor, reply):
        raise PermissionDenied
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Please say why (the author reads it).")})
    if reply.status != Status.PENDING:
        raise ValidationError(_("This reply does not wait for approval (any more)."))
    reply.status = Status.REJECTED
    reply.decided_by, reply.decided_at, reply.decision_comment = actor, timezone.now(), comment[:2000]
    reply.save(update_fields=["status", "decided_by", "decided_at", "decision_comment", "updated_at"])
    audit_record(
        actor=actor, verb="reply.rejected", obj=reply, after={"item": reply.item_id}, comment=comment
    )
    notices.reply_decided(reply=reply)
    notices.reply_outcome(reply=reply, actor=actor)
    return reply


@transaction.atomic
def reply_retry(*, actor, reply: Reply) -> Reply:
    """Koordination sends a failed reply again – or an ``uncertain`` one after checking the network."""
    reply = _locked(reply)
    if not (roles.is_coordinator(actor) or roles.is_administrator(actor)):
        raise PermissionDenied
    if reply.status not in (Status.FAILED, Status.UNCERTAIN):
        raise ValidationError(_("Only failed replies or replies with an unknown outcome can be sent again."))
    before = reply.status
    reply.status, reply.next_attempt_at, reply.attempts = Status.APPROVED, timezone.now(), 0
    reply.save(update_fields=["status", "next_attempt_at", "attempts", "updated_at"])
    audit_record(actor=actor, verb="reply.retried", obj=reply, before={"status": before})
    _queue(reply)
    return reply


# --- sending ---------------------------------------------------------------------------------------


def reply_claim(reply_id: int) -> Reply | None:
    """``approved`` and due → ``sending`` with a lease, in one conditional UPDATE; None if another
    worker has it, it is not due, or it is not approved (a duplicate message finds nothing)."""
    now = timezone.now()
    claimed = Reply.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now), pk=reply_id, status=Status.APPROVED
    ).update(
        status=Status.SENDING,
        lease_until=now + timedelta(seconds=settings.PUBLISHING_LEASE_SECONDS),
        attempts=F("attempts") + 1,
        updated_at=now,
    )
    if not claimed:
        return None
    return Reply.objects.select_related("item", "item__channel", "item__department", "author").get(
        pk=reply_id
    )


def reply_send(reply_id: int) -> str:
    """Claim, send through the channel's adapter, record the outcome. Returns the new status."""
    reply = reply_claim(reply_id)
    if reply is None:
        return "not_claimed"
    content = PostContent(text=reply.text, idempotency_key=str(reply.key))
    try:
        ref = adapter_for(reply.item.channel).reply(_item_ref(reply.item), content, direct=reply.direct)
    except PublishError as error:
        return _record_failure(reply, error)
    return _record_success(reply, ref.external_id, ref.url)


@transaction.atomic
def _record_success(reply: Reply, external_id: str, url: str) -> str:
    now = timezone.now()
    updated = Reply.objects.filter(pk=reply.pk, status=Status.SENDING).update(
        status=Status.PUBLISHED,
        external_id=external_id[:300],
        url=url[:1000],
        published_at=now,
        lease_until=None,
        last_error="",
        updated_at=now,
    )
    if not updated:  # the sweep declared it uncertain meanwhile: the network's word wins
        Reply.objects.filter(pk=reply.pk).update(
            status=Status.PUBLISHED, external_id=external_id[:300], url=url[:1000], published_at=now
        )
    item = InboxItem.objects.select_for_update(of=("self",)).get(pk=reply.item_id)
    fields = ["first_reaction_at", "updated_at"]
    item.first_reaction_at = item.first_reaction_at or now
    if item.is_open:
        item.state, item.is_open, item.resolution = InboxItem.State.DONE, False, InboxItem.Resolution.ANSWERED
        item.closed_at, item.closed_by = now, reply.author
        item.close_reason = _("Answered on the network.")
        fields += ["state", "is_open", "resolution", "closed_at", "closed_by", "close_reason"]
    item.save(update_fields=fields)
    escalation.escalation_answered(item_id=reply.item_id, actor=reply.author)
    notices.replies_stop_waiting(item=item)
    audit_record(
        actor=None,
        verb="reply.published",
        obj=reply,
        after={"item": reply.item_id, "external_id": external_id, "attempt": reply.attempts},
    )
    if reply.decided_by_id is not None:  # the author waited for an approval: tell them it is out
        reply.status, reply.item = Status.PUBLISHED, item
        notices.reply_outcome(reply=reply)
    return Status.PUBLISHED


def _backoff(attempts: int, retry_after: float | None) -> float:
    wait = min(3600.0, 15.0 * 2 ** max(0, attempts - 1)) * random.uniform(0.8, 1.2)  # noqa: S311
    return max(wait, retry_after or 0.0)


@transaction.atomic
def _record_failure(reply: Reply, error: PublishError) -> str:
    now = timezone.now()
    if error.retryable and reply.attempts < settings.PUBLISHING_MAX_ATTEMPTS:
        status = Status.APPROVED
        next_attempt = now + timedelta(seconds=_backoff(reply.attempts, error.retry_after))
    elif error.retryable or error.permanent:
        status, next_attempt = Status.FAILED, None
    else:
        status, next_attempt = Status.UNCERTAIN, None
    Reply.objects.filter(pk=reply.pk, status=Status.SENDING).update(
        status=status,
        next_attempt_at=next_attempt,
        lease_until=None,
        last_error=error.message[:2000],
        updated_at=now,
    )
    audit_record(
        actor=None,
        verb=f"reply.{'retrying' if status == Status.APPROVED else status}",
        obj=reply,
        after={"item": reply.item_id, "attempt": reply.attempts, "kind": error.kind.value},
        comment=error.message[:500],
    )
    if status == Status.APPROVED:
        _queue_later(reply.pk, next_attempt)
    else:
        reply.status = status
        notices.reply_outcome(reply=reply, coordinators=True)
    return status


def _queue_later(reply_id: int, when) -> None:
    transaction.on_commit(lambda: _enqueue(reply_id, when))


def replies_sweep() -> dict[str, int]:
    """Beat: queue every due ``approved`` reply; settle expired leases (a worker died while sending)."""
    now = timezone.now()
    settled = {"requeued": 0, "uncertain": 0, "queued": 0}
    for reply in Reply.objects.filter(status=Status.SENDING, lease_until__lt=now).select_related(
        "item__channel"
    ):
        with transaction.atomic():
            if registry.interactions(reply.item.channel.kind).reply_deduplicates:
                # Sending again with the same key cannot double-post (Mastodon keeps the key).
                changed = Reply.objects.filter(
                    pk=reply.pk, status=Status.SENDING, lease_until__lt=now
                ).update(status=Status.APPROVED, next_attempt_at=now, lease_until=None, updated_at=now)
                verb, key = "reply.lease_expired_resend", "requeued"
            else:
                changed = Reply.objects.filter(
                    pk=reply.pk, status=Status.SENDING, lease_until__lt=now
                ).update(
                    status=Status.UNCERTAIN,
                    lease_until=None,
                    last_error=_("The worker stopped while sending; whether the reply exists is unknown."),
                    updated_at=now,
                )
                verb, key = "reply.uncertain", "uncertain"
            if changed:
                audit_record(actor=None, verb=verb, obj=reply, after={"item": reply.item_id})
                settled[key] += 1
                if key == "uncertain":
                    reply.status = Status.UNCERTAIN
                    notices.reply_outcome(reply=reply, coordinators=True)
    due = Reply.objects.filter(status=Status.APPROVED).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    for reply_id in due.values_list("pk", flat=True):
        _enqueue(reply_id)
        settled["queued"] += 1
    return settled
