"""Moderating citizens' items as each network allows (``registry.interactions``): hide and show again,
delete, report to the author's server. Every action names a netiquette clause and a reason, keeps the
original as evidence (:class:`inbox.models.ModerationAction`) and is audited (clause and reason, never
the citizen's text). Deleting needs Koordination and cannot be undone; hiding can.

The network is asked first, outside the transaction (a refused or failed call is recorded too, so that
every attempt is traceable to a person), then the outcome is written.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from channels.adapters import adapter_for
from channels.networks.base import PublishError
from departments import roles
from etiquette.models import NetiquetteClause
from etiquette.selectors import current_netiquette

from .models import InboxItem, ModerationAction
from .replying import _item_ref, interactions_for
from .selectors import sees_all, visible_items

Action = ModerationAction.Action
REASON_MAX_LENGTH = 2000


def allowed_actions(user, item: InboxItem) -> list[str]:
    """What ``user`` may do with ``item`` on its network, in the page's order."""
    if not may_moderate(user, item):
        return []
    allowed = interactions_for(item)
    offered = allowed.moderation
    if not item.author_network_id and allowed.needs_author_id("report"):
        # Reporting names the account (Mastodon); an item read before ids were stored cannot be reported.
        offered = tuple(action for action in offered if action != Action.REPORT)
    if not (roles.is_coordinator(user) or roles.is_administrator(user)):
        offered = tuple(action for action in offered if action != Action.DELETE)
    return list(offered)


def may_moderate(user, item: InboxItem) -> bool:
    """The item's department and Koordination; also after the item was closed (a hidden comment may be
    shown again)."""
    return (
        user.is_authenticated
        and visible_items(user).filter(pk=item.pk).exists()
        and (sees_all(user) or item.department_id is not None)
    )


def state(item: InboxItem) -> str:
    """``hidden``, ``deleted`` or "" – from the last action that was carried out."""
    last = (
        ModerationAction.objects.filter(
            item=item, succeeded=True, action__in=[Action.HIDE, Action.UNHIDE, Action.DELETE]
        )
        .order_by("-created_at", "-pk")
        .values_list("action", flat=True)
        .first()
    )
    return {Action.HIDE: "hidden", Action.DELETE: "deleted"}.get(last, "")


def clauses():
    netiquette = current_netiquette()
    return list(netiquette.clauses.all()) if netiquette else []


def item_moderate(
    *, actor, item: InboxItem, action: str, clause: NetiquetteClause, reason: str
) -> ModerationAction:
    """Carry out ``action`` on the network and record it. Raises ValidationError with the network's
    message when it refuses (the failed attempt is recorded as well)."""
    if action not in allowed_actions(actor, item):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Please give a reason.")})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": _("At most %(n)s characters, please.") % {"n": REASON_MAX_LENGTH}})
    if clause is None or not clause.version.is_published:
        raise ValidationError({"clause": _("Please name the netiquette rule.")})
    target = _item_ref(item)
    error = ""
    try:
        adapter = adapter_for(item.channel)
        if action == Action.HIDE:
            adapter.hide(target)
        elif action == Action.UNHIDE:
            adapter.unhide(target)
        elif action == Action.DELETE:
            adapter.delete_comment(target)
        elif action == Action.REPORT:
            adapter.report(target, comment=f"{clause.number}. {clause.title}: {reason}"[:1000])
    except PublishError as exc:
        error = exc.message
    record = _record(actor=actor, item=item, action=action, clause=clause, reason=reason, error=error)
    if error:
        raise ValidationError(error)
    return record


@transaction.atomic
def _record(*, actor, item, action, clause, reason, error) -> ModerationAction:
    record = ModerationAction.objects.create(
        item=item,
        channel=item.channel,
        action=action,
        succeeded=not error,
        error=error[:2000],
        clause=clause,
        reason=reason,
        actor=actor,
        evidence_network_id=item.network_id,
        evidence_text=item.text,
        evidence_author=item.author_name or item.author_handle,
        evidence_author_url=item.author_url,
        evidence_written_at=item.created_on_network or item.received_at,
        evidence_url=item.url,
    )
    audit_record(
        actor=actor,
        verb=f"inbox_item.{action}" + ("" if not error else "_failed"),
        obj=item,
        post_id=item.post_id,
        after={
            "clause": f"{clause.number} #{clause.anchor}",
            "netiquette": clause.version.label,
            "action": record.pk,
        },
        comment=reason,
    )
    return record


@transaction.atomic
def evidence_delete_expired(*, now=None) -> int:
    """Evidence is kept for the retention period (``INBOX_RETENTION_DAYS``), then deleted (audited count)."""
    now = now or timezone.now()
    expired = ModerationAction.objects.filter(
        created_at__lt=now - timedelta(days=settings.INBOX_RETENTION_DAYS)
    )
    count = expired.count()
    if count:
        expired.delete()
        audit_record(actor=None, verb="moderation_evidence.deleted", obj=None, after={"count": count})
    return count
