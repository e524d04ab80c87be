"""The editorial calendar (month and week) and the per-user iCal feed, parsed back with icalendar."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
from django.urls import reverse
from django.utils import timezone

from posts.models import CalendarFeed, Post
from posts.services import calendar_feed_renew

BERLIN = ZoneInfo("Europe/Berlin")


def planned(post, when):
    Post.objects.filter(pk=post.pk).update(planned_at=when)
    post.refresh_from_db()
    return post


def test_month_view_shows_planned_posts_on_their_berlin_day(client, editor, draft):
    # 23:30 UTC on 14 March is 00:30 on 15 March in Berlin.
    planned(draft, datetime(2031, 3, 14, 23, 30, tzinfo=ZoneInfo("UTC")))
    client.force_login(editor)
    html = client.get(reverse("posts:calendar") + "?date=2031-03-01").content.decode()
    assert "März 2031" in html
    cells = html.split('class="calendar__day')
    day15 = next(cell for cell in cells if ">15." in cell[:400])
    assert "Impftermine im Dezember" in day15 and "00:30" in day15


def test_week_view_and_filters(client, coordinator, draft, channels, department, other_department):
    planned(draft, datetime(2031, 3, 12, 10, 0, tzinfo=BERLIN))  # a Wednesday
    client.force_login(coordinator)
    week = client.get(reverse("posts:calendar") + "?view=week&date=2031-03-10").content.decode()
    assert "Impftermine im Dezember" in week and "Mittwoch, 12. März" in week
    other_week = client.get(reverse("posts:calendar") + "?view=week&date=2031-03-17").content.decode()
    assert "Impftermine im Dezember" not in other_week
    url = reverse("posts:calendar") + "?view=week&date=2031-03-10"
    assert "Impftermine" not in client.get(url + f"&department={other_department.pk}").content.decode()
    assert "Impftermine" in client.get(url + f"&department={department.pk}").content.decode()
    assert "Impftermine" not in client.get(url + f"&channel={channels['facebook'].pk}").content.decode()
    assert "Impftermine" in client.get(url + f"&channel={channels['x'].pk}").content.decode()
    assert client.get(reverse("posts:calendar") + "?date=kaputt&department=x").status_code == 200


def test_published_posts_show_at_their_publication_time(client, editor, draft):
    planned(draft, datetime(2031, 3, 12, 10, 0, tzinfo=BERLIN))
    Post.objects.filter(pk=draft.pk).update(
        status=Post.Status.PUBLISHED, published_at=datetime(2031, 3, 13, 9, 5, tzinfo=BERLIN)
    )
    client.force_login(editor)
    week = client.get(reverse("posts:calendar") + "?view=week&date=2031-03-10").content.decode()
    thursday = week.split("Donnerstag, 13. März")[1].split("Freitag")[0]
    assert "Impftermine im Dezember" in thursday and "09:05" in thursday


def test_ical_feed_is_valid_and_parses_back(client, editor, draft, outsider, other_department):
    when = timezone.now().replace(microsecond=0, second=0) + timedelta(days=3)
    planned(draft, when)
    from tests.posts.test_lists import make_posts

    make_posts(1, department=other_department, author=outsider, channels=[], title="Fremd")
    feed = calendar_feed_renew(actor=editor)
    response = client.get(reverse("posts:calendar_feed", args=[feed.token]))  # no login
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content
    # RFC 5545: CRLF line endings, lines folded at 75 octets.
    assert b"\r\n" in body and all(len(line) <= 75 for line in body.split(b"\r\n"))
    calendar = icalendar.Calendar.from_ical(body)
    assert calendar["VERSION"] == "2.0" and "Landkreis Social" in str(calendar["PRODID"])
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    event = events[0]
    assert str(event["UID"]) == f"post-{draft.pk}@social.landkreis.example"
    assert event.decoded("DTSTART") == when
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(minutes=15)
    assert "DTSTAMP" in event
    assert str(event["SUMMARY"]) == "[GA] Impftermine im Dezember"
    assert str(event["URL"]) == f"https://social.landkreis.example/posts/{draft.pk}/"
    assert str(event["STATUS"]) == "TENTATIVE"


def test_ical_feed_can_be_renewed_and_revoked(client, editor):
    first = calendar_feed_renew(actor=editor)
    second = calendar_feed_renew(actor=editor)
    assert first.token != second.token
    assert client.get(reverse("posts:calendar_feed", args=[first.token])).status_code == 404
    assert client.get(reverse("posts:calendar_feed", args=[second.token])).status_code == 200
    client.force_login(editor)
    response = client.post(reverse("posts:calendar_feed_revoke"))
    assert response.status_code == 302
    assert not CalendarFeed.objects.exists()
    client.logout()
    assert client.get(reverse("posts:calendar_feed", args=[second.token])).status_code == 404


def test_calendar_page_creates_the_feed_address(client, editor):
    client.force_login(editor)
    client.post(reverse("posts:calendar_feed_renew"))
    feed = CalendarFeed.objects.get(user=editor)
    html = client.get(reverse("posts:calendar")).content.decode()
    assert f"/posts/calendar/feed/{feed.token}.ics" in html


def test_a_deactivated_users_feed_stops(client, editor):
    feed = calendar_feed_renew(actor=editor)
    editor.is_active = False
    editor.save(update_fields=["is_active"])
    assert client.get(reverse("posts:calendar_feed", args=[feed.token])).status_code == 404
