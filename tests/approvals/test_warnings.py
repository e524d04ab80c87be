"""Warnings must be acknowledged with a reason to approve; blocking findings make approval impossible;
the reviewer's edit is a new revision that is checked again."""

import pytest
from django.core.exceptions import ValidationError

from approvals import selectors, services
from approvals.models import Review, ReviewStep, WarningAcknowledgement
from audit.models import AuditEvent
from notifications.models import Notification
from posts.models import Post

from .conftest import CLEAN_TEXT, PRESS_TEXT, WARN_TEXT, open_step

pytestmark = pytest.mark.django_db


def shouting(review):
    return next(f for f in review.findings if f["rule"] == "tone.shouting")


def test_approval_without_a_reason_for_each_warning_is_refused(in_review, coordinator):
    review = in_review(text=WARN_TEXT)
    step = open_step(review)
    with pytest.raises(services.WarningsNotAcknowledged) as caught:
        services.step_approve(actor=coordinator, step=step)
    assert [f.rule for f in caught.value.missing] == ["tone.shouting"]
    with pytest.raises(services.WarningsNotAcknowledged):
        services.step_approve(
            actor=coordinator, step=step, acknowledgements={selectors.finding_key(shouting(review)): "   "}
        )
    assert Post.objects.get(pk=review.post_id).status == Post.Status.IN_REVIEW
    assert not WarningAcknowledgement.objects.exists()


def test_the_reason_is_stored_per_finding_with_reviewer_and_revision(in_review, coordinator):
    review = in_review(text=WARN_TEXT)
    key = selectors.finding_key(shouting(review))
    services.step_approve(
        actor=coordinator,
        step=open_step(review),
        acknowledgements={key: "Die Ausrufezeichen sind hier gewollt (Warnung vor Glätte)."},
    )
    ack = WarningAcknowledgement.objects.get()
    assert ack.finding_key == key and ack.rule == "tone.shouting"
    assert ack.acknowledged_by == coordinator
    assert ack.revision == review.revision
    assert ack.reason.startswith("Die Ausrufezeichen")
    event = AuditEvent.objects.get(verb="review.warning_acknowledged")
    assert event.comment == ack.reason and event.after["rule"] == "tone.shouting"
    assert event.after["revision"] == review.revision.number
    assert Post.objects.get(pk=review.post_id).status == Post.Status.SCHEDULED


def test_an_acknowledgement_of_the_first_step_carries_to_the_next_step_of_the_same_revision(
    in_review, coordinator, press
):
    review = in_review(text=WARN_TEXT, press_relevant=True)
    key = selectors.finding_key(shouting(review))
    services.step_approve(actor=coordinator, step=open_step(review), acknowledgements={key: "Gewollt."})
    services.step_approve(actor=press, step=open_step(review))  # already acknowledged for this revision
    assert Review.objects.get(pk=review.pk).status == Review.Status.APPROVED


def test_blocking_findings_make_approval_impossible(in_review, coordinator):
    review = in_review()
    step = open_step(review)
    # The reviewer's own edit brings in a phone number (personal_data blocks).
    services.review_edit(
        actor=coordinator, post=review.post, text=CLEAN_TEXT + " Rufen Sie Frau Meier an: 0171 2345678."
    )
    review.refresh_from_db()
    assert any(f["severity"] == "block" for f in review.findings)
    with pytest.raises(services.ApprovalBlocked) as caught:
        services.step_approve(actor=coordinator, step=step)
    assert caught.value.findings
    assert Post.objects.get(pk=review.post_id).status == Post.Status.IN_REVIEW
    # Request changes and reject stay possible.
    services.step_request_changes(actor=coordinator, step=step, comment="Bitte ohne Handynummer.")


def test_the_reviewer_edit_is_a_new_revision_checked_again_and_shown_to_the_author(
    in_review, coordinator, editor
):
    review = in_review(text=WARN_TEXT)
    key = selectors.finding_key(shouting(review))
    services.review_edit(actor=coordinator, post=review.post, text=CLEAN_TEXT)
    review.refresh_from_db()
    post = Post.objects.get(pk=review.post_id)
    assert post.text == CLEAN_TEXT
    assert review.revision.number == 2 and review.submitted_revision.number == 1
    assert review.revision.created_by == coordinator
    assert review.warning_count == 0
    assert "tone.shouting" not in [f["rule"] for f in review.findings]
    assert {"post.edited_in_review", "review.revised"} <= set(
        AuditEvent.objects.filter(post_id=post.pk).values_list("verb", flat=True)
    )
    note = Notification.objects.get(recipient=editor, kind=Notification.Kind.EDITED)
    assert note.post_id == post.pk
    # The edit removed the warning: approval needs no acknowledgement any more.
    services.step_approve(actor=coordinator, step=open_step(review))
    assert not WarningAcknowledgement.objects.filter(finding_key=key).exists()


def test_warnings_of_a_new_revision_must_be_acknowledged_again(in_review, coordinator):
    review = in_review(text=WARN_TEXT)
    step = open_step(review)
    key = selectors.finding_key(shouting(review))
    services.warning_acknowledge(actor=coordinator, step=step, finding=shouting(review), reason="Gewollt.")
    services.review_edit(actor=coordinator, post=review.post, text=WARN_TEXT + " Bitte weitersagen.")
    review.refresh_from_db()
    assert selectors.finding_key(shouting(review)) == key  # the same warning, in the new revision
    with pytest.raises(services.WarningsNotAcknowledged):
        services.step_approve(actor=coordinator, step=step)
    services.step_approve(actor=coordinator, step=step, acknowledgements={key: "Immer noch gewollt."})
    assert list(WarningAcknowledgement.objects.order_by("pk").values_list("revision__number", flat=True)) == [
        1,
        2,
    ]


def test_an_edit_that_makes_the_post_press_relevant_adds_the_press_step(in_review, coordinator):
    review = in_review()
    services.review_edit(actor=coordinator, post=review.post, text=PRESS_TEXT)
    review.refresh_from_db()
    assert review.press_relevant is True
    assert list(review.steps.order_by("position").values_list("kind", "status")) == [
        (ReviewStep.Kind.COORDINATION, ReviewStep.Status.OPEN),
        (ReviewStep.Kind.PRESS, ReviewStep.Status.WAITING),
    ]
    assert AuditEvent.objects.filter(verb="review.step_added", post_id=review.post_id).exists()


def test_the_author_cannot_edit_through_the_review(in_review, editor):
    review = in_review()
    with pytest.raises(services.DecisionRefused):
        services.review_edit(actor=editor, post=review.post, text=CLEAN_TEXT + " Neu.")


def test_acknowledging_needs_a_reason(in_review, coordinator):
    review = in_review(text=WARN_TEXT)
    with pytest.raises(ValidationError):
        services.warning_acknowledge(
            actor=coordinator, step=open_step(review), finding=shouting(review), reason=" "
        )
