"""Replies to inbox items: checked like posts (blocked while they repeat the citizen's data), approved
where the department needs it (four eyes), sent exactly once through the adapters against the fakes –
with the lease, the sweep, ``uncertain`` for unknown outcomes and Mastodon's Idempotency-Key."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from departments.models import Department
from inbox import replying
from inbox.models import DepartmentReplySetting, InboxItem, Reply

pytestmark = pytest.mark.django_db
QUESTION = "Mein Antrag hängt seit Wochen! Rufen Sie mich an: 0171 2345678"
GOOD = "Das tut uns leid. Bitte schicken Sie uns eine Direktnachricht, dann klären wir Ihr Anliegen."


@pytest.fixture
def queued(monkeypatch):
    """The reply ids handed to Celery (nothing runs: the tests send with reply_send themselves)."""
    sent = []
    monkeypatch.setattr(replying, "_queue", lambda reply: sent.append(reply.pk))
    monkeypatch.setattr(replying, "_queue_later", lambda reply_id, when: sent.append(reply_id))
    monkeypatch.setattr(replying, "_enqueue", lambda reply_id, when=None: sent.append(reply_id))
    return sent


def make_item(channel, department, *, network_id="777", text=QUESTION, kind=InboxItem.Kind.COMMENT, root=""):
    now = timezone.now()
    return InboxItem.objects.create(
        channel=channel,
        network_id=network_id,
        root_network_id=root,
        kind=kind,
        text=text,
        author_handle="@erika",
        received_at=now,
        conversation_key=f"item:{network_id}",
        department=department,
        due_at=now + timedelta(hours=4),
        remind_at=now + timedelta(hours=3),
        clock_starts_at=now,
    )


@pytest.fixture
def mastodon_item(fake_mastodon, live_channels, department):
    return make_item(live_channels(fake_mastodon)["mastodon"], department)


@pytest.fixture
def facebook_item(fake_facebook, live_channels, department):
    channel = live_channels(fake_facebook)["facebook"]
    comment = fake_facebook.add_comment("1234567890_55", QUESTION)
    return make_item(channel, department, network_id=comment)


def send(reply):
    return replying.reply_send(reply.pk)


def test_a_reply_repeating_the_citizens_phone_number_is_refused(editor, mastodon_item, queued, fake_mastodon):
    with pytest.raises(ValidationError) as caught:
        replying.reply_submit(actor=editor, item=mastodon_item, text="Wir rufen Sie unter 0171 2345678 an.")
    assert "0171 2345678" in " ".join(caught.value.message_dict["text"])
    assert not Reply.objects.exists() and queued == [] and fake_mastodon.requests == []


def test_coordinated_department_replies_wait_for_approval_four_eyes(
    editor, head, coordinator, mastodon_item, queued, fake_mastodon
):
    reply = replying.reply_submit(actor=editor, item=mastodon_item, text=GOOD)
    assert reply.status == Reply.Status.PENDING and queued == []
    mastodon_item.refresh_from_db()
    assert mastodon_item.state == InboxItem.State.IN_PROGRESS  # taken over by the author
    with pytest.raises(PermissionDenied):
        replying.reply_approve(actor=editor, reply=reply)  # the author
    assert replying.may_approve(head, reply)  # the department's head may, as Koordination does
    replying.reply_approve(actor=coordinator, reply=reply)
    assert queued == [reply.pk]
    assert send(reply) == Reply.Status.PUBLISHED
    reply.refresh_from_db()
    (request,) = fake_mastodon.requests_to(r"/api/v1/statuses$", "POST")
    assert request.value("in_reply_to_id") == "777"
    assert request.value("status") == f"@erika {GOOD}"
    assert request.header("idempotency-key") == str(reply.key)
    assert reply.external_id == fake_mastodon.created[0]["id"] and reply.url
    mastodon_item.refresh_from_db()
    assert (mastodon_item.state, mastodon_item.resolution) == (
        InboxItem.State.DONE,
        InboxItem.Resolution.ANSWERED,
    )
    verbs = list(AuditEvent.objects.filter(verb__startswith="reply.").values_list("verb", flat=True))
    assert verbs == ["reply.submitted", "reply.approved", "reply.published"]


def test_nobody_approves_their_own_reply(coordinator, mastodon_item, queued):
    reply = replying.reply_submit(actor=coordinator, item=mastodon_item, text=GOOD)
    with pytest.raises(PermissionDenied):
        replying.reply_approve(actor=coordinator, reply=reply)


def test_rejecting_needs_a_reason_and_tells_the_author(
    editor, coordinator, mastodon_item, queued, mailoutbox, django_capture_on_commit_callbacks
):
    reply = replying.reply_submit(actor=editor, item=mastodon_item, text=GOOD)
    with pytest.raises(ValidationError):
        replying.reply_reject(actor=coordinator, reply=reply, comment="")
    with django_capture_on_commit_callbacks(execute=True):
        replying.reply_reject(actor=coordinator, reply=reply, comment="Bitte freundlicher formulieren.")
    reply.refresh_from_db()
    assert reply.status == Reply.Status.REJECTED and queued == []
    assert any(editor.email in message.to for message in mailoutbox)
    assert all(QUESTION not in message.body and "0171" not in message.body for message in mailoutbox)


def test_without_the_setting_a_reply_goes_out_at_once(
    editor, department, mastodon_item, queued, fake_mastodon
):
    DepartmentReplySetting.objects.create(department=department, replies_need_approval=False)
    reply = replying.reply_submit(actor=editor, item=mastodon_item, text=GOOD)
    assert reply.status == Reply.Status.APPROVED and queued == [reply.pk]
    assert send(reply) == Reply.Status.PUBLISHED
    assert send(reply) == "not_claimed"  # a second message for it finds nothing
    assert fake_mastodon.created_count == 1


def test_the_default_follows_the_review_mode(department):
    assert replying.replies_need_approval(department)
    department.review_mode = Department.ReviewMode.AUTONOMOUS
    assert not replying.replies_need_approval(department)


@pytest.fixture
def approved(editor, coordinator, queued):
    def make(item):
        return replying.reply_approve(
            actor=coordinator, reply=replying.reply_submit(actor=editor, item=item, text=GOOD)
        )

    return make


def test_rate_limit_waits_for_the_reset_and_then_sends(approved, mastodon_item, fake_mastodon):
    reply = approved(mastodon_item)
    fake_mastodon.rate_limit(reset_in=120, path=r"/api/v1/statuses$")
    assert send(reply) == Reply.Status.APPROVED
    reply.refresh_from_db()
    assert reply.next_attempt_at >= timezone.now() + timedelta(seconds=100)
    assert send(reply) == "not_claimed"  # not before the reset
    Reply.objects.filter(pk=reply.pk).update(next_attempt_at=timezone.now())
    assert send(reply) == Reply.Status.PUBLISHED
    assert fake_mastodon.created_count == 1


def test_refusal_fails_with_the_networks_message_and_coordination_may_retry(
    approved, facebook_item, fake_facebook, coordinator, editor
):
    reply = approved(facebook_item)
    fake_facebook.fail(400, path=r"/comments$", message="(#100) refused for the test")
    assert send(reply) == Reply.Status.FAILED
    reply.refresh_from_db()
    assert "refused for the test" in reply.last_error
    with pytest.raises(PermissionDenied):
        replying.reply_retry(actor=editor, reply=reply)
    replying.reply_retry(actor=coordinator, reply=reply)
    assert send(reply) == Reply.Status.PUBLISHED
    reply.refresh_from_db()
    assert fake_facebook.comments[reply.external_id]["parent"] == facebook_item.network_id


def test_a_timeout_on_facebook_is_uncertain_and_never_resent_by_itself(
    approved, facebook_item, fake_facebook, settings
):
    settings.PUBLISHING_NETWORK_TIMEOUT = 0.6
    reply = approved(facebook_item)
    fake_facebook.slow(2.0, path=r"/comments$")
    assert send(reply) == Reply.Status.UNCERTAIN
    replying.replies_sweep()
    assert send(reply) == "not_claimed"
    assert len([c for c in fake_facebook.comments.values() if c["by_page"]]) == 1  # the one that arrived


def _worker_died_after_sending(reply, fake_sent):
    """What a worker killed mid-request leaves: the request reached the network, the reply is
    ``sending`` and its lease runs out."""
    claimed = replying.reply_claim(reply.pk)
    assert claimed is not None
    fake_sent(claimed)
    Reply.objects.filter(pk=reply.pk).update(lease_until=timezone.now() - timedelta(seconds=1))


def test_worker_killed_while_sending_on_mastodon_the_reply_exists_once(
    approved, mastodon_item, fake_mastodon
):
    from channels.adapters import adapter_for
    from channels.networks.base import PostContent

    reply = approved(mastodon_item)

    def reached_mastodon(claimed):
        adapter_for(mastodon_item.channel).reply(
            replying._item_ref(mastodon_item),
            PostContent(text=claimed.text, idempotency_key=str(claimed.key)),
        )

    _worker_died_after_sending(reply, reached_mastodon)
    assert replying.replies_sweep()["requeued"] == 1
    assert send(reply) == Reply.Status.PUBLISHED
    assert fake_mastodon.created_count == 1  # the same Idempotency-Key: no second status
    assert len(fake_mastodon.requests_to(r"/api/v1/statuses$", "POST")) == 2


def test_worker_killed_while_sending_on_facebook_the_reply_is_uncertain(
    approved, facebook_item, fake_facebook
):
    from channels.adapters import adapter_for
    from channels.networks.base import PostContent

    reply = approved(facebook_item)

    def reached_facebook(claimed):
        adapter_for(facebook_item.channel).reply(
            replying._item_ref(facebook_item), PostContent(text=claimed.text)
        )

    _worker_died_after_sending(reply, reached_facebook)
    assert replying.replies_sweep()["uncertain"] == 1
    reply.refresh_from_db()
    assert reply.status == Reply.Status.UNCERTAIN
    assert send(reply) == "not_claimed"
    assert len(fake_facebook.requests_to(r"/comments$", "POST")) == 1  # never resent blindly


# --- the conversation page ----------------------------------------------------------------------------


def test_the_reply_box_checks_live_and_shows_a_blocked_reply_next_to_the_field(
    client, editor, mastodon_item, queued
):
    client.force_login(editor)
    page = client.get(f"/inbox/{mastodon_item.pk}/").content.decode()
    assert 'id="reply-form"' in page and "Zur Freigabe einreichen" in page
    fragment = client.post(
        f"/inbox/{mastodon_item.pk}/reply/check/", {"text": "Wir rufen Sie unter 0171 2345678 an."}
    ).content.decode()
    assert 'data-rule="reply.personal_data"' in fragment and 'data-blocking="true"' in fragment
    response = client.post(
        f"/inbox/{mastodon_item.pk}/reply/", {"text": "Wir rufen Sie unter 0171 2345678 an."}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="reply-text-error"' in html and "0171 2345678" in html and 'aria-invalid="true"' in html
    assert not Reply.objects.exists()
    response = client.post(f"/inbox/{mastodon_item.pk}/reply/", {"text": GOOD})
    assert response.status_code == 302
    page = client.get(f"/inbox/{mastodon_item.pk}/").content.decode()
    assert "wartet auf Freigabe" in page and GOOD.split(".")[0] in page


def test_koordination_approves_on_the_page(client, editor, coordinator, mastodon_item, queued):
    reply = replying.reply_submit(actor=editor, item=mastodon_item, text=GOOD)
    client.force_login(editor)
    assert f'id="approve-reply-{reply.pk}"' not in client.get(f"/inbox/{mastodon_item.pk}/").content.decode()
    client.force_login(coordinator)
    assert f'id="approve-reply-{reply.pk}"' in client.get(f"/inbox/{mastodon_item.pk}/").content.decode()
    assert client.post(f"/inbox/replies/{reply.pk}/approve/").status_code == 302
    reply.refresh_from_db()
    assert reply.status == Reply.Status.APPROVED and queued == [reply.pk]


def test_outsiders_get_404_for_every_reply_url(client, editor, outsider, mastodon_item, queued):
    reply = replying.reply_submit(actor=editor, item=mastodon_item, text=GOOD)
    client.force_login(outsider)
    for url in (
        f"/inbox/{mastodon_item.pk}/reply/",
        f"/inbox/{mastodon_item.pk}/reply/check/",
        f"/inbox/replies/{reply.pk}/approve/",
        f"/inbox/replies/{reply.pk}/reject/",
        f"/inbox/replies/{reply.pk}/retry/",
    ):
        assert client.post(url, {"text": GOOD}).status_code == 404, url


def test_reply_texts_are_escaped(client, editor, mastodon_item, queued):
    xss = 'Danke! <script>alert("x")</script>'
    replying.reply_submit(actor=editor, item=mastodon_item, text=xss)
    client.force_login(editor)
    html = client.get(f"/inbox/{mastodon_item.pk}/").content.decode()
    assert '<script>alert("x")' not in html and "&lt;script&gt;" in html
