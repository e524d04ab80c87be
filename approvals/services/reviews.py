"""Opening a review, moving it to a new revision, a reviewer editing the post."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from etiquette.types import Finding
from notifications.models import Notification
from posts import services as post_services
from posts.models import Post, Revision

from .. import selectors
from ..models import Review, ReviewStep
from ..selectors import finding_dict
from .common import (
    InvalidReviewState,
    _check_may_decide,
    _check_revision,
    _lock_review,
    _notify_authors,
    _notify_reviewers,
    _summary,
    _user_or_none,
)

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
