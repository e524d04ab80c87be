"""``manage.py seed_scale``: bulk data that the app's own pages, permissions and services accept."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from approvals.models import Review, ReviewStep
from audit.models import AuditEvent
from audit.services import audit_verify_chain
from departments.models import Department, Membership
from posts.models import Post, Revision

pytestmark = pytest.mark.django_db


def seed(**options):
    out = io.StringIO()
    call_command(
        "seed_scale", force=True, stdout=out, **{"posts": 600, "departments": 4, "users": 24, **options}
    )
    return out.getvalue()


def test_refuses_without_debug_or_force(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        call_command("seed_scale", posts=1, departments=1, users=1)
    assert not Post.objects.exists()


def test_refuses_a_prefix_twice_and_bad_numbers():
    seed(posts=10)
    with pytest.raises(CommandError, match="exists already"):
        seed(posts=10)
    with pytest.raises(CommandError):
        seed(prefix="x", users=2, departments=4)
    assert Post.objects.count() == 10


def test_makes_posts_in_every_state_with_reviews_and_one_audit_event():
    output = seed()
    assert "600 posts" in output
    assert Department.objects.filter(code__startswith="skal-").count() == 4
    statuses = set(Post.objects.values_list("status", flat=True))
    assert {"published", "draft", "in_review", "scheduled", "rejected"} <= statuses
    # Every submitted post has revision 1 and one review; in-review posts wait in an open step.
    submitted = Post.objects.exclude(status=Post.Status.DRAFT)
    assert Revision.objects.filter(post__in=submitted, number=1).count() == submitted.count()
    assert Review.objects.count() == submitted.count()
    in_review = Post.objects.filter(status=Post.Status.IN_REVIEW)
    assert ReviewStep.objects.filter(status="open", review__post__in=in_review).count() == in_review.count()
    # Four eyes holds in the synthetic data too.
    for step in ReviewStep.objects.filter(decided_by__isnull=False).select_related("review__post")[:200]:
        assert step.decided_by_id != step.review.post.author_id
    # Published posts carry their time; planned times lie in the past and the future.
    assert not Post.objects.filter(status="published", published_at__isnull=True).exists()
    # Posts that went out have one delivery per channel, with their outcome; scheduled ones wait.
    from publishing.models import Delivery

    published = Post.objects.filter(status="published")
    assert Delivery.objects.filter(post__in=published).exclude(status="published").count() == 0
    assert (
        Delivery.objects.filter(post__in=published).count()
        == Post.channels.through.objects.filter(post__in=published).count()
    )
    assert Delivery.objects.filter(post__status="scheduled", status="pending").exists()
    assert Delivery.objects.filter(post__status="failed").exclude(status="failed").count() == 0
    assert AuditEvent.objects.filter(verb="scale.seeded").count() == 1
    assert list(audit_verify_chain()) == []


def test_the_app_works_on_the_data(client):
    """Permissions, queue and services work on the bulk rows as on rows the services wrote."""
    from posts.services import post_create

    seed()
    User = get_user_model()
    coordinator = User.objects.get(username="skal-koordination")
    client.force_login(coordinator)
    queue = client.get("/approvals/")
    assert queue.status_code == 200
    waiting = ReviewStep.objects.filter(status="open", kind="coordination").select_related("review__post")
    assert waiting.exists() and waiting.first().review.post.title in queue.content.decode()
    assert client.get(f"/approvals/posts/{waiting.first().review.post_id}/").status_code == 200
    assert client.get("/publishing/deliveries/?status=problems").status_code == 200

    # An editor sees the posts of their own departments only (guardian permissions were written).
    membership = Membership.objects.filter(role="editor").select_related("user", "department").first()
    client.force_login(membership.user)
    own = Post.objects.filter(department=membership.department).first()
    foreign = Post.objects.exclude(department__memberships__user=membership.user).first()
    assert client.get(f"/posts/{own.pk}/").status_code == 200
    assert client.get(f"/posts/{foreign.pk}/").status_code == 404
    # The id sequences moved past the copied rows: the services can add more.
    new = post_create(actor=membership.user, department=membership.department, title="Neu", text="Hallo")
    assert new.pk > Post.objects.exclude(pk=new.pk).order_by("-pk").first().pk


def test_planned_times_spread_over_the_months(settings):
    seed(months=12)
    from django.utils import timezone

    now = timezone.now()
    planned = Post.objects.filter(planned_at__isnull=False)
    assert planned.filter(planned_at__lt=now - timezone.timedelta(days=300)).exists()
    assert planned.filter(planned_at__gt=now).exists()
    assert not planned.filter(planned_at__lt=now - timezone.timedelta(days=12 * 31 + 7)).exists()
