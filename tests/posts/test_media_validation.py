"""Uploads are identified by content, size-limited, bomb-checked and stripped of EXIF location data."""

from __future__ import annotations

import io
import struct

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from posts import media
from tests.posts.conftest import image_bytes

GPS_IFD = 0x8825


def gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Kamerahersteller"  # Make
    exif[0x0112] = 1  # Orientation
    exif[GPS_IFD] = {
        1: "N",
        2: (53.0, 6.0, 30.0),  # latitude of Rotenburg (Wümme)
        3: "E",
        4: (9.0, 24.0, 0.0),
    }
    return exif


def mp4_bytes(*, with_moov=True, brand=b"isom") -> bytes:
    ftyp = struct.pack(">I4s4sI", 20, b"ftyp", brand, 0) + b"mp41"
    mdat = struct.pack(">I4s", 16, b"mdat") + b"\x00" * 8
    moov = struct.pack(">I4s", 16, b"moov") + struct.pack(">I4s", 8, b"mvhd")
    return ftyp + mdat + (moov if with_moov else b"")


def test_a_text_file_renamed_to_jpg_is_refused_in_german():
    upload = SimpleUploadedFile("foto.jpg", b"Das ist kein Bild, nur Text.\n" * 20, content_type="image/jpeg")
    with pytest.raises(ValidationError) as caught:
        media.process_image(upload)
    assert caught.value.code == "invalid_image"
    assert "kein JPEG-, PNG- oder WebP-Bild" in caught.value.messages[0]


def test_a_50_mb_upload_is_refused_before_it_is_decoded(settings):
    settings.UPLOAD_MAX_IMAGE_BYTES = 8 * 1024 * 1024
    upload = SimpleUploadedFile("gross.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * (50 * 1024 * 1024))
    with pytest.raises(ValidationError) as caught:
        media.process_image(upload)
    assert caught.value.code == "too_large"
    assert "50,0\xa0MB" in caught.value.messages[0] and "8,0\xa0MB" in caught.value.messages[0]


def test_a_decompression_bomb_is_refused_from_its_header():
    # 10,000 × 10,000 one-bit pixels: a few kilobytes on disk, 100 megapixels when decoded.
    buffer = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(buffer, format="PNG")
    assert buffer.tell() < 200_000
    with pytest.raises(ValidationError) as caught:
        media.process_image(SimpleUploadedFile("bombe.png", buffer.getvalue()))
    assert caught.value.code == "too_many_pixels"


def test_a_huge_declared_size_beyond_pillows_own_limit_is_refused_too():
    # A PNG header that claims 100,000 × 100,000 pixels (Pillow raises DecompressionBombError itself).
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(b"\x00")) + chunk(b"IEND", b"")
    with pytest.raises(ValidationError) as caught:
        media.process_image(SimpleUploadedFile("bombe.png", png))
    assert caught.value.code == "too_many_pixels"


def test_a_png_with_exif_gps_is_stored_without_it():
    source = image_bytes("PNG", exif=gps_exif())
    with Image.open(io.BytesIO(source)) as original:
        assert original.getexif().get_ifd(GPS_IFD), "the test image must carry GPS data"
    processed = media.process_image(SimpleUploadedFile("ort.png", source))
    stored = processed.content.read()
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "PNG"
        assert image.size == (64, 48)
        assert not image.getexif().get_ifd(GPS_IFD)
        assert len(image.getexif()) == 0
    assert b"eXIf" not in stored and b"Kamerahersteller" not in stored
    assert processed.mime_type == "image/png" and processed.extension == "png"


def test_a_jpeg_is_turned_upright_and_loses_its_gps():
    exif = gps_exif()
    exif[0x0112] = 6  # rotated 90° clockwise: the stored pixels are sideways
    source = image_bytes("JPEG", size=(80, 40), exif=exif)
    processed = media.process_image(SimpleUploadedFile("handy.jpg", source))
    with Image.open(io.BytesIO(processed.content.read())) as image:
        assert image.size == (40, 80)
        assert not image.getexif().get_ifd(GPS_IFD)
    assert (processed.width, processed.height) == (40, 80)
    with Image.open(io.BytesIO(processed.thumbnail.read())) as thumb:
        assert thumb.format == "JPEG" and max(thumb.size) <= 480


def test_webp_is_accepted_and_gif_is_not():
    processed = media.process_image(SimpleUploadedFile("x.webp", image_bytes("WEBP")))
    assert processed.mime_type == "image/webp"
    with pytest.raises(ValidationError):
        media.process_image(SimpleUploadedFile("x.gif", image_bytes("GIF")))


def test_a_truncated_image_is_refused():
    source = image_bytes("PNG", size=(200, 200))
    with pytest.raises(ValidationError) as caught:
        media.process_image(SimpleUploadedFile("kaputt.png", source[: len(source) // 2]))
    assert caught.value.code == "invalid_image"


def test_an_mp4_needs_a_movie_box():
    assert media.process_video(SimpleUploadedFile("film.mp4", mp4_bytes())).mime_type == "video/mp4"
    with pytest.raises(ValidationError) as caught:
        media.process_video(SimpleUploadedFile("film.mp4", mp4_bytes(with_moov=False)))
    assert caught.value.code == "invalid_video"
    with pytest.raises(ValidationError):
        media.process_video(SimpleUploadedFile("film.mov", mp4_bytes(brand=b"qt  ")))


def test_a_video_over_the_limit_is_refused(settings):
    settings.UPLOAD_MAX_VIDEO_BYTES = 1000
    with pytest.raises(ValidationError) as caught:
        media.process_video(SimpleUploadedFile("film.mp4", mp4_bytes() + b"\x00" * 2000))
    assert caught.value.code == "too_large"


@pytest.mark.parametrize(
    ("content", "extension"),
    [
        ("WEBVTT\n\n00:00.000 --> 00:02.000\nHallo\n", "vtt"),
        ("\ufeff1\n00:00:00,000 --> 00:00:02,000\nHallo\n", "srt"),
    ],
)
def test_captions_are_webvtt_or_srt(content, extension):
    stored, found = media.process_captions(SimpleUploadedFile("untertitel", content.encode("utf-8")))
    assert found == extension
    assert stored.read().decode("utf-8").strip().endswith("Hallo")


@pytest.mark.parametrize("content", [b"WEBVTT\n\nkein Zeitstempel\n", b"\xff\xfe\x00garbage", b"Hallo Welt"])
def test_other_captions_files_are_refused(content):
    with pytest.raises(ValidationError) as caught:
        media.process_captions(SimpleUploadedFile("untertitel.vtt", content))
    assert caught.value.code == "invalid_captions"
