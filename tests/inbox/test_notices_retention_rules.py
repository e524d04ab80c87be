"""Reminders and overdue notices (each once), retention (closed items deleted after the period, the count
audited), keyword rules suggesting a department for the triage list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from audit.models import AuditEvent
from channels.models import Channel
from channels.networks.base import InboundItem, InboundKind
from inbox import routing, services
from inbox.models import InboxItem, KeywordRule

pytestmark = pytest.mark.django_db


@pytest.fixture
def channel(db):
    return Channel.objects.create(kind="mastodon", name="Mastodon Landkreis", enabled=True)


def item(channel, number, **fields):
    now = timezone.now()
    defaults = {
        "kind": InboxItem.Kind.COMMENT,
        "text": "Meine Nummer ist 0171 999",
        "author_name": "Erika Geheim",
        "received_at": now,
        "conversation_key": f"item:{number}",
        "due_at": now + timedelta(hours=2),
        "remind_at": now + timedelta(hours=1),
    }
    defaults.update(fields)
    return InboxItem.objects.create(channel=channel, network_id=str(number), **defaults)


def test_reminder_to_the_department_and_overdue_notice_to_koordination_each_once(
    channel, department, editor, coordinator, django_capture_on_commit_callbacks
):
    now = timezone.now()
    soon = item(channel, 1, department=department, remind_at=now - timedelta(minutes=1))
    late = item(
        channel,
        2,
        department=department,
        due_at=now - timedelta(minutes=1),
        remind_at=now - timedelta(hours=1),
    )
    item(channel, 3, department=department)  # not yet
    item(channel, 4, department=department, due_at=now - timedelta(hours=1), first_reaction_at=now)  # reacted

    with django_capture_on_commit_callbacks(execute=True):
        sent = services.items_send_clock_notices(now=now)
    assert sent == {"reminders": 1, "overdue": 1}
    to = sorted(address for message in mail.outbox for address in message.to)
    assert to == sorted([editor.email, coordinator.email, editor.email])
    bodies = " ".join(m.subject + m.body for m in mail.outbox)
    assert "0171" not in bodies and "Geheim" not in bodies  # no personal data leaves by e-mail
    assert f"/inbox/{soon.pk}/" in bodies and f"/inbox/{late.pk}/" in bodies

    with django_capture_on_commit_callbacks(execute=True):
        assert services.items_send_clock_notices(now=now + timedelta(minutes=5)) == {
            "reminders": 0,
            "overdue": 0,
        }
    assert len(mail.outbox) == 3


def test_retention_deletes_closed_items_after_the_period_and_audits_the_count(channel, settings):
    settings.INBOX_RETENTION_DAYS = 180
    now = timezone.now()
    old = item(channel, 1, state="done", is_open=False, closed_at=now - timedelta(days=181))
    item(channel, 2, state="done", is_open=False, closed_at=now - timedelta(days=10))
    item(channel, 3, received_at=now - timedelta(days=400))  # still open: kept
    reply = item(channel, 4, parent=old)

    assert services.items_delete_expired(now=now) == 1

    assert set(InboxItem.objects.values_list("network_id", flat=True)) == {"2", "3", "4"}
    reply.refresh_from_db()
    assert reply.parent_id is None
    event = AuditEvent.objects.get(verb="inbox.retention_deleted")
    assert event.after["count"] == 1 and "0171" not in str(event.after)
    assert services.items_delete_expired(now=now) == 0


def test_keyword_rules_suggest_a_department_for_triage(channel, department, other_department):
    KeywordRule.objects.create(keywords="Ampel\nStraße gesperrt", department=other_department)
    KeywordRule.objects.create(keywords="Impfung", department=department, active=False)
    inbound = [
        InboundItem(network_id="a", kind=InboundKind.MENTION, text="Die AMPEL an der B71 ist kaputt"),
        InboundItem(network_id="b", kind=InboundKind.MENTION, text="Wann gibt es die Impfung?"),
    ]
    assert routing.upsert_items(channel=channel, inbound=inbound, now=timezone.now()) == 2
    suggested = dict(InboxItem.objects.values_list("network_id", "suggested_department"))
    assert suggested == {"a": other_department.pk, "b": None}
    assert not InboxItem.objects.filter(department__isnull=False).exists()  # suggested, not assigned


def test_upsert_never_duplicates_and_keeps_the_state(channel, department, editor):
    inbound = [InboundItem(network_id="x1", kind=InboundKind.MENTION, text="Hallo")]
    routing.upsert_items(channel=channel, inbound=inbound, now=timezone.now())
    stored = InboxItem.objects.get()
    InboxItem.objects.filter(pk=stored.pk).update(department=department)
    stored.refresh_from_db()
    services.item_take_over(actor=editor, item=stored)
    assert routing.upsert_items(channel=channel, inbound=inbound * 2, now=timezone.now()) == 0
    assert InboxItem.objects.get().state == InboxItem.State.IN_PROGRESS
