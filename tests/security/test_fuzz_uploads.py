"""Fuzzing the uploads: damaged, disguised and hostile files give a German error next to the field,
never a server error, and what was typed stays in the form.

Two layers. The checks themselves (``posts.media``) get many examples, fast, without HTTP: real
JPEG/PNG/WebP/GIF/TIFF images and MP4 boxes, cut off, overwritten and padded by hypothesis, plus random
bytes; the only exception they may raise is Django's ``ValidationError``. Then the editor's form, over
the test client, gets fewer examples of the same files with random names and content types.
``FUZZ_EXAMPLES`` scales both (default 12; the media layer runs 25× as many).
"""

from __future__ import annotations

import io
import os
import re
import struct
import zlib

import pytest
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from posts import media
from posts.models import Media, Post

from .world import default_world, request_in_savepoint

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
SETTINGS = {
    "deadline": None,
    "database": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}


def image(fmt: str, size=(40, 30), mode="RGB", **save) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, (200, 30, 30) if mode == "RGB" else 120).save(buffer, format=fmt, **save)
    return buffer.getvalue()


def jpeg_with_orientation(orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x8825] = {1: "N", 2: (52.0, 31.0, 0.0)}  # GPS
    return image("JPEG", exif=exif.tobytes())


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int) -> bytes:
    """A PNG header that claims a huge image (a decompression bomb's first bytes)."""
    header = png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    body = png_chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + png_chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + header + body


def mp4_boxes(*boxes: tuple[int, bytes, bytes]) -> bytes:
    return b"".join(struct.pack(">I4s", size, kind) + rest for size, kind, rest in boxes)


SEEDS = [
    image("PNG"),
    image("PNG", mode="LA"),
    image("PNG", mode="I;16"),
    image("JPEG"),
    image("JPEG", mode="CMYK"),
    jpeg_with_orientation(6),
    jpeg_with_orientation(9),  # no such orientation
    image("WEBP"),
    image("GIF", mode="P"),
    image("TIFF"),
    image("BMP"),
    image("PNG", size=(4, 4)),
    png_claiming(100_000, 100_000),
    png_claiming(0, 0),
    mp4_boxes((20, b"ftyp", b"isom\x00\x00\x00\x00mp41"), (8, b"moov", b"")),
    mp4_boxes((20, b"ftyp", b"qt  \x00\x00\x00\x00qt  "), (8, b"moov", b"")),
    mp4_boxes((20, b"ftyp", b"isom\x00\x00\x00\x00mp41"), (1, b"mdat", struct.pack(">Q", 2**63))),
    mp4_boxes((20, b"ftyp", b"isom\x00\x00\x00\x00mp41"), (0, b"mdat", b"")),
    mp4_boxes((20, b"ftyp", b"isom\x00\x00\x00\x00mp41"), (3, b"free", b"")),
    b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
    b"GIF89a" + b"\x00" * 20,
    b"",
]


@st.composite
def damaged_files(draw) -> bytes:
    """A real file (or random bytes), then cut, overwritten or padded."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=2048))
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(0, 3))):
        operation = draw(st.sampled_from(["cut", "overwrite", "insert", "keep"]))
        position = draw(st.integers(0, max(0, len(data))))
        if operation == "cut":
            del data[position:]
        elif operation == "overwrite":
            chunk = draw(st.binary(min_size=1, max_size=16))
            data[position : position + len(chunk)] = chunk
        elif operation == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=64))
    return bytes(data)


CAPTIONS = st.one_of(
    st.binary(max_size=512),
    st.text(max_size=300).map(lambda t: ("WEBVTT\n\n" + t).encode("utf-8", "surrogatepass")),
    st.sampled_from(
        [
            b"WEBVTT\n\n00:00.000 --> 00:02.000\n<script>alert(1)</script>\n",
            b"1\n00:00:01,000 --> 00:00:02,000\nHallo\n",
            b"\xff\xfeW\x00E\x00B\x00",
            b"WEBVTT\n\n99:99.999 --> 00:00.000\n",
            b"",
        ]
    ),
)


# --- the checks in posts.media ---------------------------------------------------------------------------


@settings(max_examples=EXAMPLES * 25, **SETTINGS)
@given(content=damaged_files(), name=st.text(max_size=40))
def test_media_checks_raise_only_validation_errors(content, name):
    try:
        upload = SimpleUploadedFile(name or "datei", content)
    except SuspiciousFileOperation:  # names like "/" never get this far: Django's upload parser drops them
        upload = SimpleUploadedFile("datei", content)
    for check in (media.process_image, media.process_video):
        try:
            processed = check(upload)
        except ValidationError as error:
            messages = error.messages
            assert messages and all(message.strip() for message in messages)
            continue
        if processed.kind == "image":  # what is stored is a fresh image without EXIF
            with Image.open(io.BytesIO(processed.content.read())) as stored:
                stored.load()
                assert not stored.getexif(), "EXIF kept"
                assert stored.width * stored.height <= media.MAX_IMAGE_PIXELS


@settings(max_examples=EXAMPLES * 25, **SETTINGS)
@given(content=CAPTIONS)
def test_captions_check_raises_only_validation_errors(content):
    try:
        stored, extension = media.process_captions(SimpleUploadedFile("untertitel.vtt", content))
    except ValidationError:
        return
    assert extension in ("vtt", "srt")
    stored.read().decode("utf-8")


def test_the_bomb_and_the_gps_position_are_stopped():
    with pytest.raises(ValidationError, match="Megapixel"):
        media.process_image(SimpleUploadedFile("bombe.png", png_claiming(100_000, 100_000)))
    processed = media.process_image(SimpleUploadedFile("foto.jpg", jpeg_with_orientation(6)))
    with Image.open(io.BytesIO(processed.content.read())) as stored:
        assert not stored.getexif() and (stored.width, stored.height) == (30, 40)  # turned upright


# --- the editor's form -----------------------------------------------------------------------------------


@pytest.fixture
def world(cast, department, other_department, settings, tmp_path):
    settings.UPLOAD_MAX_IMAGE_BYTES = 200_000  # small limits: "too large" is one of the outcomes
    settings.UPLOAD_MAX_VIDEO_BYTES = 200_000
    return default_world(cast, department, other_department, settings, tmp_path)


TYPED_TITLE = "Sommerfest im Kreishaus"
TYPED_TEXT = "Am Samstag feiern wir im Kreishaus. Alle sind eingeladen!"


def error_of(html: str, field: str) -> str:
    match = re.search(rf'<div id="id_{field}_error" class="invalid-feedback[^"]*">(.*?)</div>', html, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", match.group(1))).strip() if match else ""


@pytest.mark.slow
def test_editor_upload_never_fails_and_keeps_the_text(client, world):
    editor = world["cast"]["editor"]
    department = world["objects"]["own"]["department"]
    client.force_login(editor)
    names = st.one_of(
        st.sampled_from(
            ["bild.png", "foto.JPG", "film.mp4", "../../etc/passwd", "a" * 300 + ".png", "x", ".png"]
        ),
        st.text(
            st.characters(exclude_categories=("Cs",), exclude_characters='\x00\r\n"\\/'),
            min_size=1,
            max_size=30,
        ).filter(lambda name: name not in (".", "..")),  # Django's upload parser drops these names
    )
    types = st.sampled_from(
        ["image/png", "image/jpeg", "video/mp4", "text/html", "application/octet-stream", ""]
    )

    @settings(max_examples=EXAMPLES * 4, **SETTINGS)
    @given(
        content=damaged_files(),
        name=names,
        content_type=types,
        captions=st.one_of(st.none(), CAPTIONS),
        alt_text=st.sampled_from(["", "Zwei Menschen vor dem Kreishaus in Rotenburg", "x" * 2001]),
    )
    def send(content, name, content_type, captions, alt_text):
        data = {
            "department": department.pk,
            "title": TYPED_TITLE,
            "text": TYPED_TEXT,
            "channels": [c.pk for c in world["channels"]],
            "media_file": SimpleUploadedFile(
                name, content, content_type=content_type or "application/octet-stream"
            ),
            "media_alt_text": alt_text,
            "media_credit": "Foto: Landkreis",
            "media-TOTAL_FORMS": "0",
            "media-INITIAL_FORMS": "0",
        }
        if captions is not None:
            data["media_captions"] = SimpleUploadedFile("untertitel.vtt", captions, content_type="text/vtt")
        before = Post.objects.count()
        response = request_in_savepoint(client, "POST", "/posts/new/", data)
        assert response.status_code in (302, 422), response.status_code
        assert Post.objects.count() == before  # rolled back either way
        if response.status_code == 422:
            html = response.content.decode()
            assert f'value="{TYPED_TITLE}"' in html and TYPED_TEXT in html
            message = " ".join(error_of(html, f) for f in ("media_file", "media_captions", "media_alt_text"))
            assert message, "no message next to an upload field"
            assert "Fehler:" in message, message  # German, announced as an error to screen readers
            assert not re.search(r"\b(the|must|invalid|please|file|image|not)\b", message, re.I), message

    send()


def test_a_file_name_cannot_choose_where_the_file_is_stored(client, world, settings):
    editor = world["cast"]["editor"]
    client.force_login(editor)
    response = client.post(
        "/posts/new/",
        {
            "department": world["objects"]["own"]["department"].pk,
            "title": TYPED_TITLE,
            "text": TYPED_TEXT,
            "media_file": SimpleUploadedFile(
                "../../../../tmp/boese.png", image("PNG"), content_type="image/png"
            ),
            "media_alt_text": "Ein rotes Rechteck auf weißem Grund",
            "media_credit": "Grafik: Landkreis",
            "media-TOTAL_FORMS": "0",
            "media-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    stored = Media.objects.latest("pk")
    assert re.fullmatch(r"posts/\d+/[0-9a-f]{32}\.png", stored.file.name)
    assert os.path.realpath(stored.file.path).startswith(os.path.realpath(settings.MEDIA_ROOT))
    assert stored.original_name == "boese.png" or ".." not in stored.file.name


# --- memory: what one upload may cost a worker ------------------------------------------------------------

MEASURE = r"""
import json, os, sys
import django
django.setup()
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from posts import media

def status(field):
    with open("/proc/self/status") as lines:
        return next(int(line.split()[1]) * 1024 for line in lines if line.startswith(field + ":"))

def rss():
    return status("VmRSS")

import io
from PIL import Image
warm = io.BytesIO()
Image.new("RGB", (64, 48)).save(warm, format="PNG")
media.process_image(SimpleUploadedFile("warm.png", warm.getvalue()))  # a warm worker: plugins, catalogues
with open(sys.argv[1], "rb") as file:
    upload = SimpleUploadedFile(os.path.basename(sys.argv[1]), file.read())
before = rss()
with open("/proc/self/clear_refs", "w") as clear:
    clear.write("5")  # resets the peak (VmHWM) to the current RSS: the start-up's peak does not count

def handle():  # as a request in a threaded web worker or a Celery thread
    global outcome
    try:
        processed = media.process_image(upload)
        outcome = f"stored {processed.width}x{processed.height}"
    except ValidationError as error:
        outcome = error.messages[0]

import threading
for _ in range(2):
    thread = threading.Thread(target=handle)
    thread.start()
    thread.join()
upload = None
peak = status("VmHWM")
print(json.dumps({"before": before, "peak": peak, "after": rss(), "outcome": outcome}))
"""
MIB = 1024 * 1024


def upload_memory(path) -> dict:
    """Process one file in a fresh interpreter: its RSS before, at the peak and after (bytes)."""
    import json
    import subprocess
    import sys

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "landkreis_social.settings_test"}
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def png_16bit_rgba(path, side: int) -> None:
    """A one-colour PNG, ``side`` × ``side`` pixels, 16 bits per channel RGBA: a few hundred KB on disk,
    written row by row (the probe's file was 7,700 × 7,700, 461 KB, under the 60-megapixel limit)."""
    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + side * 8)
    with open(path, "wb") as out:
        out.write(b"\x89PNG\r\n\x1a\n")
        out.write(png_chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 16, 6, 0, 0, 0)))
        chunks = [compressor.compress(row) for _ in range(side)]
        chunks.append(compressor.flush())
        out.write(png_chunk(b"IDAT", b"".join(chunks)))
        out.write(png_chunk(b"IEND", b""))


@pytest.mark.slow
def test_a_huge_16_bit_png_is_refused_before_it_is_decoded(tmp_path):
    path = tmp_path / "gross.png"
    png_16bit_rgba(path, 7700)
    assert path.stat().st_size < 1 * MIB
    memory = upload_memory(path)
    assert "MB" in memory["outcome"] or "Speicher" in memory["outcome"], memory["outcome"]
    # Decoding it needs 7,700² × 4 bytes = 226 MiB at least; the refusal costs next to nothing.
    assert memory["peak"] - memory["before"] < 32 * MIB, memory


@pytest.mark.slow
def test_a_large_image_that_is_accepted_gives_its_memory_back(tmp_path):
    path = tmp_path / "gross.png"
    Image.new("RGB", (5000, 5000), (40, 90, 160)).save(path, format="PNG")  # 95 MiB decoded
    memory = upload_memory(path)
    assert memory["outcome"] == "stored 5000x5000", memory
    decoded = 5000 * 5000 * 4
    # The decoded image once, plus the re-encoded file and the thumbnail – not three copies of it.
    assert memory["peak"] - memory["before"] < decoded * 1.5, memory
    # …and the worker gives it back afterwards.
    assert memory["after"] - memory["before"] < 24 * MIB, memory


@pytest.mark.slow
def test_a_camera_jpeg_over_the_memory_limit_is_decoded_at_a_smaller_size(tmp_path):
    path = tmp_path / "kamera.jpg"
    Image.new("RGB", (8000, 6000), (40, 90, 160)).save(path, format="JPEG", quality=80)  # 48 megapixels
    memory = upload_memory(path)
    assert memory["outcome"] == "stored 4000x3000", memory
    assert memory["peak"] - memory["before"] < 8000 * 6000 * 4 / 2, memory
