"""The week as a time grid (issue 17): days as columns, hours as rows (06:00–22:00, widened to the hours
that have posts), each post in its Berlin hour, each cell a drop target (data-date, data-hour), the
"Move" form (the keyboard way) in the grid too, unique ids although a post shows in two regions, the
short German time the drag announces, and the same number of queries with 5 and 50 posts in the week."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from posts import calendar as cal
from posts.models import Post
from publishing.models import Delivery

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = datetime(2031, 3, 10, tzinfo=BERLIN)  # the week of 10–16 March 2031
WEEK_URL = reverse("posts:calendar") + "?view=week&date=2031-03-12"


def scheduled(*, department, author, channels, when: datetime, title: str = "Impfbus in Zeven") -> Post:
    post = Post.objects.create(
        department=department,
        author=author,
        title=title,
        text="Der Impfbus hält am Samstag in Zeven.",
        status=Post.Status.SCHEDULED,
        planned_at=when,
    )
    post.channels.set(channels)
    return post


def grid_of(html: str) -> str:
    return html.split('class="table table-bordered calendar calendar--hours"', 1)[1].split("</table>", 1)[0]


def cell(grid: str, day: str, hour: int) -> str:
    """The content of the grid's cell for ``day`` (YYYY-MM-DD) and ``hour``."""
    match = re.search(rf'<td [^>]*data-date="{day}" data-hour="{hour}"[^>]*>(.*?)</td>', grid, re.S)
    assert match, f"no cell for {day} {hour}:00"
    return match.group(1)


def row_headers(grid: str) -> list[str]:
    return re.findall(r'<th scope="row" class="calendar__hour">(\d\d:00)</th>', grid)


def test_each_post_sits_in_the_cell_of_its_day_and_hour(client, coordinator, department, editor, channels):
    scheduled(
        department=department,
        author=editor,
        channels=[channels["x"]],
        when=MONDAY + timedelta(days=2, hours=14, minutes=30),
    )
    client.force_login(coordinator)
    grid = grid_of(client.get(WEEK_URL).content.decode())
    assert "Impfbus in Zeven" in cell(grid, "2031-03-12", 14)
    assert "14:30" in cell(grid, "2031-03-12", 14)
    assert "Impfbus" not in cell(grid, "2031-03-12", 13) + cell(grid, "2031-03-13", 14)
    assert grid.count('class="calendar__entry ') == 1
    # A real table: the days are column headers, the hours row headers.
    columns = re.findall(
        r'<th scope="col" class="calendar__dayhead[^"]*">.*?<span class="d-none d-xl-inline"><span class="d-block">(\w+)</span>',
        grid,
    )
    assert columns == ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]
    assert row_headers(grid) == [f"{hour:02d}:00" for hour in range(6, 22)]
    assert len(re.findall(r"<td [^>]*data-hour=", grid)) == 16 * 7


def test_the_hours_widen_to_posts_before_six_and_after_ten(client, editor, department, channels):
    # 03:30 UTC on Tuesday is 04:30 in Berlin; 22:15 UTC on Friday is 23:15.
    scheduled(
        department=department,
        author=editor,
        channels=[channels["x"]],
        when=datetime(2031, 3, 11, 3, 30, tzinfo=ZoneInfo("UTC")),
        title="Früh",
    )
    scheduled(
        department=department,
        author=editor,
        channels=[channels["x"]],
        when=datetime(2031, 3, 14, 22, 15, tzinfo=ZoneInfo("UTC")),
        title="Spät",
    )
    client.force_login(editor)
    grid = grid_of(client.get(WEEK_URL).content.decode())
    assert row_headers(grid) == [f"{hour:02d}:00" for hour in range(4, 24)]
    assert "Früh" in cell(grid, "2031-03-11", 4) and "04:30" in cell(grid, "2031-03-11", 4)
    assert "Spät" in cell(grid, "2031-03-14", 23) and "23:15" in cell(grid, "2031-03-14", 23)
    # The week list (narrow screens) is unchanged: the same posts under their days.
    html = client.get(WEEK_URL).content.decode()
    listed = html.split('class="list-unstyled calendar calendar--week"', 1)[1]
    assert "Früh" in listed.split("Mittwoch, 12. März")[0]


def test_hours_that_are_over_are_marked_past():
    days = cal.week_days(MONDAY.date(), [])
    now = MONDAY + timedelta(days=2, hours=14, minutes=30)  # Wednesday 14:30
    rows = cal.week_hours(days, now=now)
    wednesday = {row.hour: row.slots[2] for row in rows}
    assert wednesday[13].past and not wednesday[14].past and not wednesday[15].past
    assert all(row.slots[1].past for row in rows) and not any(row.slots[3].past for row in rows)


def test_the_grid_offers_the_handle_and_the_move_form_to_the_coordination_only(
    client, coordinator, editor, department, channels
):
    post = scheduled(
        department=department,
        author=editor,
        channels=[channels["x"]],
        when=MONDAY + timedelta(days=2, hours=14, minutes=30),
    )
    client.force_login(coordinator)
    html = client.get(WEEK_URL).content.decode()
    entry = cell(grid_of(html), "2031-03-12", 14)
    assert 'class="calendar__grip"' in entry
    assert f'data-reschedule-url="/posts/{post.pk}/reschedule/"' in html
    assert 'data-planned-at="2031-03-12T14:30"' in entry and 'data-time="14:30"' in entry
    assert f'id="move-hours-{post.pk}"' in entry and f'for="move-hours-{post.pk}"' in entry
    assert 'name="next" value="/posts/calendar/?view=week&amp;date=2031-03-12"' in entry
    # The texts the script announces come translated from the page.
    assert 'data-text-moved="„{title}“ verschoben auf {when}."' in html
    assert 'data-text-cancelled="Verschieben abgebrochen."' in html
    assert re.search(r'<td [^>]*data-date="2031-03-12" data-hour="14" data-label="Mi 12. Mär">', html)
    client.force_login(editor)
    html = client.get(WEEK_URL).content.decode()
    assert "calendar__grip" not in html and "data-reschedule-url" not in html
    assert "Impfbus in Zeven" in cell(grid_of(html), "2031-03-12", 14)


@pytest.mark.parametrize("view", ["month", "week"])
def test_ids_are_unique_although_a_post_shows_twice(client, coordinator, editor, department, channels, view):
    for hour in (9, 14):
        scheduled(
            department=department,
            author=editor,
            channels=[channels["x"]],
            when=MONDAY + timedelta(days=2, hours=hour),
        )
    client.force_login(coordinator)
    html = client.get(reverse("posts:calendar") + f"?view={view}&date=2031-03-12").content.decode()
    ids = re.findall(r'\sid="([^"]+)"', html)
    # Two posts, each in two regions (month: agenda and grid; week: list and time grid).
    assert len(re.findall(r'id="move-(?:month|agenda|week|hours)-', html)) == 4
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def test_the_move_answers_the_short_german_time_the_calendar_announces(
    client, coordinator, editor, department, channels
):
    post = scheduled(
        department=department,
        author=editor,
        channels=[channels["x"]],
        when=timezone.now() + timedelta(days=2),
    )
    day = timezone.localdate() + timedelta(days=3)
    client.force_login(coordinator)
    response = client.post(
        reverse("posts:reschedule", args=[post.pk]),
        {"planned_at": f"{day.isoformat()}T16:45"},
        HTTP_ACCEPT="application/json",
    )
    data = json.loads(response.content)
    weekday = ["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"][day.weekday()]
    months = ["Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez"]
    assert data["ok"] and data["when"] == f"{weekday} {day.day}. {months[day.month - 1]}, 16:45"


def make_week(count: int, *, department, author, channels, first: int = 0) -> None:
    """``count`` scheduled posts spread over the week's days and hours, each with a delivery per channel."""
    posts = Post.objects.bulk_create(
        Post(
            department=department,
            author=author,
            title=f"Beitrag {index:02d}",
            text="Ab Montag neue Termine.",
            planned_at=MONDAY + timedelta(days=index % 7, hours=6 + index % 16, minutes=index),
            status=Post.Status.SCHEDULED,
        )
        for index in range(first, first + count)
    )
    through = Post.channels.through
    through.objects.bulk_create(
        through(post_id=post.pk, channel_id=channel.pk) for post in posts for channel in channels
    )
    Delivery.objects.bulk_create(
        Delivery(post=post, channel=channel, due_at=post.planned_at) for post in posts for channel in channels
    )


@pytest.mark.parametrize("who", ["editor", "coordinator"])
def test_the_week_costs_the_same_queries_with_5_and_50_posts(
    client, cast, who, department, channels, django_assert_num_queries
):
    client.force_login(cast[who])
    make_week(5, department=department, author=cast["editor"], channels=[channels["x"]])
    client.get(WEEK_URL)  # warm the session and the content-type cache
    with CaptureQueriesContext(connection) as five:
        html = client.get(WEEK_URL).content.decode()
    assert grid_of(html).count('class="calendar__entry ') == 5
    make_week(
        45,
        department=department,
        author=cast["editor"],
        channels=[channels["x"], channels["mastodon"]],
        first=5,
    )
    with django_assert_num_queries(len(five.captured_queries)):
        html = client.get(WEEK_URL).content.decode()
    assert grid_of(html).count('class="calendar__entry ') == 50
