"""Every write of approvals: opening reviews, the step decisions, warning acknowledgements, edits by
reviewers, notifications read, the audit export.

Each function is ``<entity>_<verb>``, keyword-only with ``actor`` first, runs in one transaction and
writes its audit event in that transaction. Transitions follow Wagtail's workflow pattern: lock the
rows, check the current state (and refuse otherwise), record who decided and when, save with
``update_fields``, log, move on.

Who calls what
--------------
- posts: :func:`review_open` from ``post_submit`` (and when an approved post is edited and goes back
  to review); :func:`review_revise` whenever a post in review gets a new revision.
- the review page: :func:`step_approve`, :func:`step_request_changes`, :func:`step_reject`,
  :func:`review_edit`.
- the notification list: :func:`notification_mark_read`, :func:`notifications_mark_all_read`.

The hand-over to publishing happens in exactly one place, :func:`_hand_to_publishing`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from etiquette.types import Finding
from notifications.models import Notification
from notifications.services import notify
from posts import services as post_services
from posts.models import Post, Revision
from publishing.delivery_services import deliveries_create_for_post

from . import selectors
from .models import Review, ReviewStep, WarningAcknowledgement
from .selectors import KEEP, finding_dict, finding_key

# A planned time this close to now still counts as "now" (the form was filled in a minute ago).
PLANNED_AT_TOLERANCE = timedelta(minutes=2)


class InvalidReviewState(ValidationError):
    """The review (or the step) is not in a state that allows this."""


class DecisionRefused(PermissionDenied):
    """The actor may not decide this step (wrong role, another department, or four eyes)."""


class StaleRevision(ValidationError):
    """The post changed after the reviewer opened it: the decision would be about another text."""


class ApprovalBlocked(ValidationError):
    """The etiquette check reports blocking findings; ``findings`` holds them."""

    def __init__(self, message, findings: list[Finding]):
        super().__init__(message, code="blocked")
        self.findings = findings


class WarningsNotAcknowledged(ValidationError):
    """Approval needs a reason for every warning; ``missing`` holds the findings without one."""

    def __init__(self, message, missing: list[Finding]):
        super().__init__(message, code="warnings_not_acknowledged")
        self.missing = missing


# --- helpers ---------------------------------------------------------------------------------------------


def _user_or_none(actor):
    return actor if actor is not None and actor.is_authenticated else None


def _lock_review(pk: int) -> Review:
    return (
        Review.objects.select_for_update(of=("self",))
        .select_related("post__department", "post__author", "revision")
        .get(pk=pk)
    )


def _lock_open_step(step: ReviewStep) -> tuple[Review, ReviewStep]:
    """Lock the review and the step, and refuse unless both are still open."""
    review = _lock_review(step.review_id)
    step = ReviewStep.objects.select_for_update().get(pk=step.pk)
    step.review = review
    if review.status != Review.Status.OPEN or step.status != ReviewStep.Status.OPEN:
        raise InvalidReviewState(
            _("This review step has already been decided by somebody else."), code="invalid_state"
        )
    return review, step


def _check_may_decide(actor, step: ReviewStep) -> None:
    reason = selectors.refusal_reason(actor, step)
    if reason is not None:
        raise DecisionRefused(reason)


def _check_revision(review: Review, revision: Revision | int | None) -> None:
    if revision is None:
        return
    revision_id = revision.pk if isinstance(revision, Revision) else int(revision)
    if revision_id != review.revision_id:
        raise StaleRevision(
            _("The post was changed while you were looking at it. Please check the new version."),
            code="stale_revision",
        )


def _close_waiting_steps(review: Review) -> None:
    review.steps.filter(status=ReviewStep.Status.WAITING).update(status=ReviewStep.Status.SKIPPED)


def _decide(step: ReviewStep, *, actor, status: str, comment: str, review: Review, now: datetime) -> None:
    step.status = status
    step.decided_at = now
    step.decided_by = actor
    step.revision_id = review.revision_id
    step.comment = comment
    step.save(update_fields=["status", "decided_at", "decided_by", "revision", "comment"])


def _finish(review: Review, *, actor, status: str, now: datetime) -> None:
    review.status = status
    review.finished_at = now
    review.finished_by = actor
    review.save(update_fields=["status", "finished_at", "finished_by"])


def _authors(review: Review) -> list:
    people = [review.post.author]
    if review.opened_by_id and review.opened_by_id != review.post.author_id:
        people.append(review.opened_by)
    return people


def _notify_reviewers(*, actor, review: Review, step: ReviewStep) -> list[Notification]:
    """Tell the people who may decide ``step`` that the post waits for them (not the author)."""
    candidates = selectors.reviewers_for(step, review.post.department).exclude(
        pk__in=[review.post.author_id, review.opened_by_id or 0]
    )
    return notify(
        kind=Notification.Kind.REVIEW_WAITING,
        post=review.post,
        recipients=candidates,
        actor=actor,
        data={"step": step.kind},
    )


def _notify_authors(*, actor, review: Review, kind: str, comment: str = "", step=None) -> list[Notification]:
    return notify(
        kind=kind,
        post=review.post,
        recipients=_authors(review),
        actor=actor,
        comment=comment,
        data={"step": step.kind} if step is not None else {},
    )


def _summary(findings: Iterable[dict]) -> dict:
    findings = list(findings)
    return {
        "warnings": [f["rule"] for f in findings if selectors.is_warning(f)],
        "blocking": [f["rule"] for f in findings if selectors.is_blocking(f)],
    }


# --- opening and revising --------------------------------------------------------------------------------


@transaction.atomic
def review_open(*, actor, post: Post, revision: Revision, findings: Iterable[Finding | dict] = ()) -> Review:
    """Open the review of a submitted post (status ``in_review``) for ``revision``.

    The steps are chosen now: the department's review mode gives Koordination (``coordinated``) or
    the department head (``autonomous``); a press-relevant post (the author's flag, or a finding that
    routes to the press office) gets the Pressestelle as an additional step. The reviewers of the first
    step are notified. Called by ``posts.services.post_submit`` in its transaction.
    """
    # Only the post's row: its author and department are read, not locked (see posts.services._locked).
    post = Post.objects.select_for_update(of=("self",)).select_related("department", "author").get(pk=post.pk)
    if post.status != Post.Status.IN_REVIEW:
        raise InvalidReviewState(
            _("Only a post that was submitted for approval can be reviewed."), code="invalid_state"
        )
    if revision.post_id != post.pk:
        raise ValueError("the revision belongs to another post")
    if Review.objects.filter(post=post, status=Review.Status.OPEN).exists():
        raise InvalidReviewState(_("This post is already being reviewed."), code="invalid_state")
    findings = [finding_dict(f) for f in findings]
    press_relevant = selectors.is_press_relevant(post, findings)
    kinds = selectors.step_kinds_for(post.department, press_relevant=press_relevant)
    now = timezone.now()
    review = Review.objects.create(
        post=post,
        revision=revision,
        submitted_revision=revision,
        status=Review.Status.OPEN,
        mode=post.department.review_mode,
        press_relevant=press_relevant,
        findings=findings,
        warning_count=sum(1 for f in findings if selectors.is_warning(f)),
        opened_at=now,
        opened_by=_user_or_none(actor),
    )
    steps = ReviewStep.objects.bulk_create(
        [
            ReviewStep(
                review=review,
                position=position,
                kind=kind,
                status=ReviewStep.Status.OPEN if position == 0 else ReviewStep.Status.WAITING,
                activated_at=now if position == 0 else None,
            )
            for position, kind in enumerate(kinds)
        ]
    )
    press_reasons = []
    if post.press_relevant:
        press_reasons.append("author")
    press_reasons += sorted({f["rule"] for f in findings if selectors.routes_to_press(f)})
    audit_record(
        actor=actor,
        verb="review.opened",
        obj=review,
        post_id=post.pk,
        after={
            "revision": revision.number,
            "mode": review.mode,
            "steps": [str(kind) for kind in kinds],
            "press_relevant": press_relevant,
            "press_reasons": press_reasons,
            **_summary(findings),
        },
    )
    _notify_reviewers(actor=actor, review=review, step=steps[0])
    return review


@transaction.atomic
def review_revise(*, actor, post: Post) -> Review | None:
    """The post in review has a new revision (an edit by a reviewer): move the review to it.

    Re-runs the etiquette check (the warnings of the new revision must be acknowledged anew; blocking
    findings stop approval), adds the press office as a step if the new text is press-relevant, and
    tells the author who changed their post. Does nothing if the post has no open review or the
    review already looks at the newest revision. Called by ``posts.services.post_update``.
    """
    open_review = Review.objects.filter(post_id=post.pk, status=Review.Status.OPEN).first()
    if open_review is None:
        return None
    review = _lock_review(open_review.pk)
    revision = Revision.objects.filter(post_id=post.pk).order_by("-number").first()
    if revision is None or revision.pk == review.revision_id:
        return review
    post = Post.objects.select_related("department", "author").get(pk=post.pk)
    review.post = post
    findings = [f.as_dict() for f in selectors.current_findings(post)]
    old_revision = review.revision
    review.revision = revision
    review.findings = findings
    review.warning_count = sum(1 for f in findings if selectors.is_warning(f))
    update_fields = ["revision", "findings", "warning_count"]
    added_step = None
    if selectors.is_press_relevant(post, findings) and not review.press_relevant:
        review.press_relevant = True
        update_fields.append("press_relevant")
        if not review.steps.filter(kind=ReviewStep.Kind.PRESS).exists():
            last = review.steps.order_by("-position").first()
            added_step = ReviewStep.objects.create(
                review=review,
                position=last.position + 1,
                kind=ReviewStep.Kind.PRESS,
                status=ReviewStep.Status.WAITING,
            )
    review.save(update_fields=update_fields)
    audit_record(
        actor=actor,
        verb="review.revised",
        obj=review,
        post_id=post.pk,
        before={"revision": old_revision.number},
        after={"revision": revision.number, "changed": revision.changed_fields, **_summary(findings)},
    )
    if added_step is not None:
        audit_record(
            actor=actor,
            verb="review.step_added",
            obj=review,
            post_id=post.pk,
            after={"step": str(added_step.kind), "position": added_step.position, "reason": "press_relevant"},
        )
    _notify_authors(actor=actor, review=review, kind=Notification.Kind.EDITED)
    return review


@transaction.atomic
def review_edit(
    *,
    actor,
    post: Post,
    text: str,
    variants: dict[int, str] | None = None,
    link: str | None = None,
    revision: Revision | int | None = None,
) -> Review:
    """The reviewer of the open step changes the text before deciding.

    Saved through ``posts.services.post_update`` (one audit event ``post.edited_in_review`` and one
    revision), then :func:`review_revise` moves the review to that revision and tells the author.
    """
    open_review = Review.objects.filter(post_id=post.pk, status=Review.Status.OPEN).first()
    if open_review is None:
        raise InvalidReviewState(_("This post is not being reviewed."), code="invalid_state")
    review = _lock_review(open_review.pk)
    step = review.steps.filter(status=ReviewStep.Status.OPEN).first()
    if step is not None:
        step.review = review
    _check_may_decide(actor, step)
    _check_revision(review, revision)
    fields = {"text": text}
    if link is not None:
        fields["link"] = link
    post_services.post_update(
        actor=actor, post=review.post, variants=variants, verb="post.edited_in_review", **fields
    )
    return review_revise(actor=actor, post=review.post) or review


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
) -> Review:
    """Approve the open step. The last step approves the post and hands it to publishing.

    Refuses if the step is no longer open, the actor may not decide it (role, department, four eyes),
    the post changed since the reviewer saw ``revision``, the etiquette check has blocking findings,
    or a warning has no acknowledgement (``acknowledgements`` maps finding keys to reasons). On the
    last step ``planned_at`` sets a new publication time (``None``: publish now; ``KEEP``: unchanged).
    """
    comment = (comment or "").strip()
    review, step = _lock_open_step(step)
    _check_may_decide(actor, step)
    _check_revision(review, revision)
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
            _("The etiquette check found %(count)s problem(s) that must be fixed before approval.")
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
    _review_approve(actor=actor, review=review, post=post, planned_at=planned_at, comment=comment, now=now)
    return review


def _review_approve(*, actor, review: Review, post: Post, planned_at, comment: str, now: datetime) -> None:
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
    _hand_to_publishing(actor=actor, post=post)
    _notify_authors(actor=actor, review=review, kind=Notification.Kind.APPROVED, comment=comment)


def _hand_to_publishing(*, actor, post: Post) -> None:
    """THE place where an approved post goes to publishing (issue 7): in the approval's transaction,
    one delivery per live channel; those due now are queued when the approval commits, the others
    by the scheduler sweep when ``post.planned_at`` is reached."""
    deliveries_create_for_post(actor=actor, post=post)


@transaction.atomic
def step_request_changes(*, actor, step: ReviewStep, comment: str) -> Review:
    """Send the post back to its author with a comment (required); later steps are not reached."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Please say what should be changed.")}, code="required")
    review, step = _lock_open_step(step)
    _check_may_decide(actor, step)
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
def step_reject(*, actor, step: ReviewStep, reason: str) -> Review:
    """Reject the post for good with a reason (required); later steps are not reached."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Please give the reason for the rejection.")}, code="required")
    review, step = _lock_open_step(step)
    _check_may_decide(actor, step)
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


# --- notifications ---------------------------------------------------------------------------------------
# Reading a notification is not a decision anybody is accountable for: not audited.


@transaction.atomic
def notification_mark_read(*, actor, notification: Notification) -> Notification:
    if notification.recipient_id != actor.pk:
        raise PermissionDenied
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, actor) -> int:
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())
