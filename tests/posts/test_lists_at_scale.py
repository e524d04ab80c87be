"""What keeps the list and the calendar fast with 100,000 posts (bench/pages_bench.py): a busy day in
the calendar shows the first posts and "n more", the list's author filter offers exactly the authors of
the posts the user may see, and on PostgreSQL the search has trigram indexes."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from posts import calendar as cal
from posts.models import Post

BERLIN = ZoneInfo("Europe/Berlin")
DAY = datetime(2031, 3, 12, 8, 0, tzinfo=BERLIN)  # a Wednesday


def busy_day(count: int, *, department, author, channels) -> list[Post]:
    posts = Post.objects.bulk_create(
        [
            Post(
                department=department,
                author=author,
                title=f"Beitrag {index:02d}",
                text="Ab Montag neue Termine.",
                planned_at=DAY + timedelta(minutes=10 * index),
                status=Post.Status.SCHEDULED,
            )
            for index in range(count)
        ]
    )
    for post in posts:
        post.channels.set(channels)
    return posts


def titles(html: str) -> list[str]:
    return re.findall(r"Beitrag \d\d", html)


def week_parts(html: str) -> tuple[str, str]:
    """The week as a list of days (below 992 px) and as the time grid (from 992 px): both show the same posts."""
    listed = html.split('class="list-unstyled calendar calendar--week"', 1)[1].split("</ol>", 1)[0]
    grid = html.split('class="table table-bordered calendar calendar--hours"', 1)[1].split("</table>", 1)[0]
    return listed, grid


def test_month_cell_shows_the_first_posts_of_the_day_and_links_the_rest_to_the_week(
    client, editor, department, channels
):
    busy_day(cal.MONTH_PER_DAY + 4, department=department, author=editor, channels=[channels["x"]])
    client.force_login(editor)
    html = client.get(
        reverse("posts:calendar") + f"?date=2031-03-01&department={department.pk}"
    ).content.decode()
    # The grid (the phone's agenda list above it shows the same entries).
    html = html.split('class="table-responsive calendar-grid"', 1)[1]
    assert titles(html) == [f"Beitrag {i:02d}" for i in range(cal.MONTH_PER_DAY)]  # earliest first
    assert "+ 4 weitere" in html
    link = re.search(r'<li class="calendar__more"><a href="([^"]+)">', html).group(1)
    assert link == f"?view=week&amp;date=2031-03-12&amp;department={department.pk}"
    week = client.get(reverse("posts:calendar") + link.replace("&amp;", "&")).content.decode()
    for part in week_parts(week):
        assert titles(part) == [f"Beitrag {i:02d}" for i in range(cal.MONTH_PER_DAY + 4)]
    assert "calendar__more" not in week


def test_week_day_links_what_does_not_fit_to_the_list_of_that_day(
    client, editor, department, channels, monkeypatch
):
    monkeypatch.setattr(cal, "WEEK_PER_DAY", 5)
    busy_day(8, department=department, author=editor, channels=[channels["x"]])
    client.force_login(editor)
    week = client.get(reverse("posts:calendar") + "?view=week&date=2031-03-10").content.decode()
    listed, grid = week_parts(week)
    for part in (listed, grid):
        assert titles(part) == [f"Beitrag {i:02d}" for i in range(5)]
        assert "3 weitere Beiträge dieses Tages in der Liste" in part
    link = re.search(r'<li class="calendar__more"><a href="([^"]+)">', listed).group(1).replace("&amp;", "&")
    assert link == "/posts/?date_from=2031-03-12&date_to=2031-03-12"
    in_grid = re.search(r'<a class="calendar__more" href="([^"]+)">', grid).group(1)
    assert in_grid.replace("&amp;", "&") == link
    listed = client.get(link).content.decode()
    assert sorted(titles(listed)) == [f"Beitrag {i:02d}" for i in range(8)]


def test_busy_days_cost_no_extra_queries(client, editor, department, channels, django_assert_max_num_queries):
    busy_day(3, department=department, author=editor, channels=[channels["x"]])
    client.force_login(editor)
    url = reverse("posts:calendar") + "?date=2031-03-01"
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    busy_day(40, department=department, author=editor, channels=[channels["x"], channels["mastodon"]])
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(url).content.decode()
    assert "+ 40 weitere" in html


def test_author_filter_offers_the_authors_of_visible_posts_only(
    client, editor, head, outsider, department, other_department, channels
):
    busy_day(1, department=department, author=head, channels=[channels["x"]])
    busy_day(1, department=other_department, author=outsider, channels=[channels["bluesky"]])
    client.force_login(editor)
    html = client.get(reverse("posts:list")).content.decode()
    select = re.search(r'<select name="author".*?</select>', html, re.S).group(0)
    assert f'value="{head.pk}"' in select
    assert f'value="{outsider.pk}"' not in select and f'value="{editor.pk}"' not in select


@pytest.mark.postgres
def test_search_is_answered_from_trigram_indexes(client, editor, department, channels):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'posts_post'")
        indexes = dict(cursor.fetchall())
    assert (
        "gin_trgm_ops" in indexes["post_title_trgm_idx"] and "upper" in indexes["post_title_trgm_idx"].lower()
    )
    assert "gin_trgm_ops" in indexes["post_text_trgm_idx"]
    busy_day(30, department=department, author=editor, channels=[channels["x"]])
    Post.objects.filter(title="Beitrag 07").update(text="Die Kreismusikschule sucht Lehrkräfte.")
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")  # a small table: make the planner show it can
        try:
            cursor.execute(
                "EXPLAIN SELECT id FROM posts_post WHERE UPPER(title::text) LIKE UPPER(%s) "
                "OR UPPER(text) LIKE UPPER(%s)",
                ["%musikschule%", "%musikschule%"],
            )
            plan = " ".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("SET enable_seqscan = on")
    assert "post_title_trgm_idx" in plan and "post_text_trgm_idx" in plan
    client.force_login(editor)
    html = client.get("/posts/?q=musikschule").content.decode()
    assert titles(html) == ["Beitrag 07"]
