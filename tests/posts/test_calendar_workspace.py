"""The calendar as a workspace (issue 17): reschedule an approved post by drag and drop (JSON) or with
the form beside it (the keyboard way) – one endpoint, the ``post_reschedule`` service, its permission
and audit –, start a post for a day, network icons, live channels only in the filter, and the agenda
list for phones."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from channels.models import Channel
from posts.models import Post

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(department, editor, channels):
    post = Post.objects.create(
        department=department,
        author=editor,
        title="Impfbus in Zeven",
        text="Text",
        status=Post.Status.SCHEDULED,
        planned_at=timezone.now() + timedelta(days=2),
    )
    post.channels.set([channels["mastodon"]])
    return post


def later_local(days=4, hour=14, minute=30) -> str:
    day = timezone.localdate() + timedelta(days=days)
    return f"{day.isoformat()}T{hour:02d}:{minute:02d}"


def test_the_coordination_moves_a_post_with_the_form(client, coordinator, approved):
    client.force_login(coordinator)
    response = client.post(
        reverse("posts:reschedule", args=[approved.pk]),
        {"planned_at": later_local(), "next": "/posts/calendar/?view=week"},
    )
    assert response.status_code == 302 and response["Location"] == "/posts/calendar/?view=week"
    approved.refresh_from_db()
    assert timezone.localtime(approved.planned_at).strftime("%H:%M") == "14:30"
    assert timezone.localtime(approved.planned_at).date() == timezone.localdate() + timedelta(days=4)
    event = AuditEvent.objects.filter(verb="post.rescheduled").get()
    assert event.actor_id == coordinator.pk and event.post_id == approved.pk


def test_drag_and_drop_gets_json_from_the_same_endpoint(client, coordinator, approved):
    client.force_login(coordinator)
    response = client.post(
        reverse("posts:reschedule", args=[approved.pk]),
        {"planned_at": later_local(days=5, hour=9, minute=0)},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["ok"] and "Impfbus in Zeven" in data["message"]
    approved.refresh_from_db()
    assert timezone.localtime(approved.planned_at).date() == timezone.localdate() + timedelta(days=5)


def test_a_time_in_the_past_is_refused_in_german(client, coordinator, approved):
    client.force_login(coordinator)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat() + "T10:00"
    response = client.post(
        reverse("posts:reschedule", args=[approved.pk]),
        {"planned_at": yesterday},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 422
    assert "Vergangenheit" in json.loads(response.content)["message"]
    response = client.post(
        reverse("posts:reschedule", args=[approved.pk]), {"planned_at": "morgen"}, follow=True
    )
    assert "Bitte geben Sie Datum und Uhrzeit ein" in response.content.decode()


def test_only_the_coordination_may_move(client, editor, outsider, approved):
    client.force_login(editor)
    response = client.post(
        reverse("posts:reschedule", args=[approved.pk]),
        {"planned_at": later_local()},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 403
    assert (
        client.post(
            reverse("posts:reschedule", args=[approved.pk]), {"planned_at": later_local()}
        ).status_code
        == 403
    )
    client.force_login(outsider)
    assert (
        client.post(
            reverse("posts:reschedule", args=[approved.pk]), {"planned_at": later_local()}
        ).status_code
        == 404
    )
    assert not AuditEvent.objects.filter(verb="post.rescheduled").exists()


def test_the_calendar_offers_drag_and_the_move_form_to_the_coordination_only(
    client, coordinator, editor, approved, department
):
    draft = Post.objects.create(
        department=department, author=editor, title="Entwurf", planned_at=approved.planned_at
    )
    day = timezone.localtime(approved.planned_at).date().isoformat()
    client.force_login(coordinator)
    html = client.get(f"/posts/calendar/?date={day}").content.decode()
    assert html.count(f'data-reschedule-url="/posts/{approved.pk}/reschedule/"') >= 1
    assert f"/posts/{draft.pk}/reschedule/" not in html  # only approved posts move
    assert 'class="calendar__move"' in html and "js/calendar.js" in html
    assert f'data-date="{day}"' in html
    client.force_login(editor)
    html = client.get(f"/posts/calendar/?date={day}").content.decode()
    assert "data-reschedule-url" not in html and 'class="calendar__move"' not in html


def test_a_day_starts_a_post_planned_for_it(client, editor, channels):
    client.force_login(editor)
    day = timezone.localdate() + timedelta(days=3)
    html = client.get(f"/posts/calendar/?date={day.isoformat()}").content.decode()
    assert f'href="/posts/new/?day={day.isoformat()}"' in html
    editor_page = client.get(f"/posts/new/?day={day.isoformat()}").content.decode()
    assert f'value="{day.isoformat()}T10:00"' in editor_page
    past = (timezone.localdate() - timedelta(days=3)).isoformat()
    assert f'value="{past}T10:00"' not in client.get(f"/posts/new/?day={past}").content.decode()


def test_the_filter_offers_live_channels_only_and_entries_show_network_icons(
    client, coordinator, approved, channels
):
    client.force_login(coordinator)
    day = timezone.localtime(approved.planned_at).date().isoformat()
    html = client.get(f"/posts/calendar/?date={day}").content.decode()
    select = html.split('id="cal-channel"', 1)[1].split("</select>", 1)[0]
    assert "Mastodon Landkreis" in select
    assert "Instagram Landkreis" not in select  # enabled but in no active phase
    assert Channel.objects.filter(name="Instagram Landkreis").exists()
    assert "#net-mastodon" in html


def test_the_month_has_an_agenda_list_for_phones(client, coordinator, approved):
    client.force_login(coordinator)
    day = timezone.localtime(approved.planned_at).date()
    html = client.get(f"/posts/calendar/?date={day.isoformat()}").content.decode()
    agenda = html.split('class="list-unstyled calendar-agenda"', 1)[1].split("</ol>", 1)[0]
    assert "Impfbus in Zeven" in agenda


def test_the_same_new_post_form_sent_twice_makes_one_post(client, editor, department, channels):
    client.force_login(editor)
    html = client.get("/posts/new/").content.decode()
    token = html.split('name="create_token" value="', 1)[1].split('"', 1)[0]
    data = {
        "department": department.pk,
        "title": "Impfbus",
        "text": "Der Impfbus kommt.",
        "create_token": token,
    }
    first = client.post("/posts/new/", data)
    assert first.status_code == 302
    second = client.post("/posts/new/", data, follow=True)
    assert Post.objects.filter(title="Impfbus").count() == 1
    post = Post.objects.get(title="Impfbus")
    assert second.redirect_chain[-1][0] == f"/posts/{post.pk}/edit/"
    assert "Nichts wurde doppelt gespeichert" in second.content.decode()
    # A new form (a new token) with another text makes a new post, as it should.
    html = client.get("/posts/new/").content.decode()
    data["create_token"] = html.split('name="create_token" value="', 1)[1].split('"', 1)[0]
    data["text"] = "Der Impfbus kommt auch nach Zeven."
    client.post("/posts/new/", data)
    assert Post.objects.filter(title="Impfbus").count() == 2


def test_without_the_token_the_same_text_within_minutes_is_the_same_post(
    client, editor, department, channels
):
    """A browser that does not restore the token after Back: title, text and department decide."""
    client.force_login(editor)
    data = {"department": department.pk, "title": "Impfbus", "text": "Der Impfbus kommt."}
    client.post("/posts/new/", data)
    client.post("/posts/new/", data)
    assert Post.objects.filter(title="Impfbus").count() == 1
