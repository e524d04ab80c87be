"""The status transitions that approvals and publishing call (each locks, checks, records)."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from departments import roles

from ..models import Post
from ..signals import post_rescheduled
from .common import (
    _check_planned_at,
    _check_status,
    _locked,
)

# --- status transitions (approvals, publishing) ----------------------------------------------------------


def _transition(
    *,
    actor,
    post: Post,
    allowed,
    to: str,
    verb: str,
    step: str,
    comment: str = "",
    locked: bool = False,
    **extra,
) -> Post:
    # ``locked``: the caller locked and read the row in this transaction – no second read.
    post = post if locked else _locked(post)
    _check_status(post, allowed, step)
    old = post.status
    post.status = to
    for name, value in extra.items():
        setattr(post, name, value)
    post.save(update_fields=["status", *extra, "updated_at"])
    audit_record(
        actor=actor,
        verb=verb,
        obj=post,
        post_id=post.pk,
        before={"status": old},
        after={"status": to, **extra},
        comment=comment,
    )
    return post


@transaction.atomic
def post_request_changes(*, actor, post: Post, comment: str = "") -> Post:
    """Reviewer sends the post back: ``in_review`` → ``changes_requested`` (unlocks it for the author).
    Called by approvals."""
    return _transition(
        actor=actor,
        post=post,
        allowed={Post.Status.IN_REVIEW},
        to=Post.Status.CHANGES_REQUESTED,
        verb="post.changes_requested",
        step=_("Request changes"),
        comment=comment,
    )


# ``post_approve(planned_at=...)`` left out: the planned time stays as it is.
PLANNED_AT_UNCHANGED = object()


@transaction.atomic
def post_approve(*, actor, post: Post, comment: str = "", planned_at=PLANNED_AT_UNCHANGED) -> Post:
    """All review steps approved: ``in_review`` → ``scheduled`` (planned time in the future) or
    ``approved`` (publish as soon as possible). Called by approvals after its last step.

    ``planned_at``: the publication time the last reviewer chose (``None``: publish now)."""
    extra = {}
    if planned_at is not PLANNED_AT_UNCHANGED:
        _check_planned_at(planned_at)
        extra["planned_at"] = planned_at
    when = extra.get("planned_at", post.planned_at)
    target = Post.Status.SCHEDULED if when and when > timezone.now() else Post.Status.APPROVED
    return _transition(
        actor=actor,
        post=post,
        allowed={Post.Status.IN_REVIEW},
        to=target,
        verb="post.approved",
        step=_("Approve"),
        comment=comment,
        **extra,
    )


@transaction.atomic
def post_reject(*, actor, post: Post, comment: str = "") -> Post:
    """``in_review`` → ``rejected`` (final). Called by approvals."""
    return _transition(
        actor=actor,
        post=post,
        allowed={Post.Status.IN_REVIEW},
        to=Post.Status.REJECTED,
        verb="post.rejected",
        step=_("Reject"),
        comment=comment,
    )


@transaction.atomic
def post_reschedule(*, actor, post: Post, planned_at: datetime | None, comment: str = "") -> Post:
    """Koordination moves an approved post to another time (no new review: the content is unchanged)."""
    post = _locked(post)
    _check_status(post, {Post.Status.APPROVED, Post.Status.SCHEDULED}, _("Reschedule"))
    if not roles.is_coordinator(actor):
        raise PermissionDenied(_("Only the coordination may reschedule approved posts."))
    _check_planned_at(planned_at)
    before = {"planned_at": post.planned_at, "status": post.status}
    post.planned_at = planned_at
    post.status = (
        Post.Status.SCHEDULED if planned_at and planned_at > timezone.now() else Post.Status.APPROVED
    )
    post.save(update_fields=["planned_at", "status", "updated_at"])
    audit_record(
        actor=actor,
        verb="post.rescheduled",
        obj=post,
        post_id=post.pk,
        before=before,
        after={"planned_at": planned_at, "status": post.status},
        comment=comment,
    )
    # The waiting deliveries follow (publishing.delivery_services.deliveries_reschedule_for_post).
    post_rescheduled.send(sender=Post, actor=actor, post=post)
    return post


# The publishing transitions run inside publishing's transaction (a delivery's outcome). ``locked=True``:
# publishing locked and read the post's row in that transaction (``SELECT … FOR UPDATE``, the first lock
# of its lock order), so it is not read again.


@transaction.atomic
def post_mark_publishing(*, actor=None, post: Post, locked: bool = False) -> Post:
    """The first delivery starts: ``approved``/``scheduled`` → ``publishing``. Called by publishing."""
    return _transition(
        actor=actor,
        post=post,
        allowed={Post.Status.APPROVED, Post.Status.SCHEDULED},
        to=Post.Status.PUBLISHING,
        verb="post.publishing",
        step=_("Publish"),
        locked=locked,
    )


# The states a post's deliveries can settle it from (publishing's outcome transitions).
PUBLISHING_OUTCOME_FROM = frozenset(
    {
        Post.Status.APPROVED,
        Post.Status.SCHEDULED,
        Post.Status.PUBLISHING,
        Post.Status.PARTIALLY_FAILED,
        Post.Status.FAILED,
    }
)


@transaction.atomic
def post_mark_published(
    *, actor=None, post: Post, published_at: datetime | None = None, locked: bool = False
) -> Post:
    """Every delivery succeeded: → ``published``. Also from (partially) failed after a successful retry,
    and straight from ``approved``/``scheduled`` when the post's only (or every) delivery finished in
    one go. Called by publishing."""
    return _transition(
        actor=actor,
        post=post,
        allowed=PUBLISHING_OUTCOME_FROM,
        to=Post.Status.PUBLISHED,
        verb="post.published",
        step=_("Publish"),
        locked=locked,
        published_at=published_at or timezone.now(),
    )


@transaction.atomic
def post_mark_failed(
    *, actor=None, post: Post, partially: bool, comment: str = "", locked: bool = False
) -> Post:
    """Deliveries finished with errors: → ``partially_failed`` (some channels worked) or ``failed``.
    Called by publishing."""
    return _transition(
        actor=actor,
        post=post,
        allowed=PUBLISHING_OUTCOME_FROM,
        to=Post.Status.PARTIALLY_FAILED if partially else Post.Status.FAILED,
        verb="post.partially_failed" if partially else "post.failed",
        step=_("Publish"),
        comment=comment,
        locked=locked,
    )


@transaction.atomic
def post_withdraw_from_review(*, actor, post: Post, comment: str = "") -> Post:
    """A post still in review is taken back before anybody decided – its occasion is gone (a cancelled
    official warning): ``in_review`` → ``withdrawn``. Called by approvals (``review_withdraw``), which
    closes the open review in the same transaction; nothing was published, so nothing is deleted."""
    return _transition(
        actor=actor,
        post=post,
        allowed={Post.Status.IN_REVIEW},
        to=Post.Status.WITHDRAWN,
        verb="post.withdrawn",
        step=_("Withdraw"),
        comment=comment,
    )


@transaction.atomic
def post_withdraw(*, actor, post: Post, comment: str = "") -> Post:
    """Take a published (or approved, not yet published) post back: → ``withdrawn``. Called by
    publishing (``deliveries_withdraw_for_post``), which deletes the post on the networks; also while
    deliveries are still being sent or retried (``publishing``)."""
    return _transition(
        actor=actor,
        post=post,
        allowed={
            Post.Status.APPROVED,
            Post.Status.SCHEDULED,
            Post.Status.PUBLISHING,
            Post.Status.PUBLISHED,
            Post.Status.PARTIALLY_FAILED,
            Post.Status.FAILED,
        },
        to=Post.Status.WITHDRAWN,
        verb="post.withdrawn",
        step=_("Withdraw"),
        comment=comment,
    )
