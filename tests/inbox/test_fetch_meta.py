"""Facebook (comments on the page's posts) and Instagram (comments on the media, with replies): routed
to the post's department, read again only after the cursor; the Meta webhook triggers a fetch."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from django.urls import reverse

from inbox import fetching
from inbox.models import ChannelInbox, InboxItem

pytestmark = pytest.mark.django_db


def fetch(channel):
    ChannelInbox.objects.filter(channel=channel).update(next_fetch_at=None)
    return fetching.fetch_channel(channel.pk)


def test_facebook_comments_and_replies_on_the_pages_posts(
    fake_facebook_inbox, live_channels, published_on, department
):
    fake = fake_facebook_inbox
    channel = live_channels(fake)["facebook"]
    post, post_id = published_on(channel, fake)
    first = fake.citizen_comments(post_id, "Gilt das auch für Kinder?")
    fake.citizen_comments(post_id, "Ja, ab 12.", parent=first["id"], name="Max")

    assert fetch(channel).created == 2
    comment = InboxItem.objects.get(network_id=first["id"])
    reply = InboxItem.objects.exclude(pk=comment.pk).get()
    assert (comment.kind, comment.post_id, comment.department_id) == ("comment", post.pk, department.pk)
    assert (reply.kind, reply.parent_id, reply.post_id) == ("reply", comment.pk, post.pk)
    assert comment.author_name == "Erika Muster" and comment.url.startswith("https://www.facebook.com/")

    fake.citizen_comments(post_id, "Noch eine Frage")
    second = fetch(channel)
    assert second.created == 1 and InboxItem.objects.count() == 3
    since = fake.requests_to(r"/comments$")[-1].value("since")
    assert since and int(since) > 0


def test_facebook_expired_token_stops_the_channel(fake_facebook_inbox, live_channels):
    fake = fake_facebook_inbox
    channel = live_channels(fake)["facebook"]
    fake.unauthorized(path=r"/posts$")
    assert fetch(channel).status == "credentials"
    channel.refresh_from_db()
    assert channel.needs_attention


def test_instagram_comments_with_replies(fake_instagram_inbox, live_channels, published_on, department):
    fake = fake_instagram_inbox
    channel = live_channels(fake)["instagram"]
    fake.created.append({"id": "17900000001"})
    post, media_id = published_on(channel, external_id="17900000001")
    top = fake.citizen_comments(media_id, "Schönes Foto!")
    fake.citizen_comments(media_id, "Finde ich auch", reply_to=top["id"], username="max")

    assert fetch(channel).created == 2
    kinds = dict(InboxItem.objects.values_list("kind", "post_id"))
    assert kinds == {"comment": post.pk, "reply": post.pk}
    assert InboxItem.objects.get(kind="comment").author_url == "https://www.instagram.com/erika.m/"
    assert fetch(channel).created == 0  # nothing new: the same comments are not stored twice
    assert InboxItem.objects.count() == 2


@pytest.fixture
def meta_secrets(settings):
    settings.INBOX_META_APP_SECRET = "app-secret-for-tests"
    settings.INBOX_META_VERIFY_TOKEN = "verify-me"
    return settings


def test_webhook_handshake(client, meta_secrets):
    url = reverse("inbox:webhook_meta")
    ok = client.get(url, {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "12345"})
    assert ok.status_code == 200 and ok.content == b"12345"
    wrong = client.get(url, {"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "12345"})
    assert wrong.status_code == 403


def test_webhook_checks_the_signature_and_queues_a_fetch(
    client, meta_secrets, fake_facebook_inbox, live_channels, monkeypatch, django_capture_on_commit_callbacks
):
    channel = live_channels(fake_facebook_inbox)["facebook"]
    queued = []
    monkeypatch.setattr("inbox.webhooks._queue", queued.append)
    body = json.dumps(
        {"object": "page", "entry": [{"id": channel.account, "changes": [{"field": "feed"}]}]}
    ).encode()
    signature = "sha256=" + hmac.new(b"app-secret-for-tests", body, hashlib.sha256).hexdigest()
    url = reverse("inbox:webhook_meta")

    forged = client.post(
        url, body, content_type="application/json", headers={"X-Hub-Signature-256": "sha256=00"}
    )
    assert forged.status_code == 403
    unsigned = client.post(url, body, content_type="application/json")
    assert unsigned.status_code == 403

    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            url, body, content_type="application/json", headers={"X-Hub-Signature-256": signature}
        )
    assert answer.status_code == 200 and answer.json() == {"channels": 1}
    assert queued == [channel.pk]
