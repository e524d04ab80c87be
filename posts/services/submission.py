"""Submitting a post for review (the checks; approvals opens the review on ``post_submitted``)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit.services import audit_record
from etiquette.types import Finding, Severity

from .. import selectors
from ..models import Post
from ..signals import post_submitted
from .common import (
    PLANNED_AT_TOLERANCE,
    SubmissionBlocked,
    _check_status,
    _etiquette_check,
    _has_acknowledged_guide,
    _locked,
    _revision_add,
)

# --- submitting --------------------------------------------------------------------------------------


@transaction.atomic
def post_submit(*, actor, post: Post) -> list[Finding]:
    """Submit a draft (or a post sent back for changes) for review: ``draft``/``changes_requested`` →
    ``in_review``. Returns the non-blocking findings (warnings travel with the post).

    Refuses (``SubmissionBlocked``) when: the actor has not acknowledged the current etiquette guide;
    the post has no text or no channel; a channel is no longer allowed; the planned time has passed;
    the etiquette engine reports a blocking finding. Writes a :class:`Revision` and locks the post
    for its author. Called by the editor; approvals opens the review on ``post_submitted``.
    """
    post = _locked(post)
    _check_status(post, Post.AUTHOR_EDITABLE, _("Submit for approval"))
    if not selectors.can_edit(actor, post):
        raise PermissionDenied(_("You may not submit posts of this department."))
    problems = []
    if not post.text.strip():
        problems.append(_("The post has no text."))
    channels = list(post.channels.all())
    if not channels:
        problems.append(_("Choose at least one channel."))
    allowed = set(selectors.editor_channels(post.department).values_list("pk", flat=True))
    gone = [c.name for c in channels if c.pk not in allowed]
    if gone:
        problems.append(
            _("These channels are no longer available for your department: %(channels)s.")
            % {"channels": ", ".join(gone)}
        )
    if post.planned_at is not None and post.planned_at < timezone.now() - PLANNED_AT_TOLERANCE:
        problems.append(_("The planned time is in the past."))
    if not _has_acknowledged_guide(actor):
        problems.append(_("Please read and acknowledge the current etiquette guide first."))
    if problems:
        raise SubmissionBlocked(problems)
    findings = _etiquette_check(post)
    blocking = [f for f in findings if f.severity == Severity.BLOCK]
    if blocking:
        raise SubmissionBlocked(
            ngettext(
                "The etiquette check found %(count)s problem that must be fixed before submitting.",
                "The etiquette check found %(count)s problems that must be fixed before submitting.",
                len(blocking),
            )
            % {"count": len(blocking)},
            findings=findings,
        )
    resubmission = post.status == Post.Status.CHANGES_REQUESTED
    revision = _revision_add(actor=actor, post=post, reason="resubmitted" if resubmission else "submitted")
    old_status = post.status
    post.status = Post.Status.IN_REVIEW
    post.submitted_at = timezone.now()
    post.save(update_fields=["status", "submitted_at", "updated_at"])
    audit_record(
        actor=actor,
        verb="post.submitted",
        obj=post,
        post_id=post.pk,
        before={"status": old_status},
        after={
            "status": post.status,
            "revision": revision.number,
            "warnings": [f.rule for f in findings if f.severity == Severity.WARN],
            "press_relevant": post.press_relevant,
        },
    )
    # approvals opens the review (approvals.workflow): its steps follow the department's review mode and
    # the press relevance.
    post_submitted.send(sender=Post, actor=actor, post=post, revision=revision, findings=findings)
    return findings
