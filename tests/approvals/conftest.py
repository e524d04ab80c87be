"""Fixtures of the approvals tests: live channels, a guide everyone acknowledged, posts in review.

Posts are written and submitted through the real posts services and checked by the real etiquette
engine with its default rule set, so a warning in a test is a warning a user would see.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest

BERLIN = ZoneInfo("Europe/Berlin")
# Enough text that the readability rule leaves it alone, nothing that any default rule objects to.
CLEAN_TEXT = "Ab Montag vergibt das Gesundheitsamt neue Termine. Mehr unter https://www.lk-row.de/impfen"
# "!!" is shouting (tone.shouting, a warning) – one warning to acknowledge.
WARN_TEXT = "Ab Montag vergibt das Gesundheitsamt neue Termine!! Mehr unter https://www.lk-row.de/impfen"
# A press-like word routes the post to the press office (press.relevant, a warning that routes).
PRESS_TEXT = "Pressemitteilung: Ab Montag vergibt das Gesundheitsamt neue Termine. Mehr unter https://www.lk-row.de/impfen"


def staffed_time(days_ahead: int = 3, hour: int = 10) -> datetime:
    """A weekday at ``hour`` in Berlin at least ``days_ahead`` days from now that is no holiday in
    Niedersachsen: the staffed-hours rule has nothing to say about it."""
    day = datetime.now(BERLIN).date() + timedelta(days=days_ahead)
    closed = holidays.country_holidays("DE", subdiv="NI", years=[day.year, day.year + 1])
    while day.weekday() >= 5 or day in closed or (day.month, day.day) in {(12, 24), (12, 31)}:
        day += timedelta(days=1)
    return datetime.combine(day, time(hour, 0), tzinfo=BERLIN)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://social.landkreis.example"


@pytest.fixture
def channels(db, department, other_department):
    """Mastodon and Facebook live for both departments (phase 0 active)."""
    from channels.models import Channel, RolloutPhase

    phase = RolloutPhase.objects.create(order=0, name="Phase 0", status=RolloutPhase.Status.ACTIVE)
    made = {}
    for kind, name in (("mastodon", "Mastodon Landkreis"), ("facebook", "Facebook Landkreis")):
        channel = Channel.objects.create(kind=kind, name=name, account=f"@{kind}-landkreis", enabled=True)
        channel.departments.set([department, other_department])
        made[kind] = channel
    phase.channels.set(made.values())
    return made


@pytest.fixture
def guide(db, admin_user):
    from etiquette.services import guide_version_create, guide_version_publish

    version = guide_version_create(actor=admin_user, major=1, body="# Etikette\n\nSachlich bleiben.")
    return guide_version_publish(actor=admin_user, version=version)


@pytest.fixture
def acknowledge(guide):
    from etiquette.services import guide_acknowledge

    def run(user):
        return guide_acknowledge(actor=user, version=guide)

    return run


@pytest.fixture
def make_post(channels, acknowledge):
    """``make_post(author, department, text=…, planned_at=…, press_relevant=…)``: a draft."""
    from posts.services import post_create

    acknowledged = set()

    def make(author, department, *, text=CLEAN_TEXT, title="Neue Impftermine", planned_at="staffed", **extra):
        if author.pk not in acknowledged:
            acknowledge(author)
            acknowledged.add(author.pk)
        if planned_at == "staffed":
            planned_at = staffed_time()
        return post_create(
            actor=author,
            department=department,
            title=title,
            text=text,
            channels=list(channels.values()),
            planned_at=planned_at,
            **extra,
        )

    return make


@pytest.fixture
def submit():
    """``submit(post, actor=None)``: ``post_submit`` by the author; returns the post's open review."""
    from approvals.models import Review
    from posts.services import post_submit

    def run(post, actor=None):
        post_submit(actor=actor or post.author, post=post)
        return Review.objects.get(post=post, status=Review.Status.OPEN)

    return run


@pytest.fixture
def in_review(make_post, submit, editor, department):
    """``in_review(text=…, **post_fields)``: a post of the editor's department, submitted."""

    def make(**fields):
        post = make_post(editor, department, **fields)
        return submit(post)

    return make


def open_step(review):
    from approvals.models import ReviewStep

    return review.steps.get(status=ReviewStep.Status.OPEN)
