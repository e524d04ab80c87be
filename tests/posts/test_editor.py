"""The editor without JavaScript (save, submit), bad input, the live check endpoint and autosave."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from audit.models import AuditEvent
from posts.models import Media, Post
from tests.posts.conftest import image_bytes
from tests.posts.test_media_validation import gps_exif

TEXT = "Ab Montag vergibt das Gesundheitsamt neue Impftermine im Kreishaus Rotenburg."


def form_data(channel_map, **extra):
    data = {
        "title": "Impftermine",
        "text": TEXT,
        "link": "",
        "channels": [channel_map["x"].pk, channel_map["mastodon"].pk],
        "planned_at": "",
        "action": "save",
    }
    data.update(extra)
    return data


def error_for(html: str, field_id: str) -> str:
    """The text of the error block linked to a field, after checking the field points at it."""
    field = re.search(rf'<[^>]*id="{field_id}"[^>]*>', html)
    assert field, f"{field_id} not in page"
    assert f"{field_id}_error" in field.group(0), f"{field_id} is not linked to its error: {field.group(0)}"
    assert 'aria-invalid="true"' in field.group(0)
    block = re.search(rf'<div id="{field_id}_error"[^>]*>(.*?)</div>', html, re.S)
    return re.sub(r"<[^>]+>", "", block.group(1))


def test_new_draft_is_saved_without_javascript(client, editor, channels):
    client.force_login(editor)
    page = client.get(reverse("posts:create"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Zur Freigabe einreichen" in html and "Speichern" in html
    # Only the live channels of the editor's department are offered.
    assert "X Landkreis" in html and "Mastodon Landkreis" in html and "Facebook Landkreis" in html
    assert "Bluesky Verkehr" not in html and "Instagram Landkreis" not in html
    assert 'type="datetime-local"' in html

    response = client.post(reverse("posts:create"), form_data(channels))
    post = Post.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("posts:edit", args=[post.pk])
    assert post.text == TEXT and post.status == Post.Status.DRAFT and post.author == editor
    assert set(post.channels.values_list("name", flat=True)) == {"X Landkreis", "Mastodon Landkreis"}


def test_unknown_channel_gives_a_german_error_and_keeps_the_text(client, editor, channels):
    client.force_login(editor)
    response = client.post(
        reverse("posts:create"), form_data(channels, channels=[channels["x"].pk, channels["bluesky"].pk])
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "ist kein Kanal, den Ihr Fachbereich nutzen darf" in html
    assert TEXT in html
    assert not Post.objects.exists()
    response = client.post(reverse("posts:create"), form_data(channels, channels=["abc"]))
    assert response.status_code == 422 and not Post.objects.exists()


def test_planned_time_in_the_past_is_refused_next_to_the_field(client, editor, channels):
    client.force_login(editor)
    past = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(reverse("posts:create"), form_data(channels, planned_at=past))
    html = response.content.decode()
    assert response.status_code == 422
    assert "liegt in der Vergangenheit" in error_for(html, "id_planned_at")
    assert TEXT in html and not Post.objects.exists()
    response = client.post(reverse("posts:create"), form_data(channels, planned_at="morgen früh"))
    assert "Bitte geben Sie Datum und Uhrzeit ein" in error_for(response.content.decode(), "id_planned_at")


def test_planned_time_is_read_as_berlin_time(client, editor, channels):
    client.force_login(editor)
    client.post(reverse("posts:create"), form_data(channels, planned_at="2031-07-01T09:30"))
    planned = Post.objects.get().planned_at
    assert planned.isoformat() == "2031-07-01T07:30:00+00:00"


def test_overlong_text_is_refused_with_the_networks_count(client, editor, channels):
    client.force_login(editor)
    long_text = "Impfen schützt. " * 20  # 320 characters: fine for Mastodon (500), too long for X (280)
    response = client.post(reverse("posts:create"), form_data(channels, text=long_text))
    html = response.content.decode()
    assert response.status_code == 422
    message = error_for(html, "id_text")
    assert "Zu lang für X Landkreis" in message and "280" in message
    assert "Mastodon" not in message
    assert long_text.strip() in html
    # An own, shorter text for X makes it fit.
    response = client.post(
        reverse("posts:create"),
        form_data(channels, text=long_text, **{f"variant_{channels['x'].pk}": "Impfen schützt."}),
    )
    assert response.status_code == 302
    assert Post.objects.get().variants.get().text == "Impfen schützt."


def test_a_50_mb_upload_gives_an_error_next_to_the_field(client, editor, channels, settings):
    settings.UPLOAD_MAX_IMAGE_BYTES = 8 * 1024 * 1024
    client.force_login(editor)
    big = SimpleUploadedFile("riesig.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * (50 * 1024 * 1024))
    response = client.post(
        reverse("posts:create"),
        form_data(channels, media_file=big, media_alt_text="Ein großes Bild vom Kreishaus"),
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "höchstens 8,0" in error_for(html, "id_media_file")
    assert TEXT in html and "Ein großes Bild vom Kreishaus" in html
    assert not Post.objects.exists() and not Media.objects.exists()


def test_a_text_file_named_jpg_gives_an_error_next_to_the_field(client, editor, channels):
    client.force_login(editor)
    fake = SimpleUploadedFile("foto.jpg", b"kein Bild\n" * 100, content_type="image/jpeg")
    response = client.post(
        reverse("posts:create"), form_data(channels, media_file=fake, media_alt_text="Alt")
    )
    assert response.status_code == 422
    assert "kein JPEG-, PNG- oder WebP-Bild" in error_for(response.content.decode(), "id_media_file")


def test_an_image_needs_alt_text(client, editor, channels):
    client.force_login(editor)
    image = SimpleUploadedFile("bild.png", image_bytes("PNG"))
    response = client.post(reverse("posts:create"), form_data(channels, media_file=image))
    assert response.status_code == 422
    assert "Bitte beschreiben Sie das Bild" in error_for(response.content.decode(), "id_media_alt_text")


def test_an_uploaded_image_is_stored_privately_without_gps(client, editor, channels):
    client.force_login(editor)
    png = image_bytes("PNG", size=(800, 600), exif=gps_exif())
    response = client.post(
        reverse("posts:create"),
        form_data(
            channels,
            media_file=SimpleUploadedFile("IMG_0001.png", png),
            media_alt_text="Zwei Pflegekräfte im Impfzentrum geben Terminkarten aus",
            media_credit="Foto: Landkreis",
        ),
    )
    assert response.status_code == 302
    medium = Media.objects.get()
    assert (medium.kind, medium.width, medium.height, medium.mime_type) == ("image", 800, 600, "image/png")
    assert medium.original_name == "IMG_0001.png" and "IMG_0001" not in medium.file.name
    with Image.open(medium.file.path) as stored:
        assert not stored.getexif().get_ifd(0x8825)
    with Image.open(medium.thumbnail.path) as thumb:
        assert max(thumb.size) == 480
    edit = client.get(reverse("posts:edit", args=[medium.post_id])).content.decode()
    assert reverse("posts:media_thumbnail", args=[medium.pk]) in edit
    assert "Zwei Pflegekräfte im Impfzentrum" in edit


def test_a_video_needs_captions(client, editor, channels):
    from tests.posts.test_media_validation import mp4_bytes

    client.force_login(editor)
    video = SimpleUploadedFile("film.mp4", mp4_bytes(), content_type="video/mp4")
    response = client.post(reverse("posts:create"), form_data(channels, media_file=video))
    assert response.status_code == 422
    assert "Untertitel" in error_for(response.content.decode(), "id_media_captions")
    video.seek(0)
    captions = SimpleUploadedFile("film.vtt", b"WEBVTT\n\n00:00.000 --> 00:01.000\nHallo\n")
    response = client.post(
        reverse("posts:create"), form_data(channels, media_file=video, media_captions=captions)
    )
    assert response.status_code == 302
    medium = Media.objects.get()
    assert medium.kind == "video" and medium.captions.name.endswith(".vtt")


def test_editing_media_details_and_removing_a_medium(
    client, editor, post_with_image, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    image, video = post_with_image.media.order_by("position")
    data = {
        "title": post_with_image.title,
        "text": post_with_image.text,
        "channels": list(post_with_image.channels.values_list("pk", flat=True)),
        "media-TOTAL_FORMS": "2",
        "media-INITIAL_FORMS": "2",
        "media-MIN_NUM_FORMS": "0",
        "media-MAX_NUM_FORMS": "1000",
        "media-0-id": image.pk,
        "media-0-alt_text": "Der Wartebereich mit zwölf blauen Stühlen",
        "media-0-credit": "Foto: Landkreis Rotenburg",
        "media-0-shows_people": "on",
        "media-1-id": video.pk,
        "media-1-alt_text": video.alt_text,
        "media-1-credit": video.credit,
        "media-1-DELETE": "on",
        "action": "save",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("posts:edit", args=[post_with_image.pk]), data)
    assert response.status_code == 302
    image.refresh_from_db()
    assert image.alt_text == "Der Wartebereich mit zwölf blauen Stühlen" and image.shows_people
    assert list(post_with_image.media.all()) == [image]
    assert not video.file.storage.exists(video.file.name)


def test_check_endpoint_counts_the_networks_way_and_renders_previews(client, editor, channels):
    client.force_login(editor)
    url = "https://www.lk-row.de/gesundheit/impfen/termine-im-dezember-2026-fuer-alle-altersgruppen"
    text = f"Neue Impftermine: {url}"
    response = client.post(
        reverse("posts:check"),
        {
            "department": editor.memberships.get().department_id,
            "text": text,
            "channels": [channels["x"].pk, channels["mastodon"].pk],
        },
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    # X and Mastodon count a URL as 23 characters: 18 + 23 = 41 (the text has 106 code points).
    assert len(text) == 106
    assert html.count("41 von 280") == 1 and html.count("41 von 500") == 1
    assert 'class="preview preview--x' in html and 'class="preview preview--mastodon' in html
    assert "<html" not in html  # a fragment, not a page
    assert Post.objects.count() == 0


def test_check_endpoint_shows_blocking_findings_highlighted(client, editor, channels):
    client.force_login(editor)
    text = "Rufen Sie uns an: 0171 2345678 oder schreiben Sie an max.mustermann@gmail.com"
    response = client.post(
        reverse("posts:check"),
        {
            "department": editor.memberships.get().department_id,
            "text": text,
            "channels": [channels["mastodon"].pk],
        },
    )
    html = response.content.decode()
    assert "personal_data" in html or "personenbezogen" in html.lower()
    assert "<mark" in html
    assert "vor dem Einreichen behoben werden" in html


def test_check_endpoint_is_only_for_the_departments_staff(client, outsider, department, channels):
    client.force_login(outsider)
    response = client.post(reverse("posts:check"), {"department": department.pk, "text": "x"})
    assert response.status_code == 404


def test_autosave_stores_a_draft_while_typing(client, editor, draft, channels):
    client.force_login(editor)
    response = client.post(
        reverse("posts:autosave", args=[draft.pk]),
        {
            "title": draft.title,
            "text": "Halb fertiger Satz, noch nicht gesp",
            "link": "kein link ://",
            "channels": [channels["x"].pk],
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "automatisch gespeichert" in response.content.decode()
    assert "Link" in response.content.decode()  # the invalid link was not saved, and it says so
    draft.refresh_from_db()
    assert draft.text == "Halb fertiger Satz, noch nicht gesp" and draft.link == ""
    event = AuditEvent.objects.filter(post_id=draft.pk, verb="post.autosaved").get()
    assert event.after == {"fields": ["text"]}
    assert not draft.revisions.exists()


def test_autosave_refuses_a_locked_post(client, editor, draft, acknowledged):
    from posts.services import post_submit

    acknowledged(editor)
    post_submit(actor=editor, post=draft)
    client.force_login(editor)
    response = client.post(reverse("posts:autosave", args=[draft.pk]), {"title": "x", "text": "geändert"})
    assert response.status_code == 409
    draft.refresh_from_db()
    assert draft.text != "geändert"


def test_submit_from_the_editor_and_the_lock_afterwards(client, editor, channels, acknowledged):
    acknowledged(editor)
    client.force_login(editor)
    response = client.post(reverse("posts:create"), form_data(channels, action="submit"))
    post = Post.objects.get()
    assert response["Location"] == reverse("posts:detail", args=[post.pk])
    assert post.status == Post.Status.IN_REVIEW
    detail = client.get(response["Location"]).content.decode()
    assert "Zur Freigabe eingereicht" in detail
    edit = client.get(reverse("posts:edit", args=[post.pk]))
    assert edit.status_code == 302 and edit["Location"] == reverse("posts:detail", args=[post.pk])
    response = client.post(reverse("posts:edit", args=[post.pk]), form_data(channels, text="Nachträglich"))
    post.refresh_from_db()
    assert post.text == TEXT


def test_submit_blocked_by_findings_keeps_the_draft_and_shows_them(client, editor, channels, acknowledged):
    acknowledged(editor)
    client.force_login(editor)
    text = "Fragen? Schreiben Sie an max.mustermann@gmail.com oder rufen Sie 0171 2345678 an."
    response = client.post(reverse("posts:create"), form_data(channels, text=text, action="submit"))
    post = Post.objects.get()
    assert response["Location"] == reverse("posts:edit", args=[post.pk])
    assert post.status == Post.Status.DRAFT and post.text == text
    page = client.get(response["Location"]).content.decode()
    assert "Etikette-Prüfung" in page and "<mark" in page


def test_submit_without_acknowledged_guide_is_refused_with_a_message(client, editor, draft, current_guide):
    client.force_login(editor)
    response = client.post(reverse("posts:submit", args=[draft.pk]), follow=True)
    assert "Etikette" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Post.Status.DRAFT


@pytest.mark.parametrize("field", ["text", "title"])
def test_html_in_the_text_is_escaped_everywhere(client, editor, draft, field):
    client.force_login(editor)
    from posts.services import post_update

    post_update(actor=editor, post=draft, **{field: "<script>alert(1)</script>"})
    for url in (
        reverse("posts:detail", args=[draft.pk]),
        reverse("posts:edit", args=[draft.pk]),
        reverse("posts:list"),
    ):
        assert "<script>alert(1)</script>" not in client.get(url).content.decode()


def test_editor_reminds_of_an_unacknowledged_guide(client, editor, channels, acknowledged):
    client.force_login(editor)
    assert 'id="guide-notice"' in client.get(reverse("posts:create")).content.decode()
    acknowledged(editor)
    assert 'id="guide-notice"' not in client.get(reverse("posts:create")).content.decode()
