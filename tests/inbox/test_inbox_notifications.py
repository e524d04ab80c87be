"""What the inbox tells people arrives in the app as well as by e-mail: the bell, the notification list
and a link to the conversation – only for people who may see the item, never with what the citizen
wrote, settled when somebody else decided, gone when the item is deleted after its retention period.
The reply queue lists the replies a person may approve (never their own)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.services import actor_display_name
from inbox import escalation, replying, services
from inbox.models import Reply
from notifications.models import Notification

from .test_replies import GOOD, QUESTION, make_item

pytestmark = pytest.mark.django_db
Kind = Notification.Kind


@pytest.fixture
def queued(monkeypatch):
    monkeypatch.setattr(replying, "_queue", lambda reply: None)


@pytest.fixture
def item(fake_mastodon, live_channels, department):
    return make_item(live_channels(fake_mastodon)["mastodon"], department)


def about(item, user=None):
    rows = Notification.objects.filter(target_id=item.pk, target_type__model="inboxitem")
    return rows.filter(recipient=user) if user is not None else rows


def test_a_waiting_reply_reaches_the_approvers_bells_and_leads_to_the_conversation(
    client, editor, head, outsider, coordinator, item, queued, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        replying.reply_submit(actor=editor, item=item, text=GOOD)
    assert set(about(item).values_list("recipient__username", flat=True)) == {"koordination", "leitung"}
    assert not about(item, outsider).exists() and not about(item, editor).exists()  # outsider may not see it

    client.force_login(coordinator)
    home = client.get("/").content.decode()
    assert 'class="badge rounded-pill topbar-badge nav-unread">1<' in home
    page = client.get(reverse("approvals:notifications")).content.decode()
    sentence = (
        f"Eine Antwort von {actor_display_name(editor)} auf {item.channel.name} wartet auf Ihre Freigabe."
    )
    assert sentence in page
    assert QUESTION not in page and "0171" not in page  # the citizen's words stay on the conversation page
    notification = about(item, coordinator).get()
    response = client.get(reverse("approvals:notification_open", args=[notification.pk]))
    assert response.status_code == 302 and response["Location"] == f"/inbox/{item.pk}/"
    notification.refresh_from_db()
    assert notification.read_at is not None

    # The e-mail names channel and link, not the citizen's text.
    mails = [m for m in mailoutbox if coordinator.email in m.to]
    assert mails and f"/inbox/{item.pk}/" in mails[0].body and "0171" not in mails[0].body


def test_only_people_who_may_see_the_item_are_told(editor, outsider, item):
    """The rule the inbox registers: an outsider (another department) is dropped even when a caller
    names them."""
    from notifications.services import notify

    notify(kind=Kind.INBOX_DUE_SOON, target=item, recipients=[outsider, editor], data={"channel": "x"})
    assert list(about(item).values_list("recipient__username", flat=True)) == [editor.username]


def test_a_decision_settles_the_other_approvers_notice_and_tells_the_author_in_the_app(
    client, editor, head, coordinator, item, queued, mailoutbox, django_capture_on_commit_callbacks
):
    reply = replying.reply_submit(actor=editor, item=item, text=GOOD)
    with django_capture_on_commit_callbacks(execute=True):
        replying.reply_reject(actor=coordinator, reply=reply, comment="Bitte die Sprechzeiten nennen.")
    # The head's "waits for your approval" is no longer news.
    assert about(item, head).get().read_at is not None
    rejected = about(item, editor).get()
    assert rejected.kind == Kind.REPLY_REJECTED and rejected.comment == "Bitte die Sprechzeiten nennen."
    client.force_login(editor)
    page = client.get(reverse("approvals:notifications")).content.decode()
    assert "hat Ihre Antwort auf" in page and "Bitte die Sprechzeiten nennen." in page
    # The note stays in the app: e-mails leave the county's systems.
    (mail,) = [m for m in mailoutbox if editor.email in m.to]
    assert "Sprechzeiten" not in mail.body and "In der App wartet eine Notiz auf Sie." in mail.body


def test_the_press_office_and_the_department_hear_of_escalations_in_the_app(
    editor, press, coordinator, item, django_capture_on_commit_callbacks
):
    escalation.item_escalate(actor=editor, item=item, note="Anfrage des NDR")
    assert about(item, press).get().kind == Kind.PRESS_ESCALATED
    escalation.escalation_hand_back(actor=press, item=item, note="Bitte selbst beantworten.")
    handed_back = about(item, editor).get()
    assert handed_back.kind == Kind.PRESS_HANDED_BACK and handed_back.comment == "Bitte selbst beantworten."


def test_notifications_go_with_the_item_after_the_retention_period(
    editor, coordinator, item, queued, settings
):
    replying.reply_submit(actor=editor, item=item, text=GOOD)
    assert about(item).count() == 1  # Koordination (no head in this test)
    settings.INBOX_RETENTION_DAYS = 30
    item.is_open, item.state, item.closed_at = False, "done", timezone.now() - timedelta(days=31)
    item.save()
    assert services.items_delete_expired() == 1
    assert not Notification.objects.filter(target_type__model="inboxitem").exists()


def test_the_reply_queue_lists_what_each_person_may_approve(
    client, editor, head, outsider, coordinator, press, item, queued
):
    reply = replying.reply_submit(actor=editor, item=item, text=GOOD)
    own = replying.reply_submit(actor=head, item=item, text=GOOD + " Ihr Gesundheitsamt")

    client.force_login(coordinator)
    page = client.get(reverse("inbox:reply_queue")).content.decode()
    assert f'id="queued-reply-{reply.pk}"' in page and f'id="queued-reply-{own.pk}"' in page
    assert f'href="/inbox/{item.pk}/#reply-{reply.pk}"' in page
    assert QUESTION not in page  # the citizen's words are read on the conversation page
    assert 'aria-current="page"' in page and page.count('aria-current="page"') == 1  # one active entry

    client.force_login(head)
    page = client.get(reverse("inbox:reply_queue")).content.decode()
    assert f'id="queued-reply-{reply.pk}"' in page
    assert f'id="queued-reply-{own.pk}"' not in page  # four eyes: never one's own
    home = client.get("/").content.decode()
    assert 'id="panel-replies"' in home and f"#reply-{reply.pk}" in home

    for other in (editor, outsider, press):
        client.force_login(other)
        assert client.get(reverse("inbox:reply_queue")).status_code == 404

    # Approved: off the queue.
    replying.reply_approve(actor=coordinator, reply=reply)
    client.force_login(head)
    page = client.get(reverse("inbox:reply_queue")).content.decode()
    assert 'id="reply-queue-empty"' in page


def test_the_reply_queue_costs_the_same_queries_for_one_reply_and_for_many(
    client, editor, coordinator, department, fake_mastodon, live_channels, queued
):
    channel = live_channels(fake_mastodon)["mastodon"]
    client.force_login(coordinator)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("inbox:reply_queue")).status_code == 200
        return len(captured)

    replying.reply_submit(actor=editor, item=make_item(channel, department, network_id="1"), text=GOOD)
    one = queries()
    for n in range(2, 8):
        replying.reply_submit(actor=editor, item=make_item(channel, department, network_id=str(n)), text=GOOD)
    assert Reply.objects.filter(status=Reply.Status.PENDING).count() == 7
    assert queries() == one


def test_a_pending_reply_is_not_sent_once_the_press_office_has_the_item_or_it_is_closed(
    client, editor, head, coordinator, press, item, queued
):
    """Found in review: the head could still approve a department reply after the item went to the
    Pressestelle, and an old reply after the item was answered (a second answer to the citizen)."""
    reply = replying.reply_submit(actor=editor, item=item, text=GOOD)
    assert replying_queue(head) == [reply.pk]
    escalation.item_escalate(actor=editor, item=item, note="Anfrage des NDR")
    assert replying_queue(head) == [] and replying_queue(coordinator) == []
    assert about(item, head).get().read_at is not None  # "waits for your approval" settled
    with pytest.raises(ValidationError, match="Pressestelle"):
        replying.reply_approve(actor=head, reply=reply)
    client.force_login(head)
    assert f'id="approve-reply-{reply.pk}"' not in client.get(f"/inbox/{item.pk}/").content.decode()

    escalation.escalation_hand_back(actor=press, item=item, note="Bitte selbst beantworten.")
    assert replying_queue(head) == [reply.pk]
    services.item_close(actor=coordinator, item=item, resolution="answered", reason="Telefonisch geklärt")
    assert replying_queue(head) == []
    with pytest.raises(ValidationError, match="abgeschlossen"):
        replying.reply_approve(actor=head, reply=reply)
    reply.refresh_from_db()
    assert reply.status == Reply.Status.PENDING


def test_the_press_office_needs_approval_where_it_was_not_asked(editor, press, item, queued):
    """Its replies skip the department's approval only on items passed to it."""
    assert replying.reply_submit(actor=press, item=item, text=GOOD).status == Reply.Status.PENDING
    escalation.item_escalate(actor=editor, item=item, note="Presse?")
    assert replying.reply_submit(actor=press, item=item, text=GOOD).status == Reply.Status.APPROVED


def replying_queue(user) -> list[int]:
    from inbox.selectors import replies_waiting_for

    return list(replies_waiting_for(user).values_list("pk", flat=True))
