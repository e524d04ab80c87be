"""Fixtures of the posts tests: live channels for the cast's departments, images, a ready post."""

from __future__ import annotations

import io

import pytest
from PIL import Image


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://social.landkreis.example"


def _channel(kind: str, name: str, departments, *, enabled=True):
    from channels.models import Channel

    channel = Channel.objects.create(kind=kind, name=name, account=f"@{kind}-landkreis", enabled=enabled)
    channel.departments.set(departments)
    return channel


@pytest.fixture
def channels(db, department, other_department):
    """X, Mastodon and Facebook live for the editor's department; a Bluesky channel only for the other
    department; an Instagram channel that is enabled but in no active phase (not live)."""
    from channels.models import RolloutPhase

    phase = RolloutPhase.objects.create(order=0, name="Phase 0", status=RolloutPhase.Status.ACTIVE)
    x = _channel("x", "X Landkreis", [department])
    mastodon = _channel("mastodon", "Mastodon Landkreis", [department])
    facebook = _channel("facebook", "Facebook Landkreis", [department, other_department])
    bluesky = _channel("bluesky", "Bluesky Verkehr", [other_department])
    instagram = _channel("instagram", "Instagram Landkreis", [department])
    phase.channels.set([x, mastodon, facebook, bluesky])
    return {"x": x, "mastodon": mastodon, "facebook": facebook, "bluesky": bluesky, "instagram": instagram}


def image_bytes(fmt="PNG", size=(64, 48), color=(10, 120, 200), **save) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=fmt, **save)
    return buffer.getvalue()


@pytest.fixture
def upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    def make(content: bytes, name="bild.png", content_type="image/png"):
        return SimpleUploadedFile(name, content, content_type=content_type)

    return make


@pytest.fixture
def draft(editor, department, channels):
    from posts.services import post_create

    return post_create(
        actor=editor,
        department=department,
        title="Impftermine im Dezember",
        text="Ab Montag vergibt das Gesundheitsamt neue Impftermine. Mehr unter https://www.lk-row.de/impfen",
        channels=[channels["x"], channels["mastodon"]],
    )


@pytest.fixture
def post_with_image(editor, department, channels):
    """A draft with one PNG (alt text, credit) and one MP4 video with WebVTT captions."""
    import struct

    from django.core.files.uploadedfile import SimpleUploadedFile

    from posts import media
    from posts.services import post_create

    image = media.process_image(SimpleUploadedFile("impfzentrum.png", image_bytes("PNG", size=(640, 480))))
    video_bytes = struct.pack(">I4s4sI", 20, b"ftyp", b"isom", 0) + b"mp41" + struct.pack(">I4s", 8, b"moov")
    video = media.process_video(SimpleUploadedFile("rundgang.mp4", video_bytes))
    video.captions, video.captions_extension = media.process_captions(
        SimpleUploadedFile("rundgang.vtt", b"WEBVTT\n\n00:00.000 --> 00:02.000\nWillkommen\n")
    )
    return post_create(
        actor=editor,
        department=department,
        title="Neues Impfzentrum",
        text="Das neue Impfzentrum in Rotenburg ist ab Montag geöffnet.",
        channels=[channels["x"], channels["facebook"]],
        media_new=[
            (
                image,
                {
                    "alt_text": "Der helle Wartebereich des Impfzentrums mit zwölf Stühlen",
                    "credit": "Foto: Landkreis",
                },
            ),
            (video, {"alt_text": "Rundgang durch das Impfzentrum", "credit": "Video: Landkreis"}),
        ],
    )


@pytest.fixture
def current_guide(db, admin_user):
    from etiquette.services import guide_version_create, guide_version_publish

    version = guide_version_create(actor=admin_user, major=1, body="# Etikette\n\nSachlich bleiben.")
    return guide_version_publish(actor=admin_user, version=version)


@pytest.fixture
def acknowledged(current_guide):
    """``acknowledged(user)``: the user confirms the current etiquette guide (etiquette's service)."""
    from etiquette.services import guide_acknowledge

    def acknowledge(user):
        return guide_acknowledge(actor=user, version=current_guide)

    return acknowledge
