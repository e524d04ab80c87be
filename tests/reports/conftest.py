"""Workflow data with known figures for the reports tests.

The rows are written with the ORM at chosen moments in the past (the services stamp "now"), and every
figure the rollup should find is counted here, in Python, as the rows are made – the tests compare the
rollup with these counts, not with a second query of the same kind.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

BERLIN = ZoneInfo("Europe/Berlin")
RULES = ("tone.shouting", "personal_data", "press.relevant", "readability")


def local_day(moment: datetime) -> date:
    return moment.astimezone(BERLIN).date()


@dataclass
class Expected:
    posts: Counter = field(default_factory=Counter)  # (day, department) → published posts
    deliveries: Counter = field(default_factory=Counter)  # (day, department, channel)
    decisions: Counter = field(default_factory=Counter)  # (day, department, "mode:outcome")
    seconds: dict = field(default_factory=lambda: defaultdict(list))  # (department, mode) → [seconds]
    rules: Counter = field(default_factory=Counter)  # (day, department, "outcome:rule")
    warnings: Counter = field(default_factory=Counter)  # (day, department, rule)
    failed: Counter = field(default_factory=Counter)  # (day, department, channel)
    uncertain: Counter = field(default_factory=Counter)
    guide: Counter = field(default_factory=Counter)  # (day, department or None)


@pytest.fixture
def report_channels(db, department, other_department):
    from channels.models import Channel

    made = []
    for kind, name in (("mastodon", "Mastodon Landkreis"), ("facebook", "Facebook Landkreis")):
        channel = Channel.objects.create(kind=kind, name=name, account=f"@{kind}", enabled=True)
        channel.departments.set([department, other_department])
        made.append(channel)
    return made


@pytest.fixture
def make_workflow(db, cast, department, other_department, report_channels):
    """``make_workflow(seed=…, posts=…, start=…)`` writes posts, reviews, deliveries, attempts and guide
    confirmations spread over the days after ``start`` and returns what the rollup must count."""
    from approvals.models import Review, ReviewStep, WarningAcknowledgement
    from etiquette.models import Acknowledgement, GuideVersion
    from posts.models import Post, Revision
    from publishing.models import Delivery, DeliveryAttempt

    departments = [department, other_department]
    versions = iter(range(10, 1000))

    def make(
        *, seed: int = 7, posts: int = 40, start: datetime | None = None, span_days: int = 70
    ) -> Expected:
        rng = random.Random(seed)
        expected = Expected()
        start = start or datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
        author = cast["editor"]
        reviewer = cast["coordinator"]
        for index in range(posts):
            dept = rng.choice(departments)
            opened = start + timedelta(days=rng.randrange(span_days), minutes=rng.randrange(0, 24 * 60))
            post = Post.objects.create(
                department=dept, author=author, title=f"Beitrag {seed}-{index}", text="Text"
            )
            revision = Revision.objects.create(post=post, number=1, reason="submitted", snapshot={})
            mode = rng.choice(["coordinated", "autonomous"])
            outcome = rng.choice(["approved", "approved", "changes_requested", "rejected", "open"])
            findings = [
                {"rule": rule, "severity": rng.choice(["warn", "block", "info"]), "channel": None, "start": n}
                for n, rule in enumerate(rng.sample(RULES, rng.randrange(0, 3)))
            ]
            finished = (
                opened + timedelta(seconds=rng.randrange(60, 5 * 24 * 3600)) if outcome != "open" else None
            )
            review = Review.objects.create(
                post=post,
                revision=revision,
                submitted_revision=revision,
                status=outcome,
                mode=mode,
                findings=findings,
                opened_at=opened,
                finished_at=finished,
            )
            step = ReviewStep.objects.create(
                review=review,
                position=0,
                kind="coordination",
                status="open" if outcome == "open" else outcome,
            )
            if finished is None:
                continue
            day = local_day(finished)
            expected.decisions[(day, dept.pk, f"{mode}:{outcome}")] += 1
            expected.seconds[(dept.pk, mode)].append(round((finished - opened).total_seconds()))
            if outcome == "approved":
                for finding in findings:
                    if finding["severity"] != "warn":
                        continue
                    key = f"{finding['rule']}||{finding['start']}||"
                    WarningAcknowledgement.objects.create(
                        review=review,
                        step=step,
                        revision=revision,
                        finding_key=key,
                        rule=finding["rule"],
                        message="Warnung",
                        reason="Geprüft, passt.",
                        acknowledged_by=reviewer,
                        acknowledged_at=finished,
                    )
                    expected.warnings[(day, dept.pk, finding["rule"])] += 1
                # Published some hours after the approval, on some of the channels.
                published = finished + timedelta(hours=rng.randrange(0, 30))
                Post.objects.filter(pk=post.pk).update(status="published", published_at=published)
                expected.posts[(local_day(published), dept.pk)] += 1
                for channel in rng.sample(report_channels, rng.randrange(1, 3)):
                    problem = rng.choice([None, None, "failed", "uncertain"])
                    delivery = Delivery.objects.create(
                        post=post,
                        channel=channel,
                        due_at=finished,
                        status="published" if problem is None else problem,
                        published_at=published if problem is None else None,
                    )
                    if problem is None:
                        expected.deliveries[(local_day(published), dept.pk, channel.pk)] += 1
                        continue
                    # Two failing attempts of one delivery on the same day count once.
                    for number in (1, 2):
                        at = published + timedelta(minutes=number)
                        DeliveryAttempt.objects.create(
                            delivery=delivery,
                            channel=channel,
                            number=number,
                            started_at=at,
                            finished_at=at,
                            outcome=problem,
                        )
                    target = expected.failed if problem == "failed" else expected.uncertain
                    days = {local_day(published + timedelta(minutes=n)) for n in (1, 2)}
                    for d in days:
                        target[(d, dept.pk, channel.pk)] += 1
            else:
                involved = {f["rule"] for f in findings if f["severity"] in ("warn", "block")}
                for rule in involved:
                    expected.rules[(day, dept.pk, f"{outcome}:{rule}")] += 1
        # Guide confirmations: every member of the cast confirms a few versions.
        memberships = {
            cast["editor"].pk: [department.pk],
            cast["head"].pk: [department.pk],
            cast["outsider"].pk: [other_department.pk],
            cast["coordinator"].pk: [None],
        }
        for _ in range(3):
            version = GuideVersion.objects.create(major=next(versions), body="# Etikette", status="published")
            for user_key in ("editor", "head", "outsider", "coordinator"):
                user = cast[user_key]
                at = start + timedelta(days=rng.randrange(span_days), hours=rng.randrange(24))
                Acknowledgement.objects.create(user=user, version=version, acknowledged_at=at)
                for dept_id in memberships[user.pk]:
                    expected.guide[(local_day(at), dept_id)] += 1
        return expected

    return make
