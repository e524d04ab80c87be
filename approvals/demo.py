"""Demo reviews (idempotent: a post whose title exists is left alone).

Runs after ``posts.demo``: submits two more posts of the Gesundheitsamt so that the coordinator's queue
has work – one with a warning to acknowledge, one press-relevant (Koordination, then Pressestelle) – and
a post of the Straßenverkehrsamt that ``koordination`` already sent back with a comment, so its history
shows a decision.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import holidays
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from departments.models import Department
from posts import selectors as post_selectors
from posts import services as post_services
from posts.models import Post

from . import services
from .models import Review, ReviewStep

POSTS = (
    {
        "title": "Glätte auf Kreisstraßen",
        "department": "GA",
        "author": "redaktion",
        "text": (
            "Achtung, morgen früh wird es glatt!! Bitte fahren Sie vorsichtig und planen Sie mehr Zeit ein. "
            "Aktuelle Hinweise: https://www.lk-row.de/winterdienst"
        ),
        "days": 2,
        "hour": 9,
    },
    {
        "title": "Landrat eröffnet Impfzentrum",
        "department": "GA",
        "author": "redaktion",
        "text": (
            "Pressemitteilung: Das neue Impfzentrum im Kreishaus ist ab Montag geöffnet. Termine gibt es "
            "online unter https://www.lk-row.de/impfen"
        ),
        "days": 4,
        "hour": 11,
    },
    {
        "title": "Sperrung der K 123",
        "department": "SVA",
        "author": "redaktion2",
        "text": (
            "Die K 123 zwischen Visselhövede und Jeddingen ist ab Montag für zwei Wochen gesperrt. "
            "Mehr unter https://www.lk-row.de/verkehr"
        ),
        "days": 5,
        "hour": 10,
        "changes": "Bitte nennen Sie die Umleitung, sonst kommen sofort Nachfragen.",
    },
)


def _weekday_at(days: int, hour: int) -> datetime:
    """A staffed weekday ``days`` from today or later (no warning about staffed hours)."""
    day = timezone.localdate() + timedelta(days=days)
    closed = holidays.country_holidays("DE", subdiv="NI", years=[day.year, day.year + 1])
    while day.weekday() >= 5 or day in closed:
        day += timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def seed(*, actor, stdout=None) -> None:
    User = get_user_model()
    coordinator = User.objects.filter(username="koordination").first()
    made = 0
    for spec in POSTS:
        department = Department.objects.filter(code=spec["department"]).first()
        author = User.objects.filter(username=spec["author"]).first()
        if department is None or author is None:
            continue
        if Post.objects.filter(department=department, title=spec["title"]).exists():
            continue
        channels = list(post_selectors.editor_channels(department))
        if not channels:
            continue
        post = post_services.post_create(
            actor=author,
            department=department,
            title=spec["title"],
            text=spec["text"],
            channels=channels,
            planned_at=_weekday_at(spec["days"], spec["hour"]),
        )
        made += 1
        try:
            post_services.post_submit(actor=author, post=post)
        except ValidationError:  # guide not acknowledged or a blocking finding: stays a draft
            continue
        review = Review.objects.filter(post=post, status=Review.Status.OPEN).first()
        if spec.get("changes") and review is not None and coordinator is not None:
            step = review.steps.get(status=ReviewStep.Status.OPEN)
            services.step_request_changes(actor=coordinator, step=step, comment=spec["changes"])
    if stdout:
        waiting = ReviewStep.objects.filter(status=ReviewStep.Status.OPEN).count()
        stdout.write(f"  {made} demo posts for the review; {waiting} review steps waiting")
