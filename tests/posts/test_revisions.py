"""Revisions and the diff page between any two of them."""

from __future__ import annotations

from django.urls import reverse

from posts import services
from posts.diff import diff_text


def test_diff_text_marks_inserted_and_deleted_words():
    pieces = diff_text("Impfung am Montag im Kreishaus", "Impfung am Dienstag im Kreishaus Rotenburg")
    assert [(p.op, p.text) for p in pieces if p.op != "equal"] == [
        ("delete", "Montag"),
        ("insert", "Dienstag"),
        ("insert", " Rotenburg"),
    ]
    assert "".join(p.text for p in pieces if p.op != "delete") == "Impfung am Dienstag im Kreishaus Rotenburg"


def test_revision_page_compares_any_two_revisions(client, editor, coordinator, draft, acknowledged):
    acknowledged(editor)
    services.post_submit(actor=editor, post=draft)
    services.post_update(
        actor=coordinator, post=draft, text="Ab Dienstag vergibt das Gesundheitsamt Termine."
    )
    services.post_update(actor=coordinator, post=draft, title="Impftermine ab Dienstag")
    client.force_login(editor)
    url = reverse("posts:revisions", args=[draft.pk])
    html = client.get(url).content.decode()
    # Default: the last two revisions (2 → 3): only the title changed.
    assert "Änderungen von Revision 2 zu 3" in html
    assert "Dienstag" in html.split("Interner Titel")[1].split("</dd>")[0]
    html = client.get(url + "?from=1&to=2").content.decode()
    text_diff = html.split('id="diff"')[1]
    assert "<del>" in text_diff and "<ins>" in text_diff
    assert "Montag" in text_diff and "Dienstag" in text_diff
    assert "hinzugefügt" in text_diff and "entfernt" in text_diff
    # Reversed or nonsense numbers do not break the page.
    assert client.get(url + "?from=3&to=1").status_code == 200
    assert client.get(url + "?from=x&to=99").status_code == 200
    rows = client.get(url).content.decode().split('id="revision-table"')[1]
    assert "Koordination" in rows and "eingereicht" in rows


def test_revision_page_without_revisions(client, editor, draft):
    client.force_login(editor)
    assert "Noch keine Revisionen" in client.get(reverse("posts:revisions", args=[draft.pk])).content.decode()
