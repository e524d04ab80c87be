"""The review page: previews, findings, the diff to the last reviewed revision, comments, history – and
the decision forms, with German errors next to the fields and nothing typed lost."""

import itertools
import re

import pytest

from approvals import selectors, services
from approvals.forms import ack_field_name
from approvals.models import Review, WarningAcknowledgement
from posts.models import Post

from .conftest import CLEAN_TEXT, WARN_TEXT, open_step

pytestmark = pytest.mark.django_db


def page(client, user, post_id):
    client.force_login(user)
    response = client.get(f"/approvals/posts/{post_id}/")
    return response, response.content.decode()


@pytest.mark.parametrize("who", ["outsider"])
def test_outsiders_get_404_for_every_url_of_a_post(client, cast, in_review, who):
    review = in_review()
    client.force_login(cast[who])
    base = f"/approvals/posts/{review.post_id}/"
    assert client.get(base).status_code == 404
    assert client.get(base + "history/").status_code == 404
    for action in ("approve", "request-changes", "reject", "edit", "comment"):
        assert (
            client.post(base + action + "/", {"step": open_step(review).pk, "comment": "x"}).status_code
            == 404
        )
    assert Review.objects.get(pk=review.pk).status == Review.Status.OPEN


def test_the_page_shows_previews_findings_with_marks_and_history(client, coordinator, in_review):
    review = in_review(text=WARN_TEXT)
    response, html = page(client, coordinator, review.post_id)
    assert response.status_code == 200
    assert "Ihre Entscheidung (Koordination)" in html
    assert 'class="preview preview--mastodon' in html and 'class="preview preview--facebook' in html
    assert "<mark" in html  # the shouting is marked in the text
    assert "1 Warnung braucht Ihre Begründung" in html
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    for label_for in re.findall(r'<label[^>]*\sfor="([^"]+)"', html):
        assert label_for in ids, label_for
    assert "zur Freigabe eingereicht" in html and "Freigabe eröffnet" in html  # timeline
    assert "Dies ist die erste Prüfung dieses Beitrags." in html
    # Headings in order: one h1, then h2 sections.
    levels = [int(level) for level in re.findall(r"<h([1-6])", html)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels))


def test_the_author_sees_the_page_without_decision_forms(client, editor, in_review):
    review = in_review()
    response, html = page(client, editor, review.post_id)
    assert response.status_code == 200
    assert "Ihre Entscheidung" not in html and 'id="approve-form"' not in html
    assert "Wartet auf: Koordination." in html
    assert "Vier-Augen-Prinzip" in html


def test_approving_through_the_page_with_a_reason_for_the_warning(client, coordinator, in_review):
    review = in_review(text=WARN_TEXT)
    step = open_step(review)
    key = selectors.finding_key(next(f for f in review.findings if f["rule"] == "tone.shouting"))
    client.force_login(coordinator)
    response = client.post(
        f"/approvals/posts/{review.post_id}/approve/",
        {
            "step": step.pk,
            "revision": review.revision_id,
            "schedule": "keep",
            ack_field_name(key): "Warnung vor Glätte, Ausrufezeichen gewollt.",
            "comment": "Gut so.",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/approvals/"
    assert Post.objects.get(pk=review.post_id).status == Post.Status.SCHEDULED
    assert WarningAcknowledgement.objects.get().reason == "Warnung vor Glätte, Ausrufezeichen gewollt."


def test_a_missing_reason_is_an_error_next_to_its_field_and_the_rest_is_kept(client, coordinator, in_review):
    review = in_review(text=WARN_TEXT)
    step = open_step(review)
    key = selectors.finding_key(next(f for f in review.findings if f["rule"] == "tone.shouting"))
    name = ack_field_name(key)
    client.force_login(coordinator)
    response = client.post(
        f"/approvals/posts/{review.post_id}/approve/",
        {
            "step": step.pk,
            "revision": review.revision_id,
            "schedule": "keep",
            name: "",
            "comment": "Mein Kommentar",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert Post.objects.get(pk=review.post_id).status == Post.Status.IN_REVIEW
    field = re.search(rf'<textarea name="{name}"[^>]*>', html).group(0)
    assert f'aria-describedby="approve_{name}_error"' in field and 'aria-invalid="true"' in field
    assert f'id="approve_{name}_error"' in html
    assert "Bitte begründen Sie, warum Sie trotz dieser Warnung freigeben." in html
    assert "Mein Kommentar</textarea>" in html


def test_another_time_needs_a_date_and_a_past_date_is_refused(client, coordinator, in_review):
    review = in_review()
    step = open_step(review)
    client.force_login(coordinator)
    url = f"/approvals/posts/{review.post_id}/approve/"
    data = {"step": step.pk, "revision": review.revision_id, "schedule": "at", "planned_at": ""}
    html = client.post(url, data).content.decode()
    assert "Bitte geben Sie Datum und Uhrzeit der Veröffentlichung an." in html
    data["planned_at"] = "2020-01-01T10:00"
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Der geplante Zeitpunkt liegt in der Vergangenheit." in html
    assert 'value="2020-01-01T10:00"' in html
    assert Post.objects.get(pk=review.post_id).status == Post.Status.IN_REVIEW


def test_publish_now_through_the_page(client, coordinator, in_review):
    review = in_review()
    client.force_login(coordinator)
    client.post(
        f"/approvals/posts/{review.post_id}/approve/",
        {"step": open_step(review).pk, "revision": review.revision_id, "schedule": "now"},
    )
    post = Post.objects.get(pk=review.post_id)
    assert post.status == Post.Status.APPROVED and post.planned_at is None


def test_request_changes_without_a_comment_shows_the_error_in_german(client, coordinator, in_review):
    review = in_review()
    client.force_login(coordinator)
    response = client.post(
        f"/approvals/posts/{review.post_id}/request-changes/",
        {"step": open_step(review).pk, "revision": review.revision_id, "comment": "  "},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Bitte schreiben Sie, was geändert werden soll." in html
    assert '<details class="mt-4" open id="changes-details">' in html
    response = client.post(
        f"/approvals/posts/{review.post_id}/request-changes/",
        {"step": open_step(review).pk, "revision": review.revision_id, "comment": "Bitte Uhrzeit nennen."},
    )
    assert response.status_code == 302
    assert Post.objects.get(pk=review.post_id).status == Post.Status.CHANGES_REQUESTED


def test_reject_without_a_reason_is_refused_with_an_error(client, coordinator, in_review):
    review = in_review()
    client.force_login(coordinator)
    response = client.post(
        f"/approvals/posts/{review.post_id}/reject/",
        {"step": open_step(review).pk, "revision": review.revision_id, "reason": ""},
    )
    assert response.status_code == 400
    assert "Bitte geben Sie den Grund für die Ablehnung an." in response.content.decode()
    assert Post.objects.get(pk=review.post_id).status == Post.Status.IN_REVIEW


def test_the_author_cannot_decide_through_the_page(client, editor, in_review):
    review = in_review()
    client.force_login(editor)
    response = client.post(
        f"/approvals/posts/{review.post_id}/approve/",
        {"step": open_step(review).pk, "revision": review.revision_id, "schedule": "keep"},
    )
    assert response.status_code == 403
    assert Post.objects.get(pk=review.post_id).status == Post.Status.IN_REVIEW


def test_a_step_decided_meanwhile_is_reported_not_applied_to_the_next_one(
    client, coordinator, press, in_review
):
    review = in_review(press_relevant=True)
    first = open_step(review)
    services.step_approve(actor=coordinator, step=first)
    client.force_login(press)
    response = client.post(
        f"/approvals/posts/{review.post_id}/reject/",
        {"step": first.pk, "revision": review.revision_id, "reason": "Zu spät"},
        follow=True,
    )
    assert "Über diesen Freigabeschritt hat bereits jemand anderes entschieden." in response.content.decode()
    assert Review.objects.get(pk=review.pk).status == Review.Status.OPEN


def test_edit_through_the_page_then_the_diff_shows_what_changed_after_resubmission(
    client, coordinator, editor, in_review, submit
):
    from posts.services import post_update

    review = in_review(text=WARN_TEXT)
    client.force_login(coordinator)
    response = client.post(
        f"/approvals/posts/{review.post_id}/edit/",
        {"revision": review.revision_id, "text": CLEAN_TEXT, "link": ""},
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.revision.number == 2
    services.step_request_changes(actor=coordinator, step=open_step(review), comment="Bitte Datum ergänzen.")
    post = Post.objects.get(pk=review.post_id)
    post_update(actor=editor, post=post, text=CLEAN_TEXT + " Termine ab dem 3. Dezember.")
    second = submit(post)
    response, html = page(client, coordinator, post.pk)
    assert "Revision 2 (von der letzten Prüfung gesehen) im Vergleich mit Revision 3." in html
    assert '<ins><span class="visually-hidden">[hinzugefügt: </span>' in html
    assert "Dezember" in html.split('id="diff"')[1].split("</section>")[0]
    assert second.revision.number == 3


def test_an_empty_text_in_the_edit_form_is_an_error_and_nothing_is_saved(client, coordinator, in_review):
    review = in_review()
    client.force_login(coordinator)
    response = client.post(
        f"/approvals/posts/{review.post_id}/edit/",
        {"revision": review.revision_id, "text": "", "link": "kein link"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Der Beitrag braucht einen Text." in html
    assert 'value="kein link"' in html
    assert Post.objects.get(pk=review.post_id).text == CLEAN_TEXT


def test_comments_on_the_review_page(client, coordinator, in_review):
    review = in_review()
    client.force_login(coordinator)
    response = client.post(f"/approvals/posts/{review.post_id}/comment/", {"text": "Bitte Quelle prüfen."})
    assert response.status_code == 302 and response["Location"].endswith("#comments")
    html = client.get(f"/approvals/posts/{review.post_id}/").content.decode()
    assert "Bitte Quelle prüfen." in html
    assert "hat einen internen Kommentar geschrieben" in html


def test_history_page_lists_every_event_of_the_post(client, coordinator, editor, in_review):
    review = in_review()
    services.step_approve(actor=coordinator, step=open_step(review), comment="Passt.")
    client.force_login(editor)
    html = client.get(f"/approvals/posts/{review.post_id}/history/").content.decode()
    for label in (
        "hat den Entwurf angelegt",
        "zur Freigabe eingereicht",
        "Freigabe eröffnet",
        "hat einen Freigabeschritt erteilt",
        "Beitrag freigegeben",
        "Freigabe abgeschlossen: freigegeben",
    ):
        assert label in html
    assert "„Passt.“" in html


def test_templates_obey_the_content_security_policy():
    """No inline scripts, no event handler attributes, no style attributes in approvals' templates."""
    from pathlib import Path

    from django.conf import settings

    for path in Path(settings.BASE_DIR, "approvals", "templates").rglob("*.html"):
        text = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), path
        assert not re.search(r"\son[a-z]+\s*=", text), path
        assert "style=" not in text, path


def test_the_post_page_shows_the_review_and_the_reviewers_edit_to_the_author(
    client, editor, coordinator, in_review
):
    review = in_review()
    client.force_login(editor)
    html = client.get(f"/posts/{review.post_id}/").content.decode()
    box = html.split('id="review-box"')[1].split("</section>")[0]
    assert "Wartet auf: Koordination." in box
    assert f'href="/approvals/posts/{review.post_id}/"' in box
    assert 'id="review-edited"' not in box
    services.review_edit(actor=coordinator, post=review.post, text=CLEAN_TEXT + " Auch samstags.")
    html = client.get(f"/posts/{review.post_id}/").content.decode()
    box = html.split('id="review-box"')[1].split("</section>")[0]
    assert "In der Prüfung geändert von Koordination: Revision 2 (eingereicht: Revision 1)." in box
    assert f"/posts/{review.post_id}/revisions/?from=1&amp;to=2" in box
