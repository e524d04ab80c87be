"""A journalist's question goes to the Pressestelle: locked for the department, answered by the press
office through the same reply path or handed back with a note; notifications both ways."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEvent
from inbox import escalation, replying, services
from inbox.models import InboxItem, PressEscalation, Reply

from .test_replies import make_item

pytestmark = pytest.mark.django_db
QUESTION = "Guten Tag, hier NDR. Wie viele Anträge auf Wohngeld sind noch offen? Wir berichten morgen."


@pytest.fixture
def item(fake_mastodon, live_channels, department):
    return make_item(live_channels(fake_mastodon)["mastodon"], department, text=QUESTION)


def test_the_press_office_answers_a_journalist_and_the_department_is_locked_meanwhile(
    editor, press, item, fake_mastodon, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(replying, "_queue", lambda reply: None)
    with pytest.raises(ValidationError):
        escalation.item_escalate(actor=editor, item=item, note="")
    with django_capture_on_commit_callbacks(execute=True):
        escalation.item_escalate(actor=editor, item=item, note="Presseanfrage des NDR")
    assert any(press.email in m.to for m in mailoutbox) and all(QUESTION not in m.body for m in mailoutbox)
    with pytest.raises(ValidationError):
        escalation.item_escalate(actor=editor, item=item, note="noch einmal")
    # Locked for the department: no reply, no closing.
    assert not replying.may_reply(editor, item)
    with pytest.raises(PermissionDenied):
        replying.reply_submit(actor=editor, item=item, text="Das können wir beantworten.")
    with pytest.raises(PermissionDenied):
        services.item_close(actor=editor, item=item, resolution="answered", reason="x")
    # The press office answers through the same path, without the department's approval.
    reply = replying.reply_submit(
        actor=press, item=item, text="Die Zahlen veröffentlichen wir morgen auf lk-row.de."
    )
    assert reply.status == Reply.Status.APPROVED
    assert replying.reply_send(reply.pk) == Reply.Status.PUBLISHED
    assert PressEscalation.objects.get().status == PressEscalation.Status.ANSWERED
    item.refresh_from_db()
    assert item.state == InboxItem.State.DONE and fake_mastodon.created_count == 1


def test_the_press_office_hands_an_item_back_with_a_note(
    editor, press, coordinator, item, mailoutbox, django_capture_on_commit_callbacks
):
    escalation.item_escalate(actor=editor, item=item, note="Presse?")
    with pytest.raises(PermissionDenied):
        escalation.escalation_hand_back(actor=coordinator, item=item, note="zurück")
    with django_capture_on_commit_callbacks(execute=True):
        escalation.escalation_hand_back(
            actor=press, item=item, note="Keine Presseanfrage, bitte selbst beantworten."
        )
    assert any(editor.email in m.to for m in mailoutbox)
    assert replying.may_reply(editor, item)
    verbs = list(
        AuditEvent.objects.filter(verb__in=["inbox_item.escalated", "inbox_item.handed_back"]).values_list(
            "verb", flat=True
        )
    )
    assert verbs == ["inbox_item.escalated", "inbox_item.handed_back"]


def test_the_page_shows_the_lock_and_the_buttons(client, editor, press, item):
    client.force_login(editor)
    html = client.get(f"/inbox/{item.pk}/").content.decode()
    assert 'id="escalate"' in html and 'id="reply-form"' in html
    assert client.post(f"/inbox/{item.pk}/escalate/", {"note": "Journalist fragt"}).status_code == 302
    html = client.get(f"/inbox/{item.pk}/").content.decode()
    assert 'id="press-state"' in html and 'id="reply-form"' not in html and 'id="close-form"' not in html
    client.force_login(press)
    html = client.get(f"/inbox/{item.pk}/").content.decode()
    assert 'id="hand-back"' in html and 'id="reply-form"' in html
