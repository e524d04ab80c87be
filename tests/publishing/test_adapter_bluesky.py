"""Bluesky through atproto against the fake PDS: session reuse, facets, images."""

from __future__ import annotations

from pathlib import Path

import pytest

from channels.networks.base import ErrorKind, PostContent, PublishError

from .conftest import ALT_TEXT, make_adapter


def test_post_has_language_and_link_and_hashtag_facets_with_utf8_byte_offsets(fake_bluesky):
    text = "Grüße aus Rotenburg! #Landkreis"
    link = "https://www.lk-row.de/ferien"
    ref = make_adapter(fake_bluesky).publish(PostContent(text=text, link=link))
    (request,) = fake_bluesky.requests_to(r"createRecord$")
    record = request.json["record"]
    assert request.json["repo"] == fake_bluesky.did
    assert request.json["collection"] == "app.bsky.feed.post"
    assert record["text"] == f"{text}\n\n{link}"
    assert record["langs"] == ["de"]
    encoded = record["text"].encode("utf-8")
    features = {}
    for facet in record["facets"]:
        start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
        feature = facet["features"][0]
        features[feature["$type"]] = (encoded[start:end].decode(), feature)
    assert features["app.bsky.richtext.facet#tag"][0] == "#Landkreis"
    assert features["app.bsky.richtext.facet#tag"][1]["tag"] == "Landkreis"
    assert features["app.bsky.richtext.facet#link"][0] == link
    assert features["app.bsky.richtext.facet#link"][1]["uri"] == link
    rkey = fake_bluesky.created[0]["uri"].rsplit("/", 1)[-1]
    assert ref.external_id == fake_bluesky.created[0]["uri"]
    assert ref.url == f"https://bsky.app/profile/landkreis.test/post/{rkey}"
    assert request.header("authorization").startswith("Bearer ")


def test_session_is_handed_out_for_storage_and_reused_instead_of_logging_in_again(fake_bluesky):
    stored: list[str] = []
    make_adapter(fake_bluesky, sessions=stored).publish(PostContent(text="erster Beitrag"))
    assert fake_bluesky.sessions_created == 1
    assert len(stored) == 1 and "landkreis.test" in stored[0]
    # The next adapter (next task, next process) starts from the stored session string.
    again: list[str] = []
    make_adapter(fake_bluesky, sessions=again, session=stored[-1]).publish(
        PostContent(text="zweiter Beitrag")
    )
    assert fake_bluesky.sessions_created == 1
    assert again == []  # nothing new to store
    assert fake_bluesky.created_count == 2


def test_an_expired_stored_session_is_replaced_by_one_new_login(fake_bluesky):
    stored: list[str] = []
    make_adapter(fake_bluesky, sessions=stored).publish(PostContent(text="eins"))
    fake_bluesky.expire_all_sessions()
    renewed: list[str] = []
    make_adapter(fake_bluesky, sessions=renewed, session=stored[-1]).publish(PostContent(text="zwei"))
    assert fake_bluesky.sessions_created == 2
    assert len(renewed) == 1 and renewed[0] != stored[-1]
    assert [p["record"]["text"] for p in fake_bluesky.created] == ["eins", "zwei"]


def test_a_session_for_another_server_is_not_used(fake_bluesky):
    from tests.fakes.bluesky import FakeBluesky

    with FakeBluesky() as other:
        stored: list[str] = []
        make_adapter(other, sessions=stored).publish(PostContent(text="woanders"))
    make_adapter(fake_bluesky, session=stored[-1]).publish(PostContent(text="hier"))
    assert fake_bluesky.sessions_created == 1  # logged in here instead of sending the foreign token


def test_image_is_uploaded_as_blob_with_alt_text_and_aspect_ratio(fake_bluesky, image):
    make_adapter(fake_bluesky).publish(PostContent(text="Mit Bild", media=(image,)))
    (upload,) = fake_bluesky.requests_to(r"uploadBlob$")
    assert upload.body == Path(image.path).read_bytes()
    record = fake_bluesky.created[0]["record"]
    embedded = record["embed"]["images"][0]
    assert record["embed"]["$type"] == "app.bsky.embed.images"
    assert embedded["alt"] == ALT_TEXT
    assert embedded["image"]["ref"]["$link"] in fake_bluesky.blobs
    assert (embedded["aspectRatio"]["width"], embedded["aspectRatio"]["height"]) == (64, 32)


def test_wrong_app_password_is_a_credentials_problem(fake_bluesky):
    adapter = make_adapter(fake_bluesky)
    adapter.config.credentials["app_password"] = "aaaa-bbbb-cccc-dddd"
    with pytest.raises(PublishError) as caught:
        adapter.publish(PostContent(text="x"))
    assert caught.value.credentials_problem
    assert "aaaa-bbbb-cccc-dddd" not in str(caught.value)
    assert fake_bluesky.created_count == 0


def test_login_rate_limit_is_retryable_with_the_reset(fake_bluesky):
    fake_bluesky.rate_limit(reset_in=300, path=r"createSession$")
    with pytest.raises(PublishError) as caught:
        make_adapter(fake_bluesky).publish(PostContent(text="x"))
    assert caught.value.kind is ErrorKind.RETRYABLE
    assert 280 <= caught.value.retry_after <= 301


def test_blob_upload_5xx_is_retryable(fake_bluesky, image):
    fake_bluesky.fail(500, path=r"uploadBlob$")
    with pytest.raises(PublishError) as caught:
        make_adapter(fake_bluesky).publish(PostContent(text="x", media=(image,)))
    assert caught.value.kind is ErrorKind.RETRYABLE
    assert fake_bluesky.created_count == 0


def test_delete_removes_the_record(fake_bluesky):
    adapter = make_adapter(fake_bluesky)
    ref = adapter.publish(PostContent(text="weg"))
    adapter.delete(ref.external_id)
    assert fake_bluesky.deleted == [ref.external_id]
