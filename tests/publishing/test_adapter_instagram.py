"""Instagram's container → media_publish flow with plain requests against the fake Graph API."""

from __future__ import annotations

import pytest
from django.test import override_settings

from channels.networks.base import ErrorKind, MediaItem, PostContent, PublishError

from .conftest import ALT_TEXT, make_adapter


def test_container_then_publish_then_permalink(fake_instagram, image):
    ref = make_adapter(fake_instagram).publish(
        PostContent(text="Sommerferien-Programm #Jugend", media=(image,))
    )
    container, status, publish, _permalink = fake_instagram.requests
    assert (container.method, container.path) == ("POST", "/v21.0/17841400000000000/media")
    assert container.value("image_url") == image.public_url
    assert container.value("caption") == "Sommerferien-Programm #Jugend"
    assert container.value("alt_text") == ALT_TEXT
    assert container.header("authorization") == "Bearer instagram-token"
    assert "access_token" not in container.query
    assert status.value("fields") == "status_code"
    assert publish.path.endswith("/media_publish")
    assert publish.value("creation_id") == status.path.rsplit("/", 1)[-1]
    assert ref.external_id == fake_instagram.created[0]["id"]
    assert ref.url == f"https://www.instagram.com/p/FAKE{ref.external_id}/"


def test_container_in_progress_is_awaited(fake_instagram, image):
    fake_instagram.container_polls = 2
    make_adapter(fake_instagram, timeout=5).publish(PostContent(text="x", media=(image,)))
    assert len(fake_instagram.requests_to(r"/v21.0/\d+$", "GET")) >= 3
    assert fake_instagram.created_count == 1


def test_text_only_post_is_refused_without_a_request(fake_instagram):
    with pytest.raises(PublishError) as caught:
        make_adapter(fake_instagram).publish(PostContent(text="nur Text"))
    assert caught.value.kind is ErrorKind.PERMANENT
    assert fake_instagram.requests == []


def test_image_url_comes_from_the_public_media_setting(fake_instagram, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    path = tmp_path / "posts" / "bild 1.png"
    path.parent.mkdir()
    path.write_bytes(b"\x89PNG")
    item = MediaItem(path=str(path), mime_type="image/png", alt_text="Alternativtext für das Bild")
    with override_settings(PUBLIC_MEDIA_URL="https://social.landkreis.example/media/"):
        make_adapter(fake_instagram).publish(PostContent(text="x", media=(item,)))
    assert (
        fake_instagram.requests[0].value("image_url")
        == "https://social.landkreis.example/media/posts/bild%201.png"
    )


def test_image_outside_media_root_without_public_url_is_refused(fake_instagram, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    item = MediaItem(path="/etc/hostname", mime_type="image/png", alt_text="irgendwas")
    with pytest.raises(PublishError) as caught:
        make_adapter(fake_instagram).publish(PostContent(text="x", media=(item,)))
    assert "LANDKREIS_PUBLIC_MEDIA_URL" in caught.value.message
    assert fake_instagram.requests == []


def test_5xx_while_creating_the_container_is_retryable(fake_instagram, image):
    fake_instagram.fail(500, path=r"/media$")
    with pytest.raises(PublishError) as caught:
        make_adapter(fake_instagram).publish(PostContent(text="x", media=(image,)))
    assert caught.value.kind is ErrorKind.RETRYABLE
    assert not fake_instagram.requests_to(r"/media_publish$")


def test_failing_permalink_lookup_does_not_turn_success_into_an_error(fake_instagram, image):
    fake_instagram.fail(500, path=r"/v21.0/\d+$", method="GET", times=1)
    fake_instagram.container_polls = 0
    # the first GET is the container status: let it pass, fail the permalink lookup instead
    fake_instagram.programs.clear()
    adapter = make_adapter(fake_instagram)
    original = adapter._permalink

    def failing_permalink(media_id):
        fake_instagram.fail(500, path=rf"/v21.0/{media_id}$", method="GET")
        return original(media_id)

    adapter._permalink = failing_permalink
    ref = adapter.publish(PostContent(text="x", media=(image,)))
    assert ref.external_id == fake_instagram.created[0]["id"]
    assert ref.url == ""


def test_delete_is_refused_with_a_hint(fake_instagram):
    with pytest.raises(PublishError) as caught:
        make_adapter(fake_instagram).delete("123")
    assert caught.value.kind is ErrorKind.PERMANENT
    assert "Instagram-App" in caught.value.message
