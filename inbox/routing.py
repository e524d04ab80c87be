"""Where a new item goes, and when its clock runs out.

- Under a post the app published (the thread's first post is a delivery's id on the network, or the
  item answers an item that belongs to a post): that post's department.
- Otherwise (mentions, direct messages, threads of others): the coordination's triage list
  (``department`` empty); admin-edited keyword rules may *suggest* a department.
- The clock: the first reaction is due after the target's staffed hours (channel's target, else the
  department's, else ``INBOX_RESPONSE_HOURS``), a reminder ``INBOX_DUE_SOON_HOURS`` before.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import OuterRef, Subquery

from channels.models import Channel
from channels.networks import registry
from channels.networks.base import InboundItem, InboundKind
from publishing.models import Delivery

from . import clock
from .models import ChannelInbox, DepartmentResponseTarget, InboxItem, KeywordRule
from .text import one_line, plain_text

KIND = {
    InboundKind.COMMENT: InboxItem.Kind.COMMENT,
    InboundKind.REPLY: InboxItem.Kind.REPLY,
    InboundKind.MENTION: InboxItem.Kind.MENTION,
    InboundKind.DIRECT: InboxItem.Kind.DIRECT,
}


def target_hours(channel_id: int, department_id: int | None) -> float:
    channel_hours = (
        ChannelInbox.objects.filter(channel_id=channel_id).values_list("response_hours", flat=True).first()
    )
    if channel_hours:
        return float(channel_hours)
    if department_id:
        hours = (
            DepartmentResponseTarget.objects.filter(department_id=department_id)
            .values_list("hours", flat=True)
            .first()
        )
        if hours:
            return float(hours)
    return float(settings.INBOX_RESPONSE_HOURS)


class Targets:
    """Response targets for one page of items (read once, not per item)."""

    def __init__(self, channel_id: int):
        self.channel = (
            ChannelInbox.objects.filter(channel_id=channel_id)
            .values_list("response_hours", flat=True)
            .first()
        )
        self.departments = dict(DepartmentResponseTarget.objects.values_list("department_id", "hours"))

    def hours(self, department_id: int | None) -> float:
        value: Decimal | None = self.channel or self.departments.get(department_id)
        return float(value) if value else float(settings.INBOX_RESPONSE_HOURS)


def clock_fields(received: datetime, hours: float) -> dict:
    soon = max(0.0, hours - settings.INBOX_DUE_SOON_HOURS)
    return {
        "clock_starts_at": clock.clock_start(received),
        "remind_at": clock.add_staffed(received, soon),
        "due_at": clock.add_staffed(received, hours),
    }


def suggest_department(text: str, rules: list[KeywordRule]) -> int | None:
    folded = text.casefold()
    for rule in rules:
        if any(word in folded for word in rule.words()):
            return rule.department_id
    return None


def _account_id_if_needed(channel: Channel, kind: str, item: InboundItem) -> str:
    """The author's account id only where an action of the network needs it (store the minimum): a
    direct message to a public item's author (X), the answer to a direct message (Messenger, Instagram),
    a report naming the account (Mastodon). Bluesky's DIDs and the ids of Facebook and Instagram
    commenters are not kept – nothing the county does there needs them."""
    allowed = registry.interactions(channel.kind)
    is_dm = kind == InboxItem.Kind.DIRECT
    if not (allowed.needs_author_id("reply_direct", is_dm) or allowed.needs_author_id("report")):
        return ""
    return str(item.author_id or "").strip()[:300]


def upsert_items(
    *, channel: Channel, inbound: tuple[InboundItem, ...] | list[InboundItem], now: datetime
) -> int:
    """Insert the items not stored yet (by channel and id on the network); returns how many were new.
    Known items stay as they are (their state belongs to the people working on them)."""
    by_id: dict[str, InboundItem] = {}
    for item in inbound:
        if item.network_id:
            by_id.setdefault(str(item.network_id)[:300], item)
    if not by_id:
        return 0
    known = set(
        InboxItem.objects.filter(channel=channel, network_id__in=list(by_id)).values_list(
            "network_id", flat=True
        )
    )
    new = [item for network_id, item in by_id.items() if network_id not in known]
    if not new:
        return 0
    new.sort(key=lambda item: item.created_at or now)
    roots = {i.root_id for i in new if i.root_id} | {i.parent_id for i in new if i.parent_id}
    posts = (
        {
            external_id: (post_id, department_id)
            for external_id, post_id, department_id in Delivery.objects.filter(
                channel=channel, external_id__in=roots
            ).values_list("external_id", "post_id", "post__department_id")
        }
        if roots
        else {}
    )
    parents = {
        row[0]: row[1:]
        for row in InboxItem.objects.filter(
            channel=channel, network_id__in=[i.parent_id for i in new if i.parent_id]
        ).values_list("network_id", "post_id", "department_id", "conversation_key")
    }
    rules = (
        list(KeywordRule.objects.filter(active=True).order_by("pk"))
        if any(not (i.root_id in posts or i.parent_id in posts or i.parent_id in parents) for i in new)
        else []
    )
    targets = Targets(channel.pk)
    rows = []
    for item in new:
        network_id = str(item.network_id)[:300]
        post_id = department_id = None
        conversation = ""
        found = posts.get(item.root_id) or posts.get(item.parent_id)
        if found:
            post_id, department_id = found
            conversation = f"post:{item.root_id if item.root_id in posts else item.parent_id}"
        elif item.parent_id in parents:
            post_id, department_id, conversation = parents[item.parent_id]
        kind = KIND[item.kind]
        if post_id is None and kind in (InboxItem.Kind.COMMENT, InboxItem.Kind.REPLY):
            # Under a post that the app did not publish (or no longer knows): a mention of the county.
            kind = InboxItem.Kind.MENTION if kind == InboxItem.Kind.REPLY else kind
        if not conversation:
            if kind == InboxItem.Kind.DIRECT:
                conversation = f"dm:{item.thread_key or item.author_handle}"
            elif item.root_id:
                conversation = f"thread:{item.root_id}"
            else:
                conversation = f"item:{network_id}"
        text = plain_text(item.text)
        suggested = suggest_department(text, rules) if department_id is None and rules else None
        rows.append(
            InboxItem(
                channel=channel,
                network_id=network_id,
                kind=kind,
                text=text,
                author_handle=one_line(item.author_handle),
                author_name=one_line(item.author_name),
                author_url=_url(item.author_url),
                author_network_id=_account_id_if_needed(channel, kind, item),
                url=_url(item.url),
                media_urls=[u for u in (_url(m) for m in item.media_urls[:10]) if u],
                created_on_network=item.created_at,
                received_at=now,
                parent_network_id=str(item.parent_id)[:300],
                root_network_id=str(item.root_id)[:300],
                conversation_key=conversation[:320],
                post_id=post_id,
                department_id=department_id,
                suggested_department_id=suggested,
                **clock_fields(now, targets.hours(department_id)),
            )
        )
    InboxItem.objects.bulk_create(rows, ignore_conflicts=True)
    if any(item.parent_id for item in new):
        parent_links_fill(channel, [row.network_id for row in rows if row.parent_network_id])
    return len(rows)


def _url(value: str) -> str:
    value = (value or "").strip()
    if not value.startswith(("https://", "http://")) or len(value) > 1000 or any(c.isspace() for c in value):
        return ""
    return value


def parent_links_fill(channel: Channel, network_ids: list[str]) -> None:
    """Link new items to the items they answer (also those that came in the same page): one UPDATE."""
    parents = InboxItem.objects.filter(channel=channel, network_id=OuterRef("parent_network_id")).values(
        "pk"
    )[:1]
    InboxItem.objects.filter(channel=channel, network_id__in=network_ids, parent__isnull=True).exclude(
        parent_network_id=""
    ).update(parent=Subquery(parents))
