"""Who sees and edits which post: outsiders get a 404 on every post URL, and media are private."""

from __future__ import annotations

import pytest
from django.urls import reverse

from posts import selectors
from posts.models import Post


def post_urls(post) -> list[tuple[str, str]]:
    image, video = post.media.order_by("position")
    return [
        ("get", reverse("posts:detail", args=[post.pk])),
        ("get", reverse("posts:edit", args=[post.pk])),
        ("post", reverse("posts:edit", args=[post.pk])),
        ("post", reverse("posts:check_post", args=[post.pk])),
        ("post", reverse("posts:autosave", args=[post.pk])),
        ("post", reverse("posts:submit", args=[post.pk])),
        ("post", reverse("posts:comment_add", args=[post.pk])),
        ("get", reverse("posts:revisions", args=[post.pk])),
        ("get", reverse("posts:media", args=[image.pk])),
        ("get", reverse("posts:media_thumbnail", args=[image.pk])),
        ("get", reverse("posts:media", args=[video.pk])),
        ("get", reverse("posts:media_captions", args=[video.pk])),
    ]


def test_outsider_gets_404_on_every_post_url(client, outsider, post_with_image):
    client.force_login(outsider)
    for method, url in post_urls(post_with_image):
        response = getattr(client, method)(url, {"text": "x", "title": "x"} if method == "post" else None)
        assert response.status_code == 404, (method, url, response.status_code)
    post_with_image.refresh_from_db()
    assert post_with_image.title == "Neues Impfzentrum" and not post_with_image.comments.exists()


def test_outsider_does_not_find_the_post_in_lists_or_calendar(client, outsider, post_with_image):
    client.force_login(outsider)
    assert "Neues Impfzentrum" not in client.get(reverse("posts:list")).content.decode()
    assert "Neues Impfzentrum" not in client.get(reverse("posts:calendar")).content.decode()


def test_anonymous_is_sent_to_the_login(client, post_with_image):
    for method, url in post_urls(post_with_image):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and reverse("login") in response["Location"], url


@pytest.mark.parametrize("who", ["editor", "head", "coordinator", "press", "admin"])
def test_department_staff_and_county_roles_see_the_post(client, cast, who, post_with_image):
    client.force_login(cast[who])
    response = client.get(reverse("posts:detail", args=[post_with_image.pk]))
    assert response.status_code == 200
    assert "Neues Impfzentrum" in response.content.decode()
    image = post_with_image.media.get(kind="image")
    thumb = client.get(reverse("posts:media_thumbnail", args=[image.pk]))
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    assert thumb["Cache-Control"].startswith("private")


def test_press_office_sees_but_does_not_edit(client, press, post_with_image):
    client.force_login(press)
    response = client.get(reverse("posts:edit", args=[post_with_image.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("posts:detail", args=[post_with_image.pk])


def test_media_are_not_served_from_media_url(client, editor, post_with_image):
    client.force_login(editor)
    image = post_with_image.media.get(kind="image")
    assert client.get("/media/" + image.file.name).status_code == 404


def test_signed_public_media_url_works_without_login_and_expires(client, post_with_image, monkeypatch):
    image = post_with_image.media.get(kind="image")
    url = selectors.media_public_url(image)
    assert url.startswith("https://social.landkreis.example/posts/media/public/")
    path = url.removeprefix("https://social.landkreis.example")
    response = client.get(path)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == image.file.open("rb").read()
    assert client.get(path[:-3] + "abc/").status_code == 404  # tampered
    monkeypatch.setattr(selectors, "MEDIA_PUBLIC_MAX_AGE", -1)
    assert client.get(path).status_code == 404  # expired


def test_get_post_for_user_raises_404_for_outsiders_and_unknown_ids(outsider, editor, post_with_image):
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.get_post_for_user(outsider, post_with_image.pk)
    with pytest.raises(Http404):
        selectors.get_post_for_user(editor, 999_999)
    with pytest.raises(Http404):
        selectors.get_post_for_user(editor, "abc")
    assert selectors.get_post_for_user(editor, post_with_image.pk, for_edit=True) == post_with_image
    Post.objects.filter(pk=post_with_image.pk).update(status=Post.Status.IN_REVIEW)
    with pytest.raises(selectors.PostLocked):
        selectors.get_post_for_user(editor, post_with_image.pk, for_edit=True)
