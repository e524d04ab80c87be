"""Textbausteine: written by Koordination and Administration (audited), for one department or for all,
found by the reply box's search within the item's department; outsiders see nothing of others'."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from audit.models import AuditEvent
from inbox import selectors, services
from inbox.models import InboxItem, SavedReply
from publishing.models import Channel

pytestmark = pytest.mark.django_db
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def replies(coordinator, department, other_department):
    def make(title, text, dept=None, keywords=""):
        return services.saved_reply_create(
            actor=coordinator, title=title, text=text, department=dept, keywords=keywords
        )

    return {
        "all": make("Öffnungszeiten", "Wir sind montags bis freitags von 8 bis 16 Uhr für Sie da."),
        "own": make("Impftermine", "Termine buchen Sie unter lk-row.de/impfen.", department, "Impfung"),
        "other": make("Zulassung", "Wunschkennzeichen reservieren Sie online.", other_department),
    }


def item_of(department):
    now = timezone.now()
    channel = Channel.objects.get_or_create(kind="mastodon", name="Mastodon", defaults={"enabled": True})[0]
    return InboxItem.objects.create(
        channel=channel,
        network_id=f"n-{department.pk}",
        kind=InboxItem.Kind.COMMENT,
        text="Wann kann ich mich impfen lassen?",
        author_handle="@erika",
        received_at=now,
        conversation_key=f"item:{department.pk}",
        department=department,
        due_at=now,
        remind_at=now,
        clock_starts_at=now,
    )


def titles(queryset):
    return [reply.title for reply in queryset]


def test_only_koordination_and_administration_write_them(editor, head, press, admin_user, coordinator):
    for person in (editor, head, press):
        with pytest.raises(PermissionDenied):
            services.saved_reply_create(actor=person, title="T", text="Text")
    reply = services.saved_reply_create(actor=admin_user, title="Dank", text="Danke für den Hinweis!")
    services.saved_reply_update(actor=coordinator, reply=reply, text="Vielen Dank für den Hinweis!")
    verbs = list(
        AuditEvent.objects.filter(verb__startswith="saved_reply.", object_id=str(reply.pk)).values_list(
            "verb", "actor_name"
        )
    )
    assert [verb for verb, _name in verbs] == ["saved_reply.created", "saved_reply.changed"]


def test_staff_find_those_for_all_and_for_their_departments(replies, editor, outsider, coordinator):
    assert titles(selectors.saved_replies_for(editor)) == ["Impftermine", "Öffnungszeiten"]
    assert titles(selectors.saved_replies_for(outsider)) == ["Zulassung", "Öffnungszeiten"]
    assert set(titles(selectors.saved_replies_for(coordinator))) == {
        "Impftermine",
        "Öffnungszeiten",
        "Zulassung",
    }


def test_search_every_word_in_title_text_or_keywords(replies, editor):
    assert titles(selectors.saved_replies_for(editor, query="impfung")) == ["Impftermine"]
    assert titles(selectors.saved_replies_for(editor, query="Termine lk-row")) == ["Impftermine"]
    assert titles(selectors.saved_replies_for(editor, query="Termine Kennzeichen")) == []


def test_inactive_ones_are_not_offered(replies, editor, coordinator):
    services.saved_reply_update(actor=coordinator, reply=replies["own"], active=False)
    assert titles(selectors.saved_replies_for(editor)) == ["Öffnungszeiten"]


def test_the_reply_box_search_is_narrowed_to_the_items_department(
    client, replies, coordinator, department, other_department, django_assert_max_num_queries
):
    item = item_of(department)
    client.force_login(coordinator)
    with django_assert_max_num_queries(8):
        answer = client.get(
            "/inbox/textbausteine/suche/", {"q": "", "item": item.pk}, HTTP_ACCEPT="application/json"
        ).json()
    assert [r["title"] for r in answer["results"]] == ["Impftermine", "Öffnungszeiten"]
    html = client.get("/inbox/textbausteine/suche/", {"q": "termine", "item": item.pk}).content.decode()
    assert "Impftermine" in html and "Zulassung" not in html
    assert 'data-insert-saved-reply="' in html  # inserted for editing, never sent from here


def test_an_outsider_cannot_search_with_another_departments_item(client, replies, outsider, department):
    item = item_of(department)
    client.force_login(outsider)
    assert client.get("/inbox/textbausteine/suche/", {"item": item.pk}).status_code == 404


def test_koordination_writes_one_on_the_page_with_errors_next_to_the_field(client, coordinator, department):
    client.force_login(coordinator)
    response = client.post("/inbox/textbausteine/neu/", {"title": "", "text": "Hallo", "department": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="title-error"' in html and "Dieses Feld ist zwingend erforderlich." in html
    response = client.post(
        "/inbox/textbausteine/neu/",
        {
            "title": "Baustelle",
            "text": "Die Umleitung ist ausgeschildert.",
            "department": department.pk,
            "active": "on",
        },
    )
    assert response.status_code == 302
    reply = SavedReply.objects.get(title="Baustelle")
    assert reply.department == department and reply.active
    response = client.post(
        f"/inbox/textbausteine/{reply.pk}/",
        {"title": "Baustelle B71", "text": reply.text, "department": "", "keywords": "Umleitung"},
    )
    assert response.status_code == 302
    reply.refresh_from_db()
    assert (reply.title, reply.department, reply.active) == ("Baustelle B71", None, False)


def test_editors_read_but_do_not_write(client, editor, replies):
    client.force_login(editor)
    html = client.get("/inbox/textbausteine/").content.decode()
    assert "Impftermine" in html and "Zulassung" not in html and "saved-reply-new" not in html
    assert client.get("/inbox/textbausteine/neu/").status_code == 403
    assert client.get(f"/inbox/textbausteine/{replies['own'].pk}/").status_code == 404


def test_texts_are_escaped(client, coordinator, editor):
    services.saved_reply_create(actor=coordinator, title=XSS, text=XSS)
    client.force_login(editor)
    for url in ("/inbox/textbausteine/", "/inbox/textbausteine/suche/?q=script"):
        html = client.get(url).content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;" in html
