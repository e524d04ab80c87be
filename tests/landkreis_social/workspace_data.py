"""Bulk test data for the shell and start-page tests: posts in every state an entry or panel reads,
open review steps, failed deliveries, channels – written with bulk_create (the services are tested
elsewhere; here only the reading matters)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from approvals.models import Review, ReviewStep
from channels.models import Channel, RolloutPhase
from posts.models import Post, Revision
from publishing.models import Delivery


def live_channel(kind: str = "mastodon", name: str = "Mastodon Landkreis", departments=()) -> Channel:
    phase = RolloutPhase.objects.filter(
        status=RolloutPhase.Status.ACTIVE
    ).first() or RolloutPhase.objects.create(order=0, name="Phase 0", status=RolloutPhase.Status.ACTIVE)
    channel = Channel.objects.create(kind=kind, name=name, account=f"@{kind}", enabled=True)
    channel.departments.set(departments)
    phase.channels.add(channel)
    return channel


def posts(
    n: int, *, author, department, status=Post.Status.DRAFT, planned_in=timedelta(days=2), title="Beitrag"
):
    now = timezone.now()
    start = Post.objects.count()
    return Post.objects.bulk_create(
        Post(
            department=department,
            author=author,
            title=f"{title} {start + i}",
            text="Text",
            status=status,
            planned_at=now + planned_in + timedelta(minutes=i) if planned_in is not None else None,
            submitted_at=now if status != Post.Status.DRAFT else None,
        )
        for i in range(n)
    )


def in_review(
    n: int, *, author, department, kind=ReviewStep.Kind.COORDINATION, planned_in=timedelta(hours=5)
):
    made = posts(n, author=author, department=department, status=Post.Status.IN_REVIEW, planned_in=planned_in)
    revisions = Revision.objects.bulk_create(
        Revision(post=post, number=1, reason="submitted", snapshot={"text": "Text"}) for post in made
    )
    reviews = Review.objects.bulk_create(
        Review(
            post=post,
            revision=revision,
            submitted_revision=revision,
            mode=department.review_mode,
            opened_at=timezone.now(),
        )
        for post, revision in zip(made, revisions, strict=True)
    )
    ReviewStep.objects.bulk_create(
        ReviewStep(
            review=review, kind=kind, position=0, status=ReviewStep.Status.OPEN, activated_at=timezone.now()
        )
        for review in reviews
    )
    return made


def sent_back(n: int, *, author, department, comment="Bitte den Ort ergänzen."):
    made = posts(n, author=author, department=department, status=Post.Status.CHANGES_REQUESTED)
    revisions = Revision.objects.bulk_create(
        Revision(post=post, number=1, reason="submitted", snapshot={"text": "Text"}) for post in made
    )
    reviews = Review.objects.bulk_create(
        Review(
            post=post,
            revision=revision,
            submitted_revision=revision,
            mode=department.review_mode,
            status=Review.Status.CHANGES_REQUESTED,
            opened_at=timezone.now(),
        )
        for post, revision in zip(made, revisions, strict=True)
    )
    ReviewStep.objects.bulk_create(
        ReviewStep(
            review=review,
            kind=ReviewStep.Kind.COORDINATION,
            position=0,
            status=ReviewStep.Status.CHANGES_REQUESTED,
            decided_at=timezone.now(),
            comment=comment,
        )
        for review in reviews
    )
    return made


def failed_deliveries(n: int, *, author, department, channel, status=Delivery.Status.FAILED):
    made = posts(n, author=author, department=department, status=Post.Status.FAILED)
    return Delivery.objects.bulk_create(
        Delivery(post=post, channel=channel, status=status, due_at=timezone.now(), last_error="abgelehnt")
        for post in made
    )
