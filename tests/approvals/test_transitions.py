"""Every step transition, allowed and refused; the post's status follows the review."""

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from approvals import services
from approvals.models import Review, ReviewStep
from approvals.selectors import KEEP
from audit.models import AuditEvent
from posts.models import Post

from .conftest import WARN_TEXT, open_step, staffed_time

pytestmark = pytest.mark.django_db


def verbs(post):
    return list(AuditEvent.objects.filter(post_id=post.pk).values_list("verb", flat=True))


def test_clean_post_has_no_findings_worth_a_reason(in_review):
    review = in_review()
    assert review.warning_count == 0
    assert not [f for f in review.findings if f["severity"] in ("warn", "block")], review.findings


def test_approving_the_only_step_approves_the_post_for_its_planned_time(in_review, coordinator):
    review = in_review()
    step = open_step(review)
    services.step_approve(actor=coordinator, step=step, comment="Passt.")
    review.refresh_from_db()
    step.refresh_from_db()
    post = Post.objects.get(pk=review.post_id)
    assert review.status == Review.Status.APPROVED
    assert review.finished_by == coordinator and review.finished_at is not None
    assert step.status == ReviewStep.Status.APPROVED
    assert step.decided_by == coordinator and step.comment == "Passt." and step.revision == review.revision
    assert post.status == Post.Status.SCHEDULED  # planned in the future
    assert {"review.opened", "review.step_approved", "post.approved", "review.approved"} <= set(verbs(post))


def test_publish_now_clears_the_planned_time(in_review, coordinator):
    review = in_review()
    services.step_approve(actor=coordinator, step=open_step(review), planned_at=None)
    post = Post.objects.get(pk=review.post_id)
    assert post.planned_at is None
    assert post.status == Post.Status.APPROVED
    event = AuditEvent.objects.get(verb="review.approved", post_id=post.pk)
    assert event.after["publish_now"] is True


def test_approval_can_move_the_planned_time(in_review, coordinator):
    review = in_review()
    later = staffed_time(days_ahead=10, hour=11)
    services.step_approve(actor=coordinator, step=open_step(review), planned_at=later)
    post = Post.objects.get(pk=review.post_id)
    assert post.planned_at == later
    assert post.status == Post.Status.SCHEDULED


def test_a_planned_time_in_the_past_is_refused(in_review, coordinator):
    review = in_review()
    with pytest.raises(ValidationError) as caught:
        services.step_approve(
            actor=coordinator, step=open_step(review), planned_at=timezone.now() - timedelta(hours=1)
        )
    assert "planned_at" in caught.value.error_dict
    assert Review.objects.get(pk=review.pk).status == Review.Status.OPEN


def test_press_relevant_post_needs_both_steps(in_review, coordinator, press):
    review = in_review(press_relevant=True)
    first = open_step(review)
    services.step_approve(actor=coordinator, step=first)
    post = Post.objects.get(pk=review.post_id)
    assert post.status == Post.Status.IN_REVIEW  # the press office still has to approve
    second = open_step(review)
    assert second.kind == ReviewStep.Kind.PRESS and second.activated_at is not None
    services.step_approve(actor=press, step=second)
    post.refresh_from_db()
    assert post.status == Post.Status.SCHEDULED
    assert Review.objects.get(pk=review.pk).status == Review.Status.APPROVED


def test_only_the_last_step_sets_the_time(in_review, coordinator):
    review = in_review(press_relevant=True)
    with pytest.raises(ValidationError):
        services.step_approve(actor=coordinator, step=open_step(review), planned_at=None)


def test_request_changes_needs_a_comment_and_unlocks_the_post(in_review, coordinator):
    review = in_review(press_relevant=True)
    step = open_step(review)
    with pytest.raises(ValidationError) as caught:
        services.step_request_changes(actor=coordinator, step=step, comment="   ")
    assert "comment" in caught.value.error_dict
    services.step_request_changes(actor=coordinator, step=step, comment="Bitte Uhrzeit ergänzen.")
    review.refresh_from_db()
    assert review.status == Review.Status.CHANGES_REQUESTED
    assert list(review.steps.order_by("position").values_list("status", flat=True)) == [
        ReviewStep.Status.CHANGES_REQUESTED,
        ReviewStep.Status.SKIPPED,
    ]
    post = Post.objects.get(pk=review.post_id)
    assert post.status == Post.Status.CHANGES_REQUESTED
    event = AuditEvent.objects.get(verb="review.changes_requested", post_id=post.pk)
    assert event.comment == "Bitte Uhrzeit ergänzen." and event.actor_id == coordinator.pk


def test_reject_needs_a_reason_and_is_final(in_review, coordinator):
    review = in_review()
    step = open_step(review)
    with pytest.raises(ValidationError) as caught:
        services.step_reject(actor=coordinator, step=step, reason="")
    assert "reason" in caught.value.error_dict
    services.step_reject(actor=coordinator, step=step, reason="Nicht unser Thema.")
    post = Post.objects.get(pk=review.post_id)
    assert post.status == Post.Status.REJECTED
    assert Review.objects.get(pk=review.pk).status == Review.Status.REJECTED
    assert AuditEvent.objects.get(verb="review.rejected", post_id=post.pk).comment == "Nicht unser Thema."


@pytest.mark.parametrize("first", ["approve", "changes", "reject"])
@pytest.mark.parametrize("second", ["approve", "changes", "reject"])
def test_a_decided_step_cannot_be_decided_again(in_review, coordinator, make_user, first, second):
    other = make_user("koordination2", groups=("Koordination",))
    review = in_review()
    step = open_step(review)
    decide = {
        "approve": lambda actor: services.step_approve(actor=actor, step=step),
        "changes": lambda actor: services.step_request_changes(
            actor=actor, step=step, comment="Bitte ändern."
        ),
        "reject": lambda actor: services.step_reject(actor=actor, step=step, reason="Nein."),
    }
    decide[first](coordinator)
    before = AuditEvent.objects.count()
    with pytest.raises(services.InvalidReviewState):
        decide[second](other)
    assert AuditEvent.objects.count() == before


def test_resubmission_opens_a_new_review_tied_to_the_new_revision(in_review, coordinator, submit, editor):
    from posts.services import post_update

    first = in_review()
    services.step_request_changes(actor=coordinator, step=open_step(first), comment="Bitte kürzer.")
    post = Post.objects.get(pk=first.post_id)
    post_update(
        actor=editor,
        post=post,
        text="Ab Montag gibt es neue Termine. Mehr unter https://www.lk-row.de/impfen",
    )
    second = submit(post)
    assert second.pk != first.pk
    assert second.revision.number == 2 and first.revision.number == 1
    assert Review.objects.filter(post=post).count() == 2


def test_one_open_review_per_post_is_guarded_by_the_database(in_review):
    review = in_review()
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(
            post=review.post,
            revision=review.revision,
            submitted_revision=review.revision,
            mode=review.mode,
            opened_at=timezone.now(),
        )


def test_review_open_refuses_a_second_open_review_and_drafts(in_review, make_post, editor, department):
    review = in_review()
    with pytest.raises(services.InvalidReviewState):
        services.review_open(actor=editor, post=review.post, revision=review.revision)
    draft = make_post(editor, department)
    with pytest.raises(services.InvalidReviewState):
        services.review_open(actor=editor, post=draft, revision=review.revision)


def test_approval_of_an_old_revision_is_refused(in_review, coordinator):
    review = in_review()
    stale = review.revision_id - 1 if review.revision_id > 1 else review.revision_id + 1000
    with pytest.raises(services.StaleRevision):
        services.step_approve(actor=coordinator, step=open_step(review), revision=stale)
    services.step_approve(actor=coordinator, step=open_step(review), revision=review.revision_id)


def test_keep_marker_reads_well_in_logs():
    assert repr(KEEP) == "KEEP"


def test_warning_text_travels_with_the_review(in_review):
    review = in_review(text=WARN_TEXT)
    assert review.warning_count >= 1
    assert "tone.shouting" in [f["rule"] for f in review.findings]


def test_the_press_office_as_last_step_sets_the_publication_time(in_review, coordinator, press):
    review = in_review(press_relevant=True)
    services.step_approve(actor=coordinator, step=open_step(review))
    later = staffed_time(days_ahead=12, hour=9)
    services.step_approve(actor=press, step=open_step(review), planned_at=later)
    post = Post.objects.get(pk=review.post_id)
    assert post.planned_at == later and post.status == Post.Status.SCHEDULED
    event = AuditEvent.objects.get(verb="post.approved", post_id=post.pk)
    assert event.actor_id == press.pk
    assert datetime.fromisoformat(event.after["planned_at"]) == later


def test_submitting_opens_the_review_in_the_same_transaction(make_post, editor, department):
    from posts.services import post_submit

    post = make_post(editor, department)
    post_submit(actor=editor, post=post)
    review = Review.objects.get(post=post)
    assert review.is_open and review.revision == post.revisions.get()
    submitted = AuditEvent.objects.get(verb="post.submitted", post_id=post.pk)
    opened = AuditEvent.objects.get(verb="review.opened", post_id=post.pk)
    assert opened.sequence == submitted.sequence + 1


def test_editing_an_approved_post_sends_it_to_a_new_review(in_review, coordinator):
    from posts.services import post_update

    review = in_review()
    services.step_approve(actor=coordinator, step=open_step(review))
    post = Post.objects.get(pk=review.post_id)
    post_update(actor=coordinator, post=post, text=post.text + " Neu: auch samstags.")
    post.refresh_from_db()
    assert post.status == Post.Status.IN_REVIEW
    reviews = list(Review.objects.filter(post=post).order_by("opened_at"))
    assert [r.status for r in reviews] == [Review.Status.APPROVED, Review.Status.OPEN]
    assert reviews[1].revision.number == 2


def test_the_head_edits_in_the_post_editor_while_deciding_the_autonomous_step(
    in_review, head, department, admin_user
):
    from departments.services import department_set_review_mode
    from posts.selectors import can_edit
    from posts.services import post_update

    department_set_review_mode(actor=admin_user, department=department, review_mode="autonomous")
    review = in_review()
    post = Post.objects.get(pk=review.post_id)
    assert can_edit(head, post)
    post_update(actor=head, post=post, text=post.text + " Gilt auch für Kinder.")
    review.refresh_from_db()
    assert review.revision.number == 2  # the review follows the edit
    services.step_approve(actor=head, step=open_step(review))
    assert not can_edit(head, Post.objects.get(pk=post.pk))
