"""Demo posts of the Gesundheitsamt (idempotent: a post whose title exists is left alone).

Uses the channels the publishing demo made live for the department (none: drafts without channels)
and submits one post when ``redaktion`` has acknowledged the etiquette guide (etiquette demo).
"""

from __future__ import annotations

import contextlib
import io
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from departments.models import Department

from . import media, selectors, services
from .models import Post


def _demo_image() -> bytes:
    """A simple poster-like picture (no external files needed)."""
    image = Image.new("RGB", (1200, 675), (11, 79, 113))
    draw = ImageDraw.Draw(image)
    for i in range(0, 675, 45):
        draw.rectangle([0, i, 1200, i + 20], fill=(14, 96, 137))
    draw.ellipse([820, 160, 1120, 460], fill=(255, 191, 71))
    draw.rectangle([120, 420, 700, 560], fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _at(days: int, hour: int) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


POSTS = (
    {
        "title": "Impftermine im Dezember",
        "text": (
            "Ab Montag vergibt das Gesundheitsamt neue Termine für die Grippe- und Corona-Impfung im "
            "Kreishaus Rotenburg. Termine gibt es online oder telefonisch über die Servicenummer des "
            "Landkreises. Alle Infos: https://www.lk-row.de/impfen #ImpfenSchützt"
        ),
        "days": 3,
        "hour": 10,
        "image": True,
        "submit": True,
    },
    {
        "title": "Trinkwasser bei Hitze",
        "text": (
            "Bei Hitze viel trinken! Das Gesundheitsamt empfiehlt Leitungswasser – es ist in unserem "
            "Landkreis gut kontrolliert. Fragen? Schreiben Sie an max.mustermann@gmail.com"
        ),
        "days": 6,
        "hour": 9,
        "image": False,
        "submit": False,
    },
    {
        "title": "Hygienetipps für Kitas",
        "text": "Händewaschen schützt – auch in der Kita. Unsere Tipps für Eltern und Erzieherinnen.",
        "days": 10,
        "hour": 11,
        "image": False,
        "submit": False,
    },
)


def seed(*, actor, stdout=None) -> None:
    department = Department.objects.filter(code="GA").first()
    author = get_user_model().objects.filter(username="redaktion").first()
    if department is None or author is None:
        return
    channels = list(selectors.editor_channels(department))
    made = 0
    for spec in POSTS:
        if Post.objects.filter(department=department, title=spec["title"]).exists():
            continue
        new_media = []
        if spec["image"]:
            processed = media.process_image(SimpleUploadedFile("impfaktion.png", _demo_image()))
            new_media.append(
                (
                    processed,
                    {
                        "alt_text": "Plakat der Impfaktion in den Farben des Landkreises mit einer gelben Sonne",
                        "credit": "Grafik: Landkreis Rotenburg (Wümme)",
                    },
                )
            )
        post = services.post_create(
            actor=author,
            department=department,
            title=spec["title"],
            text=spec["text"],
            channels=channels,
            planned_at=_at(spec["days"], spec["hour"]),
            media_new=new_media,
        )
        made += 1
        if spec["submit"]:
            # Guide not acknowledged, or no channel live: the post stays a draft.
            with contextlib.suppress(ValidationError):
                services.post_submit(actor=author, post=post)
    if stdout:
        stdout.write(f"  {made} demo posts ({len(channels)} live channels for {department.code})")
