"""Koordination rewrites a post in review and then approves its own wording (issue 14): the approval
names that – in the timeline and in the author's notification, with the change – and a setting can
require a second person in that case."""

from __future__ import annotations

import pytest
from django.core import mail

from approvals import services
from audit.models import AuditEvent
from notifications.models import Notification

from .conftest import CLEAN_TEXT, open_step

pytestmark = pytest.mark.django_db

NEW_TEXT = CLEAN_TEXT + " Auch samstags von 9 bis 12 Uhr."


def _edit_and_approve(review, coordinator):
    review = services.review_edit(actor=coordinator, post=review.post, text=NEW_TEXT)
    return services.step_approve(
        actor=coordinator, step=open_step(review), revision=review.revision_id, comment="Passt so."
    )


def test_an_approval_after_the_reviewers_own_edit_names_it_with_the_change(
    cast, in_review, coordinator, django_capture_on_commit_callbacks
):
    review = in_review()
    with django_capture_on_commit_callbacks(execute=True):
        _edit_and_approve(review, coordinator)
    event = AuditEvent.objects.get(verb="review.approved_with_reviewer_edits", post_id=review.post_id)
    assert event.before["text"] == CLEAN_TEXT and event.after["text"] == NEW_TEXT
    assert "Koordination" in event.comment or coordinator.get_full_name() in event.comment
    note = Notification.objects.get(kind=Notification.Kind.APPROVED, recipient=cast["editor"])
    assert "Auch samstags von 9 bis 12 Uhr." in note.comment
    assert "geändert" in note.comment
    approved_mail = next(
        m for m in mail.outbox if m.to == [cast["editor"].email] and "freigegeben" in m.subject
    )
    assert "Auch samstags von 9 bis 12 Uhr." in approved_mail.body and "geändert" in approved_mail.body


def test_without_an_edit_the_approval_says_nothing_about_one(cast, in_review, coordinator):
    review = in_review()
    services.step_approve(actor=coordinator, step=open_step(review), revision=review.revision_id)
    assert not AuditEvent.objects.filter(verb="review.approved_with_reviewer_edits").exists()


def test_a_setting_requires_a_second_person_after_the_reviewers_own_edit(
    cast, in_review, coordinator, make_user, settings
):
    settings.REVIEW_EDIT_NEEDS_SECOND_PERSON = True
    review = in_review()
    review = services.review_edit(actor=coordinator, post=review.post, text=NEW_TEXT)
    with pytest.raises(services.DecisionRefused):
        services.step_approve(actor=coordinator, step=open_step(review), revision=review.revision_id)
    second = make_user("koordination2", groups=["Koordination"])
    services.step_approve(actor=second, step=open_step(review), revision=review.revision_id)
