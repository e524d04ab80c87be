"""Network figures: snapshots from each network's fake through the real adapters, the schedule (daily to
day 30, weekly to day 90), X only within its budget, "not delivered" kept apart from 0, and the page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from channels.adapters import adapter_for
from channels.models import Channel
from channels.networks.base import PostContent
from publishing.models import Delivery
from reports import metrics as m
from reports.models import DailyFigure, FollowerSnapshot, MetricSnapshot
from reports.network import snapshots_take
from reports.rollup import rollup_changed

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@pytest.fixture
def live_channel(db, admin_user, department):
    from channels.services import channel_create

    def make(fake, name):
        channel = channel_create(
            actor=admin_user, name=name, departments=[department], **fake.channel_kwargs()
        )
        Channel.objects.filter(pk=channel.pk).update(enabled=True)
        channel.refresh_from_db()
        return channel

    return make


@pytest.fixture
def published_on(editor, department):
    """``published_on(channel, days_ago)``: a post published through the channel's adapter (its fake)
    that many days before NOW, with its delivery."""
    from posts.models import Post

    def make(channel, days_ago, text="Bericht-Test"):
        ref = adapter_for(channel).publish(
            PostContent(text=f"{text} {channel.pk}-{days_ago}", idempotency_key=f"k-{channel.pk}-{days_ago}")
        )
        when = NOW - timedelta(days=days_ago)
        post = Post.objects.create(
            department=department, author=editor, title="t", text="x", status="published", published_at=when
        )
        return Delivery.objects.create(
            post=post,
            channel=channel,
            status="published",
            due_at=when,
            published_at=when,
            external_id=ref.external_id,
        )

    return make


def test_snapshots_keep_names_missing_metrics_and_followers(
    fake_mastodon, fake_bluesky, live_channel, published_on
):
    mastodon = live_channel(fake_mastodon, "Mastodon Landkreis")
    bluesky = live_channel(fake_bluesky, "Bluesky Landkreis")
    toot = published_on(mastodon, 3)
    skeet = published_on(bluesky, 3)
    fake_mastodon.status_counts[toot.external_id] = {
        "replies_count": 2,
        "reblogs_count": 5,
        "favourites_count": 11,
    }
    fake_mastodon.followers_count = 1500
    fake_bluesky.post_counts[skeet.external_id] = {
        "likeCount": 4,
        "repostCount": 1,
        "replyCount": 0,
        "quoteCount": 0,
    }
    fake_bluesky.followers_count = None  # the profile does not say

    snapshots_take(now=NOW)

    snap = MetricSnapshot.objects.get(delivery=toot)
    assert snap.values == {"replies_count": 2, "reblogs_count": 5, "favourites_count": 11}
    assert snap.missing == ["quotes_count"]  # a server before 4.5: not delivered, not 0
    assert snap.age_days == 3 and snap.mapping_version == "1"
    assert MetricSnapshot.objects.get(delivery=skeet).values == {
        "likeCount": 4,
        "repostCount": 1,
        "replyCount": 0,
        "quoteCount": 0,
    }
    assert FollowerSnapshot.objects.get(channel=mastodon).followers == 1500
    assert FollowerSnapshot.objects.get(channel=bluesky).followers is None

    # Run again the same day: nothing is due, nothing is asked.
    asked = len(fake_mastodon.requests_to(r"/api/v1/statuses/\d+$", "GET"))
    snapshots_take(now=NOW + timedelta(hours=1))
    assert MetricSnapshot.objects.count() == 2 and FollowerSnapshot.objects.count() == 2
    assert len(fake_mastodon.requests_to(r"/api/v1/statuses/\d+$", "GET")) == asked


def test_daily_to_day_30_weekly_to_day_90(fake_mastodon, live_channel, published_on):
    channel = live_channel(fake_mastodon, "Mastodon Landkreis")
    young, older, old = published_on(channel, 10), published_on(channel, 45), published_on(channel, 95)
    snapshots_take(now=NOW)
    assert set(MetricSnapshot.objects.values_list("delivery_id", flat=True)) == {young.pk, older.pk}
    for days in range(1, 8):  # the following week
        snapshots_take(now=NOW + timedelta(days=days))
    assert MetricSnapshot.objects.filter(delivery=young).count() == 8  # every day
    assert MetricSnapshot.objects.filter(delivery=older).count() == 2  # once a week
    assert not MetricSnapshot.objects.filter(delivery=old).exists()


def test_x_is_read_only_within_its_monthly_budget(fake_x, live_channel, published_on, settings):
    channel = live_channel(fake_x, "X Landkreis")
    for days in (1, 2, 3, 4):
        published_on(channel, days)
    snapshots_take(now=NOW)  # budget 0 (the default): X is not read at all
    assert not fake_x.requests_to(r"/2/tweets/\d+$", "GET") and not MetricSnapshot.objects.exists()
    settings.REPORTS_X_READS_PER_MONTH = 3
    snapshots_take(now=NOW)
    # Three reads this month: the followers and two posts.
    assert FollowerSnapshot.objects.filter(channel=channel).count() == 1
    assert MetricSnapshot.objects.filter(channel=channel).count() == 2
    snapshots_take(now=NOW + timedelta(days=1))
    assert MetricSnapshot.objects.filter(channel=channel).count() == 2  # the month's budget is spent


def test_a_rate_limit_ends_the_channels_turn(fake_mastodon, live_channel, published_on):
    channel = live_channel(fake_mastodon, "Mastodon Landkreis")
    for days in (1, 2, 3):
        published_on(channel, days)
    fake_mastodon.rate_limit(reset_in=300, path=r"/api/v1/statuses/\d+$", method="GET")
    [run] = snapshots_take(now=NOW)
    assert run.stopped and run.snapshots == 0
    [run] = snapshots_take(now=NOW + timedelta(minutes=61))
    assert run.snapshots == 3


def test_rollup_and_page_show_sums_and_not_delivered(
    client, coordinator, fake_mastodon, live_channel, published_on
):
    channel = live_channel(fake_mastodon, "Mastodon Landkreis")
    first, second = published_on(channel, 3), published_on(channel, 4)
    fake_mastodon.status_counts[first.external_id] = {"favourites_count": 11, "quotes_count": 1}
    fake_mastodon.status_counts[second.external_id] = {"favourites_count": 4}
    snapshots_take(now=NOW - timedelta(days=1))
    fake_mastodon.status_counts[first.external_id] = {"favourites_count": 20, "quotes_count": 1}  # grew
    snapshots_take(now=NOW)
    rollup_changed(now=NOW)
    total = sum(
        DailyFigure.objects.filter(metric=m.NETWORK, key="favourites_count").values_list("count", flat=True)
    )
    assert total == 20 + 4  # the newest reading of each post
    missing = sum(
        DailyFigure.objects.filter(metric=m.NETWORK, key="quotes_count").values_list("missing", flat=True)
    )
    assert missing == 1  # the second post's server answer had no quotes_count

    client.force_login(coordinator)
    page = client.get(reverse("reports:index"), {"start": "2026-11-01", "end": "2026-11-30"}).content.decode()
    assert "Was die Netzwerke melden" in page and "favourites_count" in page
    answer = client.get(
        reverse("reports:csv"), {"table": "network-figures", "start": "2026-11-01", "end": "2026-11-30"}
    )
    rows = [line.split(";") for line in answer.content.decode("utf-8-sig").strip().splitlines()]
    favourites = next(r for r in rows if r[1] == "favourites_count")
    quotes = next(r for r in rows if r[1] == "quotes_count")
    assert favourites[3:] == ["24", "2", "0"]
    assert quotes[3:] == ["1", "1", "1"]  # one post delivered it, one did not: not a 0
