"""Drafting, editing, submitting and the locks and transitions of posts (posts.services)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from approvals.services import step_approve, step_request_changes
from audit.models import AuditEvent
from posts import selectors, services
from posts.models import Post, Revision


def verbs(post) -> list[str]:
    return list(
        AuditEvent.objects.filter(post_id=post.pk).order_by("sequence").values_list("verb", flat=True)
    )


def test_create_makes_an_audited_draft_with_channels_and_variants(editor, department, channels):
    post = services.post_create(
        actor=editor,
        department=department,
        title="Baustelle B75",
        text="Die B75 ist ab Montag gesperrt.",
        channels=[channels["x"], channels["facebook"]],
        variants={channels["x"].pk: "B75 ab Montag gesperrt."},
    )
    assert post.status == Post.Status.DRAFT
    assert post.author == editor and post.department == department
    assert set(post.channels.all()) == {channels["x"], channels["facebook"]}
    assert selectors.variants_of(post) == {channels["x"].pk: "B75 ab Montag gesperrt."}
    assert verbs(post) == ["post.created"]
    assert not Revision.objects.filter(post=post).exists()


def test_create_refuses_a_channel_the_department_may_not_use(editor, department, channels):
    for channel in (channels["bluesky"], channels["instagram"]):  # other department's; not live
        with pytest.raises(ValidationError) as caught:
            services.post_create(actor=editor, department=department, title="T", channels=[channel])
        assert "channels" in caught.value.error_dict
    assert not Post.objects.exists()


def test_create_refuses_a_department_the_actor_is_not_member_of(outsider, department, channels):
    with pytest.raises(PermissionDenied):
        services.post_create(actor=outsider, department=department, title="T")


def test_coordinator_does_not_draft_without_a_membership(coordinator, department, channels):
    with pytest.raises(PermissionDenied):
        services.post_create(actor=coordinator, department=department, title="T")


def test_create_refuses_a_planned_time_in_the_past(editor, department, channels):
    with pytest.raises(ValidationError) as caught:
        services.post_create(
            actor=editor, department=department, title="T", planned_at=timezone.now() - timedelta(hours=1)
        )
    assert "planned_at" in caught.value.error_dict


def test_editing_a_draft_is_audited_but_writes_no_revision(editor, draft, channels):
    services.post_update(actor=editor, post=draft, text="Neuer Text", channels=[channels["facebook"]])
    draft.refresh_from_db()
    assert draft.text == "Neuer Text"
    assert list(draft.channels.all()) == [channels["facebook"]]
    assert verbs(draft) == ["post.created", "post.changed"]
    event = AuditEvent.objects.filter(post_id=draft.pk, verb="post.changed").get()
    assert event.after["text"] == "Neuer Text" and event.after["channels"] == ["Facebook Landkreis"]
    assert not draft.revisions.exists()


def test_saving_without_changes_writes_nothing(editor, draft):
    services.post_update(actor=editor, post=draft, title=draft.title, text=draft.text)
    assert verbs(draft) == ["post.created"]


def test_the_department_head_may_edit_the_draft_and_the_outsider_may_not(head, outsider, draft):
    services.post_update(actor=head, post=draft, title="Von der Leitung")
    with pytest.raises(PermissionDenied):
        services.post_update(actor=outsider, post=draft, title="Fremd")
    draft.refresh_from_db()
    assert draft.title == "Von der Leitung"


def test_submit_writes_a_revision_and_locks_the_post_for_its_author(editor, draft, acknowledged):
    acknowledged(editor)
    services.post_submit(actor=editor, post=draft)
    draft.refresh_from_db()
    assert draft.status == Post.Status.IN_REVIEW
    assert draft.submitted_at is not None
    revision = draft.revisions.get()
    assert revision.number == 1 and revision.reason == "submitted"
    assert revision.snapshot["text"] == draft.text
    assert revision.snapshot["channels"] == ["Mastodon Landkreis", "X Landkreis"]
    assert "post.submitted" in verbs(draft)
    assert not selectors.can_edit(editor, draft)
    with pytest.raises(selectors.PostLocked):
        services.post_update(actor=editor, post=draft, text="heimlich geändert")
    with pytest.raises(services.InvalidTransition):
        services.post_submit(actor=editor, post=draft)


def test_submit_requires_the_acknowledged_etiquette_guide(editor, draft, current_guide):
    with pytest.raises(services.SubmissionBlocked) as caught:
        services.post_submit(actor=editor, post=draft)
    assert any("Etikette" in message for message in caught.value.messages)
    draft.refresh_from_db()
    assert draft.status == Post.Status.DRAFT


def test_submit_needs_text_and_a_channel(editor, department, channels, acknowledged):
    acknowledged(editor)
    post = services.post_create(actor=editor, department=department, title="Leer")
    with pytest.raises(services.SubmissionBlocked) as caught:
        services.post_submit(actor=editor, post=post)
    assert len(caught.value.messages) == 2


def test_blocking_findings_stop_the_submission_and_are_returned(editor, department, channels, acknowledged):
    acknowledged(editor)
    post = services.post_create(
        actor=editor,
        department=department,
        title="Zu lang",
        text="Impfen " * 60,  # 420 characters: too long for X (280)
        channels=[channels["mastodon"]],
    )
    # Written for Mastodon (500), then X is added by a variant-less update the form would refuse.
    services.post_update(actor=editor, post=post, channels=[channels["mastodon"], channels["x"]])
    with pytest.raises(services.SubmissionBlocked) as caught:
        services.post_submit(actor=editor, post=post)
    blocking = [f for f in caught.value.findings if f.blocking]
    assert blocking and any(f.rule == "length" and f.channel == "x" for f in blocking)
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT and not post.revisions.exists()


def open_review_step(post):
    from approvals.models import ReviewStep

    return ReviewStep.objects.get(review__post=post, status=ReviewStep.Status.OPEN)


def submitted(editor, draft, acknowledged):
    acknowledged(editor)
    services.post_submit(actor=editor, post=draft)
    draft.refresh_from_db()
    return draft


def test_request_changes_unlocks_and_resubmission_writes_the_next_revision(
    editor, coordinator, draft, acknowledged
):
    post = submitted(editor, draft, acknowledged)
    # Reviewers decide through approvals, which calls post_request_changes and closes its review.
    step_request_changes(actor=coordinator, step=open_review_step(post), comment="Bitte kürzer")
    post.refresh_from_db()
    assert post.status == Post.Status.CHANGES_REQUESTED
    assert selectors.can_edit(editor, post)
    services.post_update(actor=editor, post=post, text="Kürzer.")
    assert post.revisions.count() == 1  # changes of a post sent back are not revisions until submitted
    services.post_submit(actor=editor, post=post)
    latest = post.revisions.order_by("-number").first()
    assert latest.number == 2 and latest.reason == "resubmitted" and latest.changed_fields == ["text"]


def test_coordinator_edits_in_review_and_every_change_is_a_revision(editor, coordinator, draft, acknowledged):
    post = submitted(editor, draft, acknowledged)
    assert selectors.can_edit(coordinator, post)
    services.post_update(actor=coordinator, post=post, text="Korrigiert von der Koordination.")
    services.post_update(actor=coordinator, post=post, title="Neuer Titel")
    numbers = list(post.revisions.order_by("number").values_list("number", "reason", "changed_fields"))
    assert numbers == [(1, "submitted", []), (2, "changed", ["text"]), (3, "changed", ["title"])]
    assert post.revisions.get(number=3).created_by == coordinator


def test_editing_an_approved_post_sends_it_back_to_review(editor, coordinator, draft, acknowledged):
    post = submitted(editor, draft, acknowledged)
    step_approve(actor=coordinator, step=open_review_step(post))  # calls post_approve
    post.refresh_from_db()
    assert post.status == Post.Status.APPROVED
    services.post_update(actor=coordinator, post=post, text="Nach der Freigabe geändert.")
    post.refresh_from_db()
    assert post.status == Post.Status.IN_REVIEW
    assert "post.returned_to_review" in verbs(post)
    assert verbs(post)[-1] == "review.opened"  # a new review for the changed text


def test_approval_with_a_future_time_schedules(editor, coordinator, draft, acknowledged):
    services.post_update(actor=editor, post=draft, planned_at=timezone.now() + timedelta(days=2))
    post = submitted(editor, draft, acknowledged)
    services.post_approve(actor=coordinator, post=post)
    post.refresh_from_db()
    assert post.status == Post.Status.SCHEDULED


def test_transitions_check_the_current_status_first(editor, coordinator, draft, acknowledged):
    for step in (services.post_approve, services.post_reject, services.post_request_changes):
        with pytest.raises(services.InvalidTransition):
            step(actor=coordinator, post=draft)
    with pytest.raises(services.InvalidTransition):
        services.post_mark_publishing(post=draft)
    post = submitted(editor, draft, acknowledged)
    services.post_approve(actor=coordinator, post=post)
    services.post_mark_publishing(post=post)
    services.post_mark_failed(post=post, partially=True, comment="X: 503")
    services.post_mark_published(post=post)
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED and post.published_at is not None
    services.post_withdraw(actor=coordinator, post=post, comment="Falsche Zahlen")
    post.refresh_from_db()
    assert post.status == Post.Status.WITHDRAWN
    assert verbs(post)[-5:] == [
        "post.approved",
        "post.publishing",
        "post.partially_failed",
        "post.published",
        "post.withdrawn",
    ]


def test_rejected_is_final(editor, coordinator, draft, acknowledged):
    post = submitted(editor, draft, acknowledged)
    services.post_reject(actor=coordinator, post=post, comment="Pressearbeit")
    post.refresh_from_db()
    assert post.status == Post.Status.REJECTED
    assert not selectors.can_edit(editor, post) and not selectors.can_edit(coordinator, post)
    with pytest.raises(services.InvalidTransition):
        services.post_submit(actor=editor, post=post)


def test_only_the_coordinator_reschedules(editor, coordinator, draft, acknowledged):
    post = submitted(editor, draft, acknowledged)
    services.post_approve(actor=coordinator, post=post)
    later = timezone.now() + timedelta(days=3)
    with pytest.raises(PermissionDenied):
        services.post_reschedule(actor=editor, post=post, planned_at=later)
    services.post_reschedule(actor=coordinator, post=post, planned_at=later)
    post.refresh_from_db()
    assert post.status == Post.Status.SCHEDULED and post.planned_at == later


def test_comments_are_for_everyone_who_sees_the_post(editor, press, outsider, draft):
    services.post_comment_add(actor=press, post=draft, text="Bitte Zitat prüfen.")
    services.post_comment_add(actor=editor, post=draft, text="Erledigt.")
    with pytest.raises(PermissionDenied):
        services.post_comment_add(actor=outsider, post=draft, text="Ich auch")
    assert list(draft.comments.values_list("text", flat=True)) == ["Bitte Zitat prüfen.", "Erledigt."]
    assert verbs(draft).count("post.commented") == 2
