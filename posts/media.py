"""Checking and cleaning uploads before they are stored.

- Images (JPEG, PNG, WebP) are identified by their content, not their name, with Pillow. The pixel
  count is checked from the header *before* decoding (decompression bombs), the file is decoded
  completely, turned upright by its EXIF orientation and written anew without EXIF, so location data
  (GPS), camera serial numbers and the like never reach the server's disk.
- Videos must be MP4 (ISO base media file) with a ``moov`` box; Pillow cannot read video and no video
  library is installed, so the container's box structure is walked here (a few lines, no decoding).
  Videos get no thumbnail (that would need ffmpeg); the editor shows a placeholder.
- Captions: WebVTT or SubRip (SRT), UTF-8.

Every problem is a :class:`~django.core.exceptions.ValidationError` with a German message, shown
next to the upload field.
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import re
import struct
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

# Largest image accepted, in pixels (width × height). Checked from the header before decoding; a
# 50-megapixel camera image passes, a "decompression bomb" (a tiny file that unpacks to gigabytes)
# does not.
MAX_IMAGE_PIXELS = 60_000_000
# Bytes per pixel of Pillow's image memory by mode: one for bilevel, grey and palette images, two for
# 16-bit grey, four for everything else (RGB is stored as four bytes; a 16-bit RGBA PNG is decoded to
# 8-bit RGBA). Used with the header's size to know an image's memory *before* decoding it.
_BYTES_PER_PIXEL = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16L": 2, "I;16B": 2, "I;16N": 2}
MIN_IMAGE_SIDE = 16
THUMBNAIL_SIZE = (480, 480)
CAPTIONS_MAX_BYTES = 1024 * 1024

# Pillow format -> (MIME type, file extension, save options)
IMAGE_FORMATS: dict[str, tuple[str, str, dict]] = {
    "JPEG": ("image/jpeg", "jpg", {"quality": 90, "optimize": True}),
    "PNG": ("image/png", "png", {"optimize": False}),
    "WEBP": ("image/webp", "webp", {"quality": 90}),
}

# Brands of the ISO base media file format that are MP4 video (QuickTime's "qt  " is not).
MP4_BRANDS = {
    b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1",
    b"M4V ", b"M4VP", b"dash", b"mmp4", b"MSNV", b"f4v ",
}  # fmt: skip


@dataclass
class ProcessedMedia:
    kind: str  # "image" or "video"
    content: ContentFile
    extension: str
    mime_type: str
    size: int
    width: int | None = None
    height: int | None = None
    thumbnail: ContentFile | None = None
    captions: ContentFile | None = None
    captions_extension: str = ""
    original_name: str = ""


def looks_like_mp4(head: bytes) -> bool:
    return len(head) >= 12 and head[4:8] == b"ftyp"


def _too_large(upload, limit: int, what: str) -> ValidationError:
    return ValidationError(
        _("The %(what)s is %(size)s; at most %(limit)s are allowed.")
        % {"what": what, "size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
        code="too_large",
    )


def _too_much_memory(needed: int, limit: int) -> ValidationError:
    return ValidationError(
        _(
            "The image is too large: unpacked it needs %(size)s of memory, at most %(limit)s are allowed "
            "(fewer pixels, or 8 instead of 16 bits per colour, help). Please scale it down."
        )
        % {"size": filesizeformat(needed), "limit": filesizeformat(limit)},
        code="too_much_memory",
    )


def decoded_bytes(image: Image.Image) -> int:
    """The memory Pillow needs for the decoded image, from the header (nothing decoded yet)."""
    return image.width * image.height * _BYTES_PER_PIXEL.get(image.mode, 4)


def _release_memory() -> None:
    """Give freed image memory back to the operating system. Pillow frees its blocks, but glibc keeps
    large freed chunks in the heap (the mmap threshold grows after the first big free), so a worker
    that once decoded a big image stayed big (issue 14: 643 MiB kept after one upload)."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def process_image(upload) -> ProcessedMedia:
    """Validate an uploaded image and return it re-encoded without metadata, with a thumbnail.

    Memory: the decoded size (pixels × bytes per pixel, from the header) must stay under
    ``UPLOAD_MAX_IMAGE_DECODED_BYTES``; a larger JPEG is decoded at a half, quarter or eighth of its size
    (libjpeg scales while decoding), other formats are refused. The image is decoded once and changed in
    place, so a worker's peak is about one decoded image; afterwards the memory is given back.
    """
    try:
        return _process_image(upload)
    finally:
        _release_memory()


def _process_image(upload) -> ProcessedMedia:
    limit = settings.UPLOAD_MAX_IMAGE_BYTES
    if upload.size > limit:
        raise _too_large(upload, limit, _("image"))
    not_an_image = ValidationError(
        _("This file is not a JPEG, PNG or WebP image (or it is damaged). Please choose a photo or graphic."),
        code="invalid_image",
    )
    bomb = ValidationError(
        _("The image is too large: at most %(max)s megapixels are allowed. Please scale it down.")
        % {"max": MAX_IMAGE_PIXELS // 1_000_000},
        code="too_many_pixels",
    )
    memory_limit = settings.UPLOAD_MAX_IMAGE_DECODED_BYTES
    upload.seek(0)
    data = upload.read()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                image_format = probe.format
                width, height = probe.size
                if image_format not in IMAGE_FORMATS:
                    raise not_an_image
                if width * height > MAX_IMAGE_PIXELS:
                    raise bomb
                if min(width, height) < MIN_IMAGE_SIDE:
                    raise ValidationError(
                        _("The image is only %(width)s × %(height)s pixels; that is too small to show.")
                        % {"width": width, "height": height},
                        code="too_small",
                    )
                needed = decoded_bytes(probe)
                if needed > memory_limit and image_format != "JPEG":
                    raise _too_much_memory(needed, memory_limit)
                probe.verify()  # reads the whole file: checksums, truncation
            with Image.open(io.BytesIO(data)) as image:
                scale = 1
                while decoded_bytes(image) // (scale * scale) > memory_limit and scale < 8:
                    scale *= 2
                if scale > 1:  # libjpeg decodes at 1/2, 1/4 or 1/8 of the size directly
                    image.draft(image.mode, (width // scale, height // scale))
                if decoded_bytes(image) > memory_limit:
                    raise _too_much_memory(decoded_bytes(image), memory_limit)
                image.load()
                icc_profile = image.info.get("icc_profile")
                # In place: no second decoded copy kept (turning it makes one only for the moment).
                ImageOps.exif_transpose(image, in_place=True)
                upright = image
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise bomb from None
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, struct.error, EOFError):
        raise not_an_image from None

    mime_type, extension, options = IMAGE_FORMATS[image_format]
    if image_format == "JPEG" and upright.mode not in ("RGB", "L", "CMYK"):
        upright = upright.convert("RGB")
    output = io.BytesIO()
    save_options = dict(options)
    if icc_profile:
        save_options["icc_profile"] = icc_profile
    # No ``exif=`` argument: Pillow then writes no EXIF at all (GPS position, camera serial …).
    upright.save(output, format=image_format, **save_options)

    width, height = upright.size
    thumb = upright
    thumb.thumbnail(THUMBNAIL_SIZE)  # in place: the full-size pixels are freed, not copied first
    upright = image = None
    if thumb.mode in ("RGBA", "LA", "P"):
        thumb = thumb.convert("RGBA")
        background = Image.new("RGB", thumb.size, (255, 255, 255))
        background.paste(thumb, mask=thumb.getchannel("A"))
        thumb = background
    elif thumb.mode != "RGB":
        thumb = thumb.convert("RGB")
    thumb_output = io.BytesIO()
    thumb.save(thumb_output, format="JPEG", quality=80)

    return ProcessedMedia(
        kind="image",
        content=ContentFile(output.getvalue(), name=f"image.{extension}"),
        extension=extension,
        mime_type=mime_type,
        size=output.tell(),
        width=width,
        height=height,
        thumbnail=ContentFile(thumb_output.getvalue(), name="thumbnail.jpg"),
        original_name=getattr(upload, "name", "")[:255],
    )


def _mp4_has_movie_box(upload) -> bool:
    """Walk the top-level boxes (size, type) of an ISO base media file; True if ``moov`` is there."""
    upload.seek(0)
    total = upload.size
    position = 0
    seen_ftyp = False
    for _index in range(10_000):
        if position + 8 > total:
            return False
        upload.seek(position)
        header = upload.read(16)
        size, box_type = struct.unpack(">I4s", header[:8])
        if size == 1:  # 64-bit size follows
            if len(header) < 16:
                return False
            size = struct.unpack(">Q", header[8:16])[0]
        elif size == 0:  # box runs to the end of the file
            size = total - position
        if size < 8:
            return False
        if position == 0:
            if box_type != b"ftyp" or header[8:12] not in MP4_BRANDS:
                return False
            seen_ftyp = True
        if box_type == b"moov":
            return seen_ftyp
        position += size
    return False


def process_video(upload) -> ProcessedMedia:
    limit = settings.UPLOAD_MAX_VIDEO_BYTES
    if upload.size > limit:
        raise _too_large(upload, limit, _("video"))
    if not _mp4_has_movie_box(upload):
        raise ValidationError(
            _("This file is not an MP4 video (or it is damaged). Please export the video as MP4 (H.264)."),
            code="invalid_video",
        )
    upload.seek(0)
    return ProcessedMedia(
        kind="video",
        content=upload,
        extension="mp4",
        mime_type="video/mp4",
        size=upload.size,
        original_name=getattr(upload, "name", "")[:255],
    )


_SRT_CUE = re.compile(
    r"^\s*\d+\s*\r?\n\d{1,2}:\d{2}:\d{2}[,.]\d{3}\s*-->\s*\d{1,2}:\d{2}:\d{2}[,.]\d{3}", re.M
)
_VTT_CUE = re.compile(r"(?:\d{1,2}:)?\d{2}:\d{2}\.\d{3}\s*-->\s*(?:\d{1,2}:)?\d{2}:\d{2}\.\d{3}")


def process_captions(upload) -> tuple[ContentFile, str]:
    """A WebVTT or SRT file, returned as (content, extension)."""
    invalid = ValidationError(
        _("The captions file must be WebVTT (.vtt) or SubRip (.srt) in UTF-8 with at least one cue."),
        code="invalid_captions",
    )
    if upload.size > CAPTIONS_MAX_BYTES:
        raise _too_large(upload, CAPTIONS_MAX_BYTES, _("captions file"))
    upload.seek(0)
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise invalid from None
    if text.lstrip().startswith("WEBVTT") and _VTT_CUE.search(text):
        extension = "vtt"
    elif _SRT_CUE.search(text):
        extension = "srt"
    else:
        raise invalid
    return ContentFile(text.encode("utf-8"), name=f"captions.{extension}"), extension
