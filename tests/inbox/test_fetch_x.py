"""X: mentions only when switched on (every read is billed), within the channel's monthly read budget."""

from __future__ import annotations

import pytest
from django.utils import timezone

from inbox import fetching
from inbox.models import ChannelInbox, InboxItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def x(fake_x_inbox, live_channels):
    return fake_x_inbox, live_channels(fake_x_inbox)["x"]


def fetch(channel):
    ChannelInbox.objects.filter(channel=channel).update(next_fetch_at=None)
    return fetching.fetch_channel(channel.pk)


def switch_on(channel, budget):
    state = fetching.channel_inbox_for(channel)
    ChannelInbox.objects.filter(pk=state.pk).update(reading_enabled=True, monthly_read_budget=budget)


def test_off_by_default_nothing_is_read(x, settings):
    fake, channel = x
    fake.citizen_mentions("@LandkreisTest Hallo")
    state = fetching.channel_inbox_for(channel)
    assert state.reading_enabled is False and state.monthly_read_budget == settings.INBOX_X_MONTHLY_READS
    assert fetch(channel).status == "skipped"
    assert not fake.requests_to(r"/mentions$")
    assert channel.pk not in fetching.readable_channels().values_list("pk", flat=True)


def test_mentions_and_replies_once_switched_on(x, published_on, department):
    fake, channel = x
    switch_on(channel, 1000)
    post, tweet_id = published_on(channel, fake)
    first = fake.citizen_mentions("@LandkreisTest Gilt das auch samstags?", reply_to=tweet_id)
    fake.citizen_mentions("Nein", reply_to=first["id"], conversation=tweet_id, to_user="1", username="max")
    fake.citizen_mentions("@LandkreisTest Ampel defekt")

    assert fetch(channel).created == 3
    kinds = {i.kind: i for i in InboxItem.objects.all()}
    assert kinds["comment"].post_id == post.pk and kinds["comment"].department_id == department.pk
    assert kinds["reply"].post_id == post.pk
    assert kinds["mention"].department_id is None
    assert kinds["comment"].author_url == "https://x.com/erika_m"

    fake.citizen_mentions("@LandkreisTest noch was")
    assert fetch(channel).created == 1
    assert fake.requests_to(r"/mentions$")[-1].value("since_id")
    assert len(fake.requests_to(r"/users/me$")) == 1  # the own id is kept in the cursor


def test_the_monthly_budget_is_enforced_and_counted(x):
    fake, channel = x
    switch_on(channel, 30)
    for number in range(60):
        fake.citizen_mentions(f"@LandkreisTest Nummer {number}")

    result = fetch(channel)

    assert result.status == "budget"
    state = ChannelInbox.objects.get(channel=channel)
    assert state.reads_used <= 30 and fake.posts_read + 1 == state.reads_used
    assert InboxItem.objects.count() == fake.posts_read
    assert timezone.localtime(state.next_fetch_at).day == 1  # the next month
    used, budget = fetching.budget_status(state)
    assert (used, budget) == (state.reads_used, 30)
    assert fetching.fetch_channel(channel.pk).status == "busy"  # nothing before the next month
    requests = len(fake.requests)
    assert fetch(channel).status == "budget" and len(fake.requests) == requests  # and no read


def test_the_budget_is_shown_to_koordination(x, client, coordinator):
    fake, channel = x
    switch_on(channel, 30)
    fake.citizen_mentions("@LandkreisTest Hallo")
    fetch(channel)
    client.force_login(coordinator)
    page = client.get("/inbox/").content.decode()
    assert "von 30 Lesezugriffen in diesem Monat" in page and channel.name in page
