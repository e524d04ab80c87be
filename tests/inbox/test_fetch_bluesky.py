"""Bluesky: listNotifications (reply, mention, quote) paged back to the last committed notification;
replies are routed by their thread's root; 429 with the reset."""

from __future__ import annotations

import pytest
from django.utils import timezone

from inbox import fetching
from inbox.models import ChannelInbox, InboxItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def bluesky(fake_bluesky_inbox, live_channels):
    return fake_bluesky_inbox, live_channels(fake_bluesky_inbox)["bluesky"]


def fetch(channel):
    ChannelInbox.objects.filter(channel=channel).update(next_fetch_at=None)
    return fetching.fetch_channel(channel.pk)


def test_replies_mentions_and_quotes_are_routed(bluesky, published_on, department):
    fake, channel = bluesky
    post, uri = published_on(channel, fake)
    comment = fake.citizen_writes("Wann genau?", reply_to=uri)
    fake.citizen_writes("Weiß ich auch nicht", reply_to=comment["uri"], root=uri, handle="max.bsky.social")
    fake.citizen_writes("Schaut mal, der Landkreis", reason="quote", reply_to=None)
    fake.notifications[-1]["reasonSubject"] = uri
    fake.citizen_writes("@landkreis.test Die Straße ist gesperrt")

    assert fetch(channel).created == 4

    by_kind = {item.kind: item for item in InboxItem.objects.all()}
    assert by_kind["comment"].post_id == post.pk and by_kind["comment"].department_id == department.pk
    assert by_kind["reply"].post_id == post.pk and by_kind["reply"].parent == by_kind["comment"]
    mentions = InboxItem.objects.filter(kind="mention")
    assert {m.department_id for m in mentions} == {department.pk, None}  # the quote belongs to the post
    assert by_kind["comment"].author_url == "https://bsky.app/profile/erika.bsky.social"


def test_pages_back_to_the_last_seen_and_not_further(bluesky):
    fake, channel = bluesky
    for number in range(120):
        fake.citizen_writes(f"Erwähnung {number}")
    first = fetch(channel)
    assert first.created == 120 and first.pages == 3
    assert '"seen"' in ChannelInbox.objects.get(channel=channel).cursor

    fake.citizen_writes("Neu")
    before = len(fake.requests_to("listNotifications"))
    second = fetch(channel)
    assert second.created == 1 and second.pages == 1
    assert len(fake.requests_to("listNotifications")) == before + 1
    assert InboxItem.objects.count() == 121


def test_rate_limit_waits_for_the_reset(bluesky):
    fake, channel = bluesky
    fake.citizen_writes("Hallo")
    fake.rate_limit(reset_in=300, path="listNotifications")
    result = fetch(channel)
    assert result.status == "retry"
    state = ChannelInbox.objects.get(channel=channel)
    assert (state.next_fetch_at - timezone.now()).total_seconds() > 250
    assert fetch(channel).created == 1
