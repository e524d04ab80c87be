"""The coordinator's queue: what waits for me, most urgent first, filtered, paginated, in a fixed number
of queries whatever its length."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from approvals import services
from approvals.models import Review, ReviewStep
from approvals.selectors import queue_for, queue_rows
from departments.services import department_set_review_mode
from posts.models import Post, Revision

from .conftest import WARN_TEXT, open_step, staffed_time

pytestmark = pytest.mark.django_db


def bulk_in_review(count, *, author, department, channels, kind=ReviewStep.Kind.COORDINATION):
    """``count`` posts in review, written in bulk (the services are tested elsewhere; here only the
    queue's reading matters)."""
    now = timezone.now()
    posts = Post.objects.bulk_create(
        [
            Post(
                department=department,
                author=author,
                title=f"Beitrag {index:04d}",
                text="Text",
                status=Post.Status.IN_REVIEW,
                planned_at=now + timedelta(hours=index) if index % 3 else None,
                submitted_at=now,
            )
            for index in range(count)
        ]
    )
    through = Post.channels.through
    through.objects.bulk_create(
        [through(post_id=post.pk, channel_id=channel.pk) for post in posts for channel in channels]
    )
    revisions = Revision.objects.bulk_create(
        [Revision(post=post, number=1, reason="submitted", snapshot={"text": "Text"}) for post in posts]
    )
    reviews = Review.objects.bulk_create(
        [
            Review(
                post=post,
                revision=revision,
                submitted_revision=revision,
                mode=department.review_mode,
                opened_at=now - timedelta(minutes=index),
                warning_count=index % 4,
            )
            for index, (post, revision) in enumerate(zip(posts, revisions, strict=True))
        ]
    )
    ReviewStep.objects.bulk_create(
        [
            ReviewStep(
                review=review,
                position=0,
                kind=kind,
                status=ReviewStep.Status.OPEN,
                activated_at=review.opened_at,
            )
            for review in reviews
        ]
    )
    return posts


def test_queue_query_count_is_the_same_for_10_and_500_posts(
    client, coordinator, editor, department, channels, django_assert_num_queries
):
    client.force_login(coordinator)
    bulk_in_review(10, author=editor, department=department, channels=channels.values())
    client.get("/approvals/")  # warm the per-process caches (content types) once
    with CaptureQueriesContext(connection) as small:
        response = client.get("/approvals/")
    assert response.status_code == 200
    assert response.content.decode().count('class="queue-row') == 10
    assert len(small.captured_queries) <= 12  # session, user, groups, roles, count, page, channels, filters
    bulk_in_review(490, author=editor, department=department, channels=channels.values())
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get("/approvals/")
    html = response.content.decode()
    assert html.count('class="queue-row') == 25
    assert "500 Beiträge warten auf Sie." in html


def test_queue_query_count_with_filters_and_a_later_page(
    client, coordinator, editor, department, channels, django_assert_num_queries
):
    client.force_login(coordinator)
    bulk_in_review(10, author=editor, department=department, channels=channels.values())
    url = f"/approvals/?department={department.pk}&channel={channels['mastodon'].pk}&q=Beitrag"
    client.get(url)  # warm the per-process caches (content types) once
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    bulk_in_review(490, author=editor, department=department, channels=channels.values())
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url + "&page=3")
    assert "Seite 3 von 20" in response.content.decode()


def test_a_page_shows_the_same_steps_in_the_same_order_as_the_whole_queue(
    client, coordinator, editor, department, channels
):
    # A third without planned time (last, places 40–59); ten of them waiting longest, since the same
    # moment (places 40–49, on page 2): the id decides between them.
    posts = bulk_in_review(60, author=editor, department=department, channels=channels.values())
    since = timezone.now() - timedelta(days=1)
    ReviewStep.objects.filter(review__post__in=posts[:30:3]).update(activated_at=since)
    queue = [step.pk for step in queue_for(coordinator)]

    assert [step.pk for step in queue_rows(queue_for(coordinator)[25:50])] == queue[25:50]
    client.force_login(coordinator)
    html = client.get("/approvals/?page=2").content.decode()
    titles = re.findall(
        r'<tr class="queue-row[^"]*">\s*<td>\s*<a href="/approvals/posts/\d+/">([^<]+)</a>', html
    )
    by_pk = {step.pk: step.review.post.title for step in queue_for(coordinator)}
    assert titles == [by_pk[pk] for pk in queue[25:50]]
    tied = ReviewStep.objects.filter(activated_at=since).order_by("pk").values_list("pk", flat=True)
    assert queue[40:50] == list(tied)


def test_most_urgent_first_planned_time_then_waiting_time(in_review, coordinator):
    soon = in_review(title="Bald", planned_at=staffed_time(days_ahead=2))
    later = in_review(title="Später", planned_at=staffed_time(days_ahead=9))
    waiting_long = in_review(title="Ohne Termin, wartet lange", planned_at=None)
    waiting_short = in_review(title="Ohne Termin, wartet kurz", planned_at=None)
    ReviewStep.objects.filter(review=waiting_long).update(activated_at=timezone.now() - timedelta(days=2))
    titles = [step.review.post.title for step in queue_for(coordinator)]
    assert titles == [soon.post.title, later.post.title, waiting_long.post.title, waiting_short.post.title]


def test_overdue_and_soon_due_posts_are_marked_in_words(client, coordinator, editor, department, channels):
    now = timezone.now()
    posts = bulk_in_review(3, author=editor, department=department, channels=channels.values())
    Post.objects.filter(pk=posts[0].pk).update(planned_at=now - timedelta(hours=1), title="Überfällig")
    Post.objects.filter(pk=posts[1].pk).update(planned_at=now + timedelta(hours=3), title="Bald fällig")
    Post.objects.filter(pk=posts[2].pk).update(planned_at=now + timedelta(days=5), title="Hat Zeit")
    client.force_login(coordinator)
    html = client.get("/approvals/").content.decode()
    rows = html.split('<tr class="queue-row')[1:]
    assert "Überfällig" in rows[0] and "queue-row--overdue" in rows[0] and ">überfällig<" in rows[0]
    assert "Bald fällig" in rows[1] and ">bald fällig<" in rows[1]
    assert "Hat Zeit" in rows[2] and "urgency" not in rows[2]
    overdue_only = client.get("/approvals/?urgency=overdue").content.decode()
    assert "Überfällig" in overdue_only and "Hat Zeit" not in overdue_only


def test_the_queue_shows_department_channels_planned_time_waiting_and_warnings(
    client, coordinator, in_review
):
    review = in_review(text=WARN_TEXT)
    client.force_login(coordinator)
    html = client.get("/approvals/").content.decode()
    assert f'href="/approvals/posts/{review.post_id}/"' in html
    assert "Gesundheitsamt" in html
    # Each channel with its network's icon, in name order.
    rows = html.split("<tbody>", 1)[1]
    assert rows.index("net-facebook") < rows.index("Facebook Landkreis") < rows.index("net-mastodon")
    assert rows.index("net-mastodon") < rows.index("Mastodon Landkreis")
    assert "1 Warnung" in html
    assert "Koordination" in html


def test_each_reviewer_sees_only_their_steps(
    client, cast, in_review, make_post, submit, department, other_department, admin_user, outsider
):
    department_set_review_mode(actor=admin_user, department=department, review_mode="autonomous")
    head_review = in_review(title="Für die Leitung")
    press_review = in_review(title="Für die Presse", press_relevant=True)
    services.step_approve(actor=cast["head"], step=open_step(press_review))
    department_set_review_mode(actor=admin_user, department=department, review_mode="coordinated")
    other = submit(make_post(outsider, other_department, title="Vom Straßenverkehrsamt"))

    def titles(user):
        return sorted(step.review.post.title for step in queue_for(user))

    assert titles(cast["head"]) == [head_review.post.title]
    assert titles(cast["press"]) == [press_review.post.title]
    assert titles(cast["coordinator"]) == [other.post.title]
    assert titles(cast["editor"]) == [] and titles(cast["admin"]) == []


def test_own_posts_are_not_in_my_queue(make_post, submit, make_user, department):
    from departments.services import membership_add

    writing_coordinator = make_user("koordination_schreibt", groups=("Koordination",))
    membership_add(actor=None, user=writing_coordinator, department=department, role="editor")
    submit(make_post(writing_coordinator, department))
    assert list(queue_for(writing_coordinator)) == []


def test_people_without_a_queue_get_403(client, cast):
    for who in ("editor", "outsider", "admin"):
        client.force_login(cast[who])
        assert client.get("/approvals/").status_code == 403


def test_anonymous_users_are_sent_to_the_login(client, db):
    response = client.get("/approvals/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
