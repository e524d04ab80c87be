"""X through tweepy (and the v2 media upload) against the fake X API."""

from __future__ import annotations

from pathlib import Path

import pytest

from channels.networks.base import ErrorKind, PostContent, PublishError

from .conftest import ALT_TEXT, make_adapter


def test_text_post_goes_to_v2_tweets_signed_with_oauth1(fake_x):
    ref = make_adapter(fake_x).publish(
        PostContent(
            text="Das Impfzentrum hat heute bis 18 Uhr geöffnet.", link="https://www.lk-row.de/impfen"
        )
    )
    (request,) = fake_x.requests_to(r"/2/tweets$", "POST")
    assert request.json == {
        "text": "Das Impfzentrum hat heute bis 18 Uhr geöffnet.\n\nhttps://www.lk-row.de/impfen"
    }
    auth = request.header("authorization")
    assert auth.startswith("OAuth ") and 'oauth_consumer_key="fake-consumer-key"' in auth
    assert 'oauth_signature_method="HMAC-SHA1"' in auth
    assert ref.external_id == fake_x.created[0]["id"]
    assert ref.url == f"https://x.com/LandkreisTest/status/{ref.external_id}"


def test_image_is_uploaded_with_alt_text_and_attached(fake_x, image):
    make_adapter(fake_x).publish(PostContent(text="Mit Bild", media=(image,)))
    upload, metadata, tweet = (
        fake_x.requests_to(r"/2/media/upload$")[0],
        fake_x.requests_to(r"/2/media/metadata$")[0],
        fake_x.requests_to(r"/2/tweets$")[0],
    )
    assert upload.files["media"]["data"] == Path(image.path).read_bytes()
    assert upload.files["media"]["content_type"] == "image/png"
    assert upload.value("media_category") == "tweet_image"
    assert upload.header("authorization").startswith("OAuth ")
    media_id = metadata.json["id"]
    assert metadata.json["metadata"]["alt_text"]["text"] == ALT_TEXT
    assert fake_x.media[media_id]["alt_text"] == ALT_TEXT
    assert tweet.json["media"]["media_ids"] == [media_id]
    # Order matters: the tweet comes last, after the media exist.
    assert [r.path for r in fake_x.requests] == ["/2/media/upload", "/2/media/metadata", "/2/tweets"]


def test_duplicate_text_is_refused_permanently_with_xs_message(fake_x):
    adapter = make_adapter(fake_x)
    adapter.publish(PostContent(text="Einmal reicht"))
    with pytest.raises(PublishError) as caught:
        adapter.publish(PostContent(text="Einmal reicht"))
    assert caught.value.kind is ErrorKind.PERMANENT
    assert caught.value.status_code == 403
    assert "duplicate content" in caught.value.message
    assert fake_x.created_count == 1


def test_failed_media_upload_stops_before_the_tweet(fake_x, image):
    fake_x.fail(503, path=r"/2/media/upload$")
    with pytest.raises(PublishError) as caught:
        make_adapter(fake_x).publish(PostContent(text="Mit Bild", media=(image,)))
    assert caught.value.kind is ErrorKind.RETRYABLE
    assert not fake_x.requests_to(r"/2/tweets$")


def test_upload_5xx_is_retryable_because_it_creates_no_post(fake_x, image):
    fake_x.fail(500, path=r"/2/media/upload$")
    with pytest.raises(PublishError) as caught:
        make_adapter(fake_x).publish(PostContent(text="Mit Bild", media=(image,)))
    assert caught.value.kind is ErrorKind.RETRYABLE


def test_delete_sends_delete_and_unknown_post_is_permanent(fake_x):
    adapter = make_adapter(fake_x)
    adapter.delete("12345")
    assert fake_x.deleted == ["12345"]
    fake_x.fail(404, path=r"/2/tweets/999$", message="Not Found")
    with pytest.raises(PublishError) as caught:
        adapter.delete("999")
    assert caught.value.kind is ErrorKind.PERMANENT


def test_requests_stay_on_the_configured_base_url(fake_x):
    """tweepy hard-codes api.twitter.com; the routing adapter must send everything to the fake."""
    adapter = make_adapter(fake_x)
    adapter.publish(PostContent(text="Routing"))
    adapter.check_credentials()
    assert len(fake_x.requests) == 2
    assert (
        adapter.transport.rewrite("https://api.twitter.com/2/tweets?x=1") == f"{fake_x.base_url}/2/tweets?x=1"
    )


def test_two_adapters_with_different_base_urls_do_not_interfere(fake_x):
    from tests.fakes.x import FakeX

    with FakeX() as other:
        first, second = make_adapter(fake_x), make_adapter(other)
        first.publish(PostContent(text="an den ersten"))
        second.publish(PostContent(text="an den zweiten"))
        assert [p["text"] for p in fake_x.created] == ["an den ersten"]
        assert [p["text"] for p in other.created] == ["an den zweiten"]
