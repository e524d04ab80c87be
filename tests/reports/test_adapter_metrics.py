"""Each network adapter's ``fetch_metrics`` / ``fetch_followers`` with its real client library against
its fake server: the names as the network gives them, a metric not delivered is absent (not 0), a name
the network refuses (deprecated) does not cost the others."""

from __future__ import annotations

import pytest

from channels.networks import registry
from channels.networks.base import ChannelConfig, ErrorKind, MediaItem, PostContent, PublishError

TEXT = "Bericht-Test: Impfzentrum geöffnet"


def make_adapter(fake):
    """The real adapter of ``fake``'s network, configured like a channel that points at the fake."""
    kwargs = fake.channel_kwargs()
    config = ChannelConfig(
        credentials=dict(kwargs["credentials"]),
        account=kwargs["account"],
        base_url=kwargs["base_url"],
        channel_id=1,
        timeout=2.0,
    )
    return registry.get(kwargs["kind"])(config)


@pytest.fixture
def image(tmp_path) -> MediaItem:
    from PIL import Image

    path = tmp_path / "bild.png"
    Image.new("RGB", (64, 32), "blue").save(path)
    return MediaItem(
        path=str(path),
        mime_type="image/png",
        alt_text="Ein blaues Rechteck",
        public_url="https://media.landkreis.example/bild.png",
    )


def published(fake, adapter, media=()):
    return adapter.publish(PostContent(text=TEXT, media=media, idempotency_key="delivery-1")).external_id


def test_mastodon_counts_and_a_server_without_quotes(fake_mastodon):
    adapter = make_adapter(fake_mastodon)
    status_id = published(fake_mastodon, adapter)
    fake_mastodon.status_counts[status_id] = {"replies_count": 3, "reblogs_count": 7, "favourites_count": 12}
    fake_mastodon.followers_count = 4321
    # A server before 4.5 does not deliver quotes_count: absent, not 0.
    assert adapter.fetch_metrics(status_id) == {
        "replies_count": 3,
        "reblogs_count": 7,
        "favourites_count": 12,
    }
    fake_mastodon.status_counts[status_id]["quotes_count"] = 2
    assert adapter.fetch_metrics(status_id)["quotes_count"] == 2
    assert adapter.fetch_followers() == 4321


def test_mastodon_rate_limit_is_retryable(fake_mastodon):
    adapter = make_adapter(fake_mastodon)
    status_id = published(fake_mastodon, adapter)
    fake_mastodon.rate_limit(reset_in=120, path=r"/api/v1/statuses/\d+$")
    with pytest.raises(PublishError) as caught:
        adapter.fetch_metrics(status_id)
    assert caught.value.kind is ErrorKind.RETRYABLE and caught.value.retry_after > 60


def test_bluesky_counts_by_lexicon_name(fake_bluesky):
    adapter = make_adapter(fake_bluesky)
    uri = published(fake_bluesky, adapter)
    fake_bluesky.post_counts[uri] = {"likeCount": 9, "repostCount": 2, "replyCount": 1}  # no quoteCount
    fake_bluesky.followers_count = 250
    assert adapter.fetch_metrics(uri) == {"likeCount": 9, "repostCount": 2, "replyCount": 1}
    assert adapter.fetch_followers() == 250
    fake_bluesky.followers_count = None  # a profile without the count: not delivered
    assert adapter.fetch_followers() is None


def test_facebook_insights_with_current_names_and_a_deprecated_one(fake_facebook):
    adapter = make_adapter(fake_facebook)
    post_id = published(fake_facebook, adapter)
    fake_facebook.insights[post_id] = {
        "post_media_view": 1200,
        "post_total_media_view_unique": 800,
        "post_reactions_by_type_total": {"like": 30, "love": 4},
        "post_clicks": 17,
    }
    assert adapter.fetch_metrics(post_id) == {
        "post_media_view": 1200,
        "post_total_media_view_unique": 800,
        "post_reactions_by_type_total.like": 30,
        "post_reactions_by_type_total.love": 4,
        "post_clicks": 17,
    }
    # Meta retires post_clicks: the whole request is refused (#100); the others still arrive.
    fake_facebook.deprecated_metrics = {"post_clicks"}
    found = adapter.fetch_metrics(post_id)
    assert "post_clicks" not in found and found["post_media_view"] == 1200
    # A metric Meta simply does not have for this post is left out, not 0.
    del fake_facebook.insights[post_id]["post_total_media_view_unique"]
    assert "post_total_media_view_unique" not in adapter.fetch_metrics(post_id)
    fake_facebook.followers_count = 5100
    assert adapter.fetch_followers() == 5100


def test_facebook_token_problem_is_not_swallowed(fake_facebook):
    adapter = make_adapter(fake_facebook)
    post_id = published(fake_facebook, adapter)
    fake_facebook.unauthorized(path=r"/insights$")
    with pytest.raises(PublishError) as caught:
        adapter.fetch_metrics(post_id)
    assert caught.value.credentials_problem


def test_instagram_media_insights(fake_instagram, image):
    adapter = make_adapter(fake_instagram)
    media_id = published(fake_instagram, adapter, media=(image,))
    fake_instagram.insights[media_id] = {"views": 640, "reach": 410, "likes": 52, "comments": 3, "saved": 6}
    fake_instagram.deprecated_metrics = {"shares"}
    assert adapter.fetch_metrics(media_id) == {
        "views": 640,
        "reach": 410,
        "likes": 52,
        "comments": 3,
        "saved": 6,
    }
    fake_instagram.followers_count = 900
    assert adapter.fetch_followers() == 900


def test_x_public_metrics(fake_x):
    adapter = make_adapter(fake_x)
    assert adapter.metrics_cost_money
    tweet_id = published(fake_x, adapter)
    fake_x.tweet_metrics[tweet_id] = {
        "retweet_count": 1,
        "reply_count": 0,
        "like_count": 5,
        "quote_count": 0,
        "impression_count": 300,
    }
    assert adapter.fetch_metrics(tweet_id) == {
        "retweet_count": 1,
        "reply_count": 0,
        "like_count": 5,
        "quote_count": 0,
        "impression_count": 300,
    }
    fake_x.followers_count = 77
    assert adapter.fetch_followers() == 77
