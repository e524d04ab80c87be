"""Shared by the review services: errors, locking, the checks before a decision, notifying authors and reviewers."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from etiquette.types import Finding
from notifications.models import Notification
from notifications.services import notifications_settle, notify
from posts.models import Revision

from .. import selectors
from ..models import Review, ReviewStep

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


def _check_may_decide(actor, step: ReviewStep, *, standing_rule: bool = False) -> None:
    reason = selectors.refusal_reason(actor, step, standing_rule=standing_rule)
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
    # "Waits for your review" is settled for everybody who was asked: nothing waits any more.
    notifications_settle(post_id=review.post_id, kinds=[Notification.Kind.REVIEW_WAITING], now=now)


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
    """Tell the people who may decide ``step`` that the post waits for them (not the author, the
    submitter or the person who answers for the post)."""
    candidates = selectors.reviewers_for(step, review.post.department).exclude(
        pk__in=[review.post.author_id, review.opened_by_id or 0, review.post.responsible_id or 0]
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
