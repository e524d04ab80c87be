"""The decisions: acknowledging warnings, approving a step (the last one hands the post to publishing), asking for changes, rejecting."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit.services import actor_display_name, audit_record
from departments import roles
from etiquette.types import Finding
from notifications.models import Notification
from notifications.services import notifications_settle
from posts import services as post_services
from posts.diff import diff_snapshots, field_text
from posts.models import Post, Revision
from publishing.delivery_services import deliveries_create_for_post

from .. import selectors
from ..models import Review, ReviewStep, WarningAcknowledgement
from ..selectors import KEEP, finding_dict, finding_key
from .common import (
    PLANNED_AT_TOLERANCE,
    ApprovalBlocked,
    DecisionRefused,
    InvalidReviewState,
    WarningsNotAcknowledged,
    _check_may_decide,
    _check_revision,
    _close_waiting_steps,
    _decide,
    _finish,
    _lock_open_step,
    _notify_authors,
    _notify_reviewers,
)

# --- decisions -------------------------------------------------------------------------------------------


@transaction.atomic
def warning_acknowledge(
    *, actor, step: ReviewStep, finding: Finding | dict, reason: str
) -> WarningAcknowledgement:
    """Record why ``actor`` approves despite one warning (for the revision now under review)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Please give a reason for approving despite this warning."), code="required")
    review, step = _lock_open_step(step)
    _check_may_decide(actor, step)
    data = finding_dict(finding)
    key = finding_key(data)
    ack, _created = WarningAcknowledgement.objects.update_or_create(
        step=step,
        revision_id=review.revision_id,
        finding_key=key,
        defaults={
            "review": review,
            "rule": data.get("rule", ""),
            "channel": data.get("channel") or "",
            "message": data.get("message", ""),
            "reason": reason,
            "acknowledged_by": actor,
            "acknowledged_at": timezone.now(),
        },
    )
    audit_record(
        actor=actor,
        verb="review.warning_acknowledged",
        obj=review,
        post_id=review.post_id,
        after={
            "rule": ack.rule,
            "channel": ack.channel,
            "message": ack.message,
            "revision": review.revision.number,
            "step": str(step.kind),
        },
        comment=reason,
    )
    return ack


def _require_acknowledgements(
    *, actor, review: Review, step: ReviewStep, findings: list[Finding], reasons: dict[str, str]
) -> None:
    done = set(
        WarningAcknowledgement.objects.filter(review=review, revision_id=review.revision_id).values_list(
            "finding_key", flat=True
        )
    )
    missing = []
    for finding in findings:
        if not selectors.is_warning(finding):
            continue
        key = finding_key(finding)
        reason = (reasons.get(key) or "").strip()
        if reason:
            warning_acknowledge(actor=actor, step=step, finding=finding, reason=reason)
        elif key not in done:
            missing.append(finding)
    if missing:
        raise WarningsNotAcknowledged(
            _("Please give a reason for each warning before approving (%(count)s missing).")
            % {"count": len(missing)},
            missing=missing,
        )


def _check_planned_at(planned_at) -> None:
    if (
        planned_at is not KEEP
        and planned_at is not None
        and planned_at < timezone.now() - PLANNED_AT_TOLERANCE
    ):
        raise ValidationError(
            {"planned_at": _("The planned time is in the past. Choose a later time or publish now.")},
            code="planned_in_past",
        )


@transaction.atomic
def step_approve(
    *,
    actor,
    step: ReviewStep,
    acknowledgements: dict[str, str] | None = None,
    planned_at: datetime | object | None = KEEP,
    comment: str = "",
    revision: Revision | int | None = None,
    standing_rule: str = "",
) -> Review:
    """Approve the open step. The last step approves the post and hands it to publishing.

    Refuses if the step is no longer open, the actor may not decide it (role, department, four eyes),
    the post changed since the reviewer saw ``revision``, the etiquette check has blocking findings,
    or a warning has no acknowledgement (``acknowledgements`` maps finding keys to reasons). On the
    last step ``planned_at`` sets a new publication time (``None``: publish now; ``KEEP``: unchanged).

    ``standing_rule`` names the rule ``actor`` enabled when the approval is that rule's (a template's
    "approve automatically"): then ``actor`` may be the person who answers for the post – the rule is the
    documented decision – but still not its author or submitter. The audit event names the rule.
    """
    comment = (comment or "").strip()
    review, step = _lock_open_step(step)
    _check_may_decide(actor, step, standing_rule=bool(standing_rule))
    _check_revision(review, revision)
    editors, changes = _reviewer_edits(review)
    if editors and settings.REVIEW_EDIT_NEEDS_SECOND_PERSON and actor.pk in {u.pk for u in editors}:
        raise DecisionRefused(
            _("You changed this post during the review; a second person must approve your wording.")
        )
    is_last = not review.steps.filter(status=ReviewStep.Status.WAITING).exists()
    if planned_at is not KEEP and not is_last:
        raise ValidationError(
            {"planned_at": _("Only the last review step sets the publication time.")}, code="not_last_step"
        )
    _check_planned_at(planned_at)
    # Only the post's row (see review_open).
    post = (
        Post.objects.select_for_update(of=("self",))
        .select_related("department", "author")
        .get(pk=review.post_id)
    )
    review.post = post
    findings = selectors.current_findings(post, planned_at=planned_at)
    blocking = [f for f in findings if selectors.is_blocking(f)]
    if blocking:
        raise ApprovalBlocked(
            ngettext(
                "The etiquette check found %(count)s problem that must be fixed before approval.",
                "The etiquette check found %(count)s problems that must be fixed before approval.",
                len(blocking),
            )
            % {"count": len(blocking)},
            findings=blocking,
        )
    _require_acknowledgements(
        actor=actor, review=review, step=step, findings=findings, reasons=acknowledgements or {}
    )
    now = timezone.now()
    _decide(step, actor=actor, status=ReviewStep.Status.APPROVED, comment=comment, review=review, now=now)
    next_step = review.steps.filter(status=ReviewStep.Status.WAITING).order_by("position").first()
    audit_record(
        actor=actor,
        verb="review.step_approved",
        obj=review,
        post_id=post.pk,
        after={
            "step": str(step.kind),
            "position": step.position,
            "revision": review.revision.number,
            "next_step": str(next_step.kind) if next_step else None,
            **({"standing_rule": standing_rule} if standing_rule else {}),
        },
        comment=comment,
    )
    if next_step is not None:
        next_step.status = ReviewStep.Status.OPEN
        next_step.activated_at = now
        next_step.save(update_fields=["status", "activated_at"])
        _notify_reviewers(actor=actor, review=review, step=next_step)
        _notify_authors(
            actor=actor, review=review, kind=Notification.Kind.STEP_APPROVED, comment=comment, step=step
        )
        return review
    _review_approve(
        actor=actor,
        review=review,
        post=post,
        planned_at=planned_at,
        comment=comment,
        now=now,
        edits=(editors, changes),
    )
    return review


def _reviewer_edits(review: Review) -> tuple[list, list[tuple[str, str, str, str]]]:
    """Who of the reviewers changed the post in this review (revisions after the submitted one that the
    author did not make), and each changed field as (name, label, what was submitted, what is approved)."""
    submitted, current = review.submitted_revision, review.revision
    if submitted is None or current is None or submitted.pk == current.pk:
        return [], []
    revisions = (
        Revision.objects.filter(
            post_id=review.post_id, number__gt=submitted.number, number__lte=current.number
        )
        .exclude(created_by=None)
        .exclude(created_by_id=review.post.author_id)
        .select_related("created_by")
        .order_by("number")
    )
    editors = list({r.created_by_id: r.created_by for r in revisions}.values())
    if not editors:
        return [], []
    changes = [
        (
            d.name,
            d.label,
            field_text(d.name, submitted.snapshot.get(d.name)),
            field_text(d.name, current.snapshot.get(d.name)),
        )
        for d in diff_snapshots(submitted.snapshot, current.snapshot)
        if d.changed
    ]
    return editors, changes


def _review_approve(
    *, actor, review: Review, post: Post, planned_at, comment: str, now: datetime, edits=([], [])
) -> None:
    """Every step approved: the review ends, the post becomes ``approved``/``scheduled`` and goes to
    publishing."""
    _finish(review, actor=actor, status=Review.Status.APPROVED, now=now)
    schedule = {} if planned_at is KEEP else {"planned_at": planned_at}
    post = post_services.post_approve(actor=actor, post=post, comment=comment, **schedule)
    audit_record(
        actor=actor,
        verb="review.approved",
        obj=review,
        post_id=post.pk,
        after={
            "revision": review.revision.number,
            "planned_at": post.planned_at,
            "publish_now": post.planned_at is None or post.planned_at <= now,
            "post_status": post.status,
        },
        comment=comment,
    )
    editors, changes = edits
    if editors:
        # The approved wording is not the author's: the timeline and the author's notification say so,
        # with the change (issue 14).
        names = ", ".join(actor_display_name(u) for u in editors)
        said = _("The text was changed during the review by %(names)s.") % {"names": names}
        audit_record(
            actor=actor,
            verb="review.approved_with_reviewer_edits",
            obj=review,
            post_id=post.pk,
            before={name: before for name, _label, before, _after in changes},
            after={name: after for name, _label, _before, after in changes},
            comment=said,
        )
        lines = [f"{label}: „{before}“ → „{after}“" for _name, label, before, after in changes]
        comment = "\n\n".join(part for part in (comment, said + "\n" + "\n".join(lines)) if part)
    _hand_to_publishing(actor=actor, post=post)
    _notify_authors(actor=actor, review=review, kind=Notification.Kind.APPROVED, comment=comment)


def _hand_to_publishing(*, actor, post: Post) -> None:
    """THE place where an approved post goes to publishing (issue 7): in the approval's transaction,
    one delivery per live channel; those due now are queued when the approval commits, the others
    by the scheduler sweep when ``post.planned_at`` is reached."""
    deliveries_create_for_post(actor=actor, post=post)


@transaction.atomic
def step_request_changes(
    *, actor, step: ReviewStep, comment: str, revision: Revision | int | None = None
) -> Review:
    """Send the post back to its author with a comment (required); later steps are not reached.
    ``revision``: the one the reviewer saw – refused like in :func:`step_approve` when it is not the
    one under review (an older one, or another post's)."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Please say what should be changed.")}, code="required")
    review, step = _lock_open_step(step)
    _check_may_decide(actor, step)
    _check_revision(review, revision)
    now = timezone.now()
    _decide(
        step, actor=actor, status=ReviewStep.Status.CHANGES_REQUESTED, comment=comment, review=review, now=now
    )
    _close_waiting_steps(review)
    _finish(review, actor=actor, status=Review.Status.CHANGES_REQUESTED, now=now)
    audit_record(
        actor=actor,
        verb="review.changes_requested",
        obj=review,
        post_id=review.post_id,
        after={"step": str(step.kind), "revision": review.revision.number},
        comment=comment,
    )
    post_services.post_request_changes(actor=actor, post=review.post, comment=comment)
    _notify_authors(
        actor=actor, review=review, kind=Notification.Kind.CHANGES_REQUESTED, comment=comment, step=step
    )
    return review


@transaction.atomic
def review_withdraw(*, actor, post: Post, reason: str) -> Review:
    """The post's author (an integration's service user when its official warning was cancelled) or
    Koordination takes a post back from review while it is still open (earlier steps may have been
    approved; the last decision has not been made): the open review is closed as
    ``withdrawn``, its open and waiting steps are not reached, "waits for your review" is settled for
    everybody, and the post becomes ``withdrawn`` – it can no longer be approved by mistake."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Please give the reason for taking the post back.")}, code="required"
        )
    if not (actor.pk == post.author_id or roles.is_coordinator(actor)):
        raise PermissionDenied
    review = Review.objects.select_for_update().filter(post=post, status=Review.Status.OPEN).first()
    if review is None:
        raise InvalidReviewState(_("This post is not in review (any more)."), code="invalid_state")
    now = timezone.now()
    review.steps.filter(status__in=[ReviewStep.Status.OPEN, ReviewStep.Status.WAITING]).update(
        status=ReviewStep.Status.SKIPPED
    )
    notifications_settle(post_id=post.pk, kinds=[Notification.Kind.REVIEW_WAITING], now=now)
    _finish(review, actor=actor, status=Review.Status.WITHDRAWN, now=now)
    audit_record(
        actor=actor,
        verb="review.withdrawn",
        obj=review,
        post_id=post.pk,
        after={"revision": review.revision.number},
        comment=reason,
    )
    post_services.post_withdraw_from_review(actor=actor, post=post, comment=reason)
    return review


@transaction.atomic
def step_reject(*, actor, step: ReviewStep, reason: str, revision: Revision | int | None = None) -> Review:
    """Reject the post for good with a reason (required); later steps are not reached. ``revision`` as
    in :func:`step_request_changes`."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Please give the reason for the rejection.")}, code="required")
    review, step = _lock_open_step(step)
    _check_may_decide(actor, step)
    _check_revision(review, revision)
    now = timezone.now()
    _decide(step, actor=actor, status=ReviewStep.Status.REJECTED, comment=reason, review=review, now=now)
    _close_waiting_steps(review)
    _finish(review, actor=actor, status=Review.Status.REJECTED, now=now)
    audit_record(
        actor=actor,
        verb="review.rejected",
        obj=review,
        post_id=review.post_id,
        after={"step": str(step.kind), "revision": review.revision.number},
        comment=reason,
    )
    post_services.post_reject(actor=actor, post=review.post, comment=reason)
    _notify_authors(actor=actor, review=review, kind=Notification.Kind.REJECTED, comment=reason, step=step)
    return review
