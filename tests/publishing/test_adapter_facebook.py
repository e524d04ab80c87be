"""Facebook pages through facebook-sdk against the fake Graph API."""

from __future__ import annotations

from pathlib import Path

import facebook
import pytest

from channels.networks.base import ErrorKind, PostContent, PublishError

from .conftest import ALT_TEXT, make_adapter


def test_feed_post_with_link_uses_a_current_graph_version(fake_facebook):
    ref = make_adapter(fake_facebook).publish(
        PostContent(text="Corona-Zahlen von heute", link="https://www.lk-row.de/corona")
    )
    (request,) = fake_facebook.requests_to(r"/feed$", "POST")
    assert request.path == "/v21.0/1234567890/feed"
    assert request.value("message") == "Corona-Zahlen von heute"
    assert request.value("link") == "https://www.lk-row.de/corona"
    assert request.value("access_token") == "facebook-page-token"  # in the POST body, not the URL
    assert "access_token" not in request.query
    assert ref.external_id == fake_facebook.created[0]["id"]
    page, post = ref.external_id.split("_")
    assert ref.url == f"https://www.facebook.com/{page}/posts/{post}"
    # The module global stays untouched: routing is per adapter instance.
    assert facebook.FACEBOOK_GRAPH_URL == "https://graph.facebook.com/"


def test_photo_post_uploads_the_file_with_alt_text(fake_facebook, image):
    ref = make_adapter(fake_facebook).publish(
        PostContent(text="Mit Bild", link="https://www.lk-row.de", media=(image,))
    )
    (request,) = fake_facebook.requests_to(r"/photos$", "POST")
    assert request.files["source"]["data"] == Path(image.path).read_bytes()
    assert request.value("message") == "Mit Bild\n\nhttps://www.lk-row.de"
    assert request.value("alt_text_custom") == ALT_TEXT
    assert ref.external_id == fake_facebook.created[0]["id"]


def test_reads_and_deletes_send_the_token_in_a_header_not_the_url(fake_facebook):
    adapter = make_adapter(fake_facebook)
    assert adapter.check_credentials() == "Landkreis Test"
    adapter.delete("1234567890_55")
    for request in fake_facebook.requests:
        assert "access_token" not in request.query
        assert request.header("authorization") == "Bearer facebook-page-token"
    assert fake_facebook.deleted == ["1234567890_55"]


def test_expired_token_code_190_is_a_credentials_problem(fake_facebook):
    fake_facebook.unauthorized(path=r"/feed$")
    with pytest.raises(PublishError) as caught:
        make_adapter(fake_facebook).publish(PostContent(text="x"))
    assert caught.value.credentials_problem
    assert caught.value.kind is ErrorKind.PERMANENT
    assert "Error validating access token" in caught.value.message


def test_transient_graph_error_is_retryable(fake_facebook):
    fake_facebook.program(
        status=500,
        body={
            "error": {
                "message": "An unexpected error has occurred. Please retry your request later.",
                "type": "OAuthException",
                "code": 2,
                "is_transient": True,
            }
        },
        path=r"/feed$",
    )
    with pytest.raises(PublishError) as caught:
        make_adapter(fake_facebook).publish(PostContent(text="x"))
    assert caught.value.kind is ErrorKind.RETRYABLE


def test_permission_error_is_permanent(fake_facebook):
    fake_facebook.program(
        status=403,
        body={
            "error": {
                "message": "(#200) The user hasn't authorized the application",
                "type": "OAuthException",
                "code": 200,
            }
        },
        path=r"/feed$",
    )
    with pytest.raises(PublishError) as caught:
        make_adapter(fake_facebook).publish(PostContent(text="x"))
    assert caught.value.kind is ErrorKind.PERMANENT
    assert not caught.value.credentials_problem


def test_a_token_echoed_by_the_network_is_removed_from_the_message(fake_facebook):
    fake_facebook.fail(400, path=r"/feed$", message="Bad token facebook-page-token in request")
    with pytest.raises(PublishError) as caught:
        make_adapter(fake_facebook).publish(PostContent(text="x"))
    assert "facebook-page-token" not in caught.value.message
    assert "***" in caught.value.message
