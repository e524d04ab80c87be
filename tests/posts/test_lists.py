"""The post lists: what each role sees, filters, search, pagination, and a query count that does not grow."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from posts.models import Post


def make_posts(n, *, department, author, channels, status=Post.Status.DRAFT, title="Beitrag", text="Text"):
    """Test data in bulk (200 posts through the services would take the audit chain's time)."""
    start = Post.objects.count()
    posts = Post.objects.bulk_create(
        Post(
            department=department,
            author=author,
            title=f"{title} {start + i}",
            text=f"{text} {start + i}",
            status=status,
            planned_at=timezone.now() + timedelta(days=1 + i % 20),
        )
        for i in range(n)
    )
    through = Post.channels.through
    through.objects.bulk_create(
        through(post_id=post.pk, channel_id=channel.pk) for post in posts for channel in channels
    )
    return posts


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


@pytest.mark.parametrize("url_name", ["posts:list", "posts:calendar"])
@pytest.mark.parametrize("who", ["editor", "coordinator"])
def test_list_queries_do_not_grow_from_10_to_200_posts(
    client, cast, who, url_name, department, channels, django_assert_num_queries
):
    editor = cast["editor"]
    client.force_login(cast[who])
    make_posts(10, department=department, author=editor, channels=[channels["x"], channels["mastodon"]])
    make_posts(
        2,
        department=department,
        author=cast["head"],
        channels=[channels["facebook"]],
        status=Post.Status.IN_REVIEW,
    )
    url = reverse(url_name)
    client.get(url)  # warm the session and the content-type cache
    count_at_10 = queries_for(client, url)
    make_posts(188, department=department, author=editor, channels=[channels["x"], channels["facebook"]])
    assert Post.objects.count() == 200
    with django_assert_num_queries(count_at_10):
        response = client.get(url)
    assert response.status_code == 200


def test_the_list_is_paginated(client, editor, department, channels):
    make_posts(60, department=department, author=editor, channels=[channels["x"]])
    client.force_login(editor)
    first = client.get(reverse("posts:list")).content.decode()
    assert first.count('href="/posts/') >= 25 and "Seite 1 von 3" in first
    third = client.get(reverse("posts:list") + "?page=3").content.decode()
    assert "Seite 3 von 3" in third
    assert client.get(reverse("posts:list") + "?page=999").status_code == 200


def test_editor_sees_own_department_and_coordinator_sees_all(
    client, editor, outsider, coordinator, department, other_department, channels
):
    make_posts(2, department=department, author=editor, channels=[], title="GA-Beitrag")
    make_posts(2, department=other_department, author=outsider, channels=[], title="SVA-Beitrag")
    client.force_login(editor)
    html = client.get(reverse("posts:list")).content.decode()
    assert "GA-Beitrag" in html and "SVA-Beitrag" not in html
    client.force_login(coordinator)
    html = client.get(reverse("posts:list")).content.decode()
    assert "GA-Beitrag" in html and "SVA-Beitrag" in html
    html = client.get(reverse("posts:list") + f"?department={other_department.pk}").content.decode()
    assert "GA-Beitrag" not in html and "SVA-Beitrag" in html


def test_my_drafts_are_the_authors_open_drafts(client, editor, head, department, channels):
    make_posts(1, department=department, author=editor, channels=[], title="Meiner")
    make_posts(
        1,
        department=department,
        author=editor,
        channels=[],
        title="Eingereicht",
        status=Post.Status.IN_REVIEW,
    )
    make_posts(1, department=department, author=head, channels=[], title="Von der Leitung")
    client.force_login(editor)
    html = client.get(reverse("posts:list") + "?scope=mine").content.decode()
    assert "Meiner" in html and "Eingereicht" not in html and "Von der Leitung" not in html


def test_filters_by_status_channel_author_date_and_search(client, editor, head, department, channels):
    make_posts(
        1, department=department, author=editor, channels=[channels["x"]], title="Alpha", text="Impfung"
    )
    make_posts(
        1,
        department=department,
        author=head,
        channels=[channels["mastodon"]],
        title="Beta",
        text="Baustelle",
        status=Post.Status.IN_REVIEW,
    )
    far = Post.objects.get(title__startswith="Beta")
    Post.objects.filter(pk=far.pk).update(planned_at=timezone.now() + timedelta(days=100))
    client.force_login(editor)
    url = reverse("posts:list")

    def titles(query):
        html = client.get(url + "?" + query).content.decode()
        return {name for name in ("Alpha", "Beta") if f">{name} " in html}

    assert titles("") == {"Alpha", "Beta"}
    assert titles("status=in_review") == {"Beta"}
    assert titles("status=draft&status=in_review") == {"Alpha", "Beta"}
    assert titles(f"channel={channels['x'].pk}") == {"Alpha"}
    assert titles(f"author={head.pk}") == {"Beta"}
    assert titles("q=baustelle") == {"Beta"}
    assert titles("q=Alpha+Impfung") == {"Alpha"}
    in_50_days = (timezone.localdate() + timedelta(days=50)).isoformat()
    assert titles(f"date_from={in_50_days}") == {"Beta"}
    assert titles(f"date_to={in_50_days}") == {"Alpha"}
    # Nonsense in the filters is ignored with a message, not a 500.
    assert client.get(url + "?status=nonsense&date_from=gestern&channel=abc").status_code == 200
