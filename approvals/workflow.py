"""The workflow around a post, owned here: what happens when a post is submitted, edited or approved.

posts changes a post's status and tells the apps above it (``posts.signals``, inside its transaction);
approvals answers here:

- submitted (``post_submitted``) → :func:`approvals.services.review_open` (steps by the department's
  review mode and the press relevance);
- edited after submission (``post_revised``) → a new review when an approved post went back to review,
  otherwise the open review moves to the new revision (:func:`approvals.services.review_revise`);
- approved (the last step, :func:`approvals.services.step_approve`) → the post goes to publishing in
  exactly one place, ``approvals.services._hand_to_publishing`` (approvals/services/decisions.py).

Rescheduling an approved post moves its waiting deliveries: publishing answers ``post_rescheduled``
(``publishing.delivery_services.deliveries_reschedule_for_post``), the one owner of deliveries.
"""

from __future__ import annotations

from posts.signals import post_revised, post_submitted

from . import services


def review_open_on_submit(sender, *, actor, post, revision, findings, **kwargs) -> None:
    services.review_open(actor=actor, post=post, revision=revision, findings=findings)


def review_again_after_edit(sender, *, actor, post, revision, findings, reopened: bool, **kwargs) -> None:
    if reopened:
        services.review_open(actor=actor, post=post, revision=revision, findings=findings)
    else:
        services.review_revise(actor=actor, post=post)


def connect() -> None:
    post_submitted.connect(review_open_on_submit, dispatch_uid="approvals.review_open_on_submit")
    post_revised.connect(review_again_after_edit, dispatch_uid="approvals.review_again_after_edit")
