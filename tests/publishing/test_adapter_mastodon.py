"""Mastodon through Mastodon.py against the fake instance."""

from __future__ import annotations

from pathlib import Path

import pytest

from channels.networks.base import ErrorKind, PostContent, PublishError

from .conftest import ALT_TEXT, make_adapter


def test_status_is_posted_with_bearer_token_idempotency_key_and_language(fake_mastodon):
    ref = make_adapter(fake_mastodon).publish(
        PostContent(text="Neue Öffnungszeiten der Zulassungsstelle", idempotency_key="delivery-42")
    )
    (request,) = fake_mastodon.requests_to(r"/api/v1/statuses$", "POST")
    assert request.header("authorization") == "Bearer mastodon-test-token"
    assert request.header("idempotency-key") == "delivery-42"
    assert request.value("status") == "Neue Öffnungszeiten der Zulassungsstelle"
    assert request.value("visibility") == "public"
    assert request.value("language") == "de"
    status = fake_mastodon.created[0]
    assert ref.external_id == status["id"]
    assert ref.url == f"{fake_mastodon.base_url}/@landkreis/{status['id']}"


def test_the_same_idempotency_key_never_makes_a_second_status(fake_mastodon):
    content = PostContent(text="Nur einmal", idempotency_key="delivery-7")
    first = make_adapter(fake_mastodon).publish(content)
    second = make_adapter(fake_mastodon).publish(content)  # e.g. a retry after a timeout
    assert first.external_id == second.external_id
    assert fake_mastodon.created_count == 1
    assert len(fake_mastodon.requests_to(r"/api/v1/statuses$")) == 2


def test_retry_after_a_timeout_with_the_key_finds_the_status_already_made(fake_mastodon):
    content = PostContent(text="Zeitüberschreitung", idempotency_key="delivery-8")
    fake_mastodon.slow(2.0, path=r"/api/v1/statuses$")
    with pytest.raises(PublishError) as caught:
        make_adapter(fake_mastodon, timeout=0.6).publish(content)
    assert caught.value.kind is ErrorKind.RETRYABLE
    ref = make_adapter(fake_mastodon).publish(content)
    assert fake_mastodon.created_count == 1
    assert ref.external_id == fake_mastodon.created[0]["id"]


def test_without_a_key_a_timeout_is_uncertain(fake_mastodon):
    fake_mastodon.slow(2.0, path=r"/api/v1/statuses$")
    with pytest.raises(PublishError) as caught:
        make_adapter(fake_mastodon, timeout=0.6).publish(PostContent(text="ohne Schlüssel"))
    assert caught.value.kind is ErrorKind.UNCERTAIN


def test_image_goes_to_media_v2_with_its_description(fake_mastodon, image):
    make_adapter(fake_mastodon).publish(PostContent(text="Mit Bild", media=(image,), idempotency_key="d-1"))
    (upload,) = fake_mastodon.requests_to(r"/api/v2/media$")
    assert upload.value("description") == ALT_TEXT
    assert upload.files["file"]["data"] == Path(image.path).read_bytes()
    assert upload.header("authorization") == "Bearer mastodon-test-token"
    (status,) = fake_mastodon.created
    assert status["media_ids"] == [next(iter(fake_mastodon.media))]
    # No probe of /api/v1/instance (the version settings from NETWORKS.md are in place).
    assert not fake_mastodon.requests_to(r"/api/v1/instance")


def test_media_still_processing_is_polled_before_posting(fake_mastodon, image):
    fake_mastodon.processing_polls = 1
    make_adapter(fake_mastodon, timeout=5).publish(PostContent(text="Video-artig", media=(image,)))
    paths = [r.path for r in fake_mastodon.requests]
    assert paths[0] == "/api/v2/media"
    assert paths[-1] == "/api/v1/statuses"
    assert len(fake_mastodon.requests_to(r"/api/v1/media/\d+$")) == 2
    assert fake_mastodon.created_count == 1


def test_text_over_the_instance_limit_is_refused_permanently(fake_mastodon):
    with pytest.raises(PublishError) as caught:
        make_adapter(fake_mastodon).publish(PostContent(text="x" * 501))
    assert caught.value.kind is ErrorKind.PERMANENT
    assert caught.value.status_code == 422
    assert "character limit" in caught.value.message


def test_delete_and_missing_status(fake_mastodon):
    adapter = make_adapter(fake_mastodon)
    ref = adapter.publish(PostContent(text="weg damit"))
    adapter.delete(ref.external_id)
    assert fake_mastodon.deleted == [ref.external_id]
    with pytest.raises(PublishError) as caught:
        adapter.delete("999999")
    assert caught.value.kind is ErrorKind.PERMANENT
    assert caught.value.status_code == 404


@pytest.mark.parametrize(("key", "kind"), [("", ErrorKind.UNCERTAIN), ("delivery-9", ErrorKind.RETRYABLE)])
def test_a_2xx_answer_to_the_status_post_that_is_not_json_is_an_unknown_outcome(fake_mastodon, key, kind):
    """A proxy's HTML page with 200, or a cut-off body: the network may hold the post. Without a key that
    is "uncertain", with the Idempotency-Key sending again is safe (issue 14: it was "refused", HTTP None)."""
    fake_mastodon.program(
        status=200, body="<html>Wartungsseite</html>", path=r"/api/v1/statuses$", method="POST"
    )
    with pytest.raises(PublishError) as caught:
        make_adapter(fake_mastodon).publish(PostContent(text="Antwort ohne JSON", idempotency_key=key))
    assert caught.value.kind is kind
    assert "None" not in caught.value.message and "JSON" in caught.value.message
