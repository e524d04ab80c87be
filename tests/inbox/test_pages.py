"""/inbox/ and the conversation page: who sees what, the actions, constant queries, escaping."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from channels.models import Channel
from inbox import services
from inbox.models import InboxItem, InboxRead

pytestmark = pytest.mark.django_db


@pytest.fixture
def channel(db):
    return Channel.objects.create(kind="mastodon", name="Mastodon Landkreis", enabled=True)


@pytest.fixture
def make_item(channel):
    counter = iter(range(1, 1_000_000))

    def make(*, department=None, due_in=timedelta(hours=3), state="new", text="Gibt es Termine?", **extra):
        number = next(counter)
        now = timezone.now()
        return InboxItem.objects.create(
            channel=channel,
            network_id=f"n{number}",
            kind=extra.pop("kind", InboxItem.Kind.COMMENT if department else InboxItem.Kind.MENTION),
            text=text,
            author_handle=extra.pop("author_handle", "@erika"),
            author_name=extra.pop("author_name", "Erika Muster"),
            received_at=now,
            conversation_key=f"item:n{number}",
            department=department,
            due_at=now + due_in,
            remind_at=now + due_in - timedelta(hours=1),
            clock_starts_at=now,
            state=state,
            is_open=state != "done",
            **extra,
        )

    return make


def test_department_sees_its_items_most_urgent_first_and_not_the_others(
    client, editor, make_item, department, other_department
):
    later = make_item(department=department, due_in=timedelta(hours=3))
    overdue = make_item(department=department, due_in=timedelta(hours=-1))
    soon = make_item(department=department, due_in=timedelta(minutes=30))
    foreign = make_item(department=other_department, text="Fremdes Amt")
    triage = make_item(text="Ohne Amt")
    client.force_login(editor)

    page = client.get(reverse("inbox:list")).content.decode()

    order = [page.index(f'id="item-{item.pk}"') for item in (overdue, soon, later)]
    assert order == sorted(order)
    assert "überfällig" in page and "bald fällig" in page
    assert f'id="item-{foreign.pk}"' not in page and f'id="item-{triage.pk}"' not in page
    assert client.get(reverse("inbox:item", args=[foreign.pk])).status_code == 404
    assert client.get(reverse("inbox:item", args=[triage.pk])).status_code == 404
    assert client.post(reverse("inbox:take_over", args=[foreign.pk])).status_code == 404


def test_unread_until_opened(client, editor, make_item, department):
    item = make_item(department=department)
    client.force_login(editor)
    assert "inbox-unread" in client.get(reverse("inbox:list")).content.decode()
    client.get(reverse("inbox:item", args=[item.pk]))
    assert InboxRead.objects.filter(user=editor, item=item).exists()
    assert "inbox-unread" not in client.get(reverse("inbox:list")).content.decode()


def test_the_navigation_counts_open_items(client, editor, make_item, department):
    make_item(department=department)
    make_item(department=department)
    make_item(department=department, state="done", closed_at=timezone.now())
    client.force_login(editor)
    page = client.get(reverse("home")).content.decode()
    assert 'id="nav-inbox-list-count" aria-hidden="true">2<' in page  # the shell's badge


def test_take_over_then_close_with_a_reason(client, editor, make_item, department):
    item = make_item(department=department)
    client.force_login(editor)

    client.post(reverse("inbox:take_over", args=[item.pk]))
    item.refresh_from_db()
    assert item.state == "in_progress" and item.assignee == editor and item.first_reaction_at

    missing = client.post(reverse("inbox:close", args=[item.pk]), {"resolution": "answered", "reason": " "})
    assert missing.status_code == 422
    assert (
        "Dieses Feld ist zwingend erforderlich." in missing.content.decode()
        or "Grund" in missing.content.decode()
    )

    client.post(
        reverse("inbox:close", args=[item.pk]),
        {"resolution": "no_answer_needed", "reason": "Nur ein Lob, keine Frage."},
    )
    item.refresh_from_db()
    assert (item.state, item.is_open, item.resolution) == ("done", False, "no_answer_needed")
    event = AuditEvent.objects.get(verb="inbox_item.closed")
    assert event.comment == "Nur ein Lob, keine Frage." and "Termine" not in str(event.after)
    # Closed is closed: a second close or take-over is refused with a message, not a 500.
    again = client.post(reverse("inbox:take_over", args=[item.pk]), follow=True)
    assert "nicht mehr neu" in again.content.decode()


def test_coordination_assigns_a_triage_item_with_a_note_and_the_department_sees_it(
    client, coordinator, editor, make_item, department
):
    item = make_item(text="Die Ampel an der B71 ist kaputt")
    client.force_login(coordinator)
    assert f'id="item-{item.pk}"' in client.get(reverse("inbox:list") + "?department=triage").content.decode()

    no_note = client.post(reverse("inbox:assign", args=[item.pk]), {"department": department.pk, "note": ""})
    assert no_note.status_code == 422
    client.post(
        reverse("inbox:assign", args=[item.pk]), {"department": department.pk, "note": "Bitte antworten."}
    )

    item.refresh_from_db()
    assert item.department == department
    event = AuditEvent.objects.get(verb="inbox_item.assigned")
    assert event.comment == "Bitte antworten." and event.after == {
        "department": department.name,
        "department_id": department.pk,
    }
    client.force_login(editor)
    assert client.get(reverse("inbox:item", args=[item.pk])).status_code == 200
    # Department staff cannot reassign.
    assert (
        client.post(
            reverse("inbox:assign", args=[item.pk]), {"department": department.pk, "note": "x"}
        ).status_code
        == 403
    )


def test_citizens_markup_stays_escaped(client, editor, make_item, department):
    item = make_item(
        department=department,
        text='<script>alert("x")</script><img src=x onerror=alert(1)>',
        author_name="<b>Erika</b>",
    )
    client.force_login(editor)
    for url in (reverse("inbox:list"), reverse("inbox:item", args=[item.pk])):
        page = client.get(url).content.decode()
        assert "<script>alert" not in page and "<img src=x" not in page and "<b>Erika</b>" not in page


def test_inbox_list_has_constant_queries(
    client, coordinator, make_item, department, django_assert_max_num_queries
):
    for _ in range(3):
        make_item(department=department)
    client.force_login(coordinator)
    client.get(reverse("inbox:list"))  # warm caches (groups, content types)
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("inbox:list"))
    for _ in range(40):
        make_item(department=department)
    make_item()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("inbox:list"))
    assert response.content.decode().count('class="inbox-item') == 25
    assert "page=2" in response.content.decode()


def test_services_refuse_outsiders(outsider, make_item, department):
    item = make_item(department=department)
    with pytest.raises(PermissionDenied):
        services.item_take_over(actor=outsider, item=item)
