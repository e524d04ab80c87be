"""Taking a post back from review before anybody decided (``review_withdraw``): only its author or
Koordination, only with a reason, only while the review is open – and then nothing waits any more."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from approvals.models import Review, ReviewStep
from approvals.selectors import queue_for
from approvals.services import InvalidReviewState, review_withdraw, step_approve
from posts.models import Post

pytestmark = pytest.mark.django_db


def test_the_author_takes_a_post_back_and_the_queue_forgets_it(
    in_review, editor, coordinator, outsider, head
):
    review = in_review()
    post = review.post
    with pytest.raises(PermissionDenied):
        review_withdraw(actor=outsider, post=post, reason="nicht meiner")
    with pytest.raises(PermissionDenied):
        review_withdraw(actor=head, post=post, reason="die Leitung entscheidet, zieht aber nicht zurück")
    with pytest.raises(ValidationError):
        review_withdraw(actor=editor, post=post, reason="  ")
    assert queue_for(coordinator).filter(review=review).exists()

    review_withdraw(actor=editor, post=post, reason="Termin fällt aus")
    post.refresh_from_db()
    review.refresh_from_db()
    assert post.status == Post.Status.WITHDRAWN and review.status == Review.Status.WITHDRAWN
    assert set(review.steps.values_list("status", flat=True)) == {ReviewStep.Status.SKIPPED}
    assert not queue_for(coordinator).filter(review=review).exists()
    with pytest.raises(InvalidReviewState):
        review_withdraw(actor=coordinator, post=post, reason="noch einmal")
    # Nobody can approve the withdrawn post any more.
    step = review.steps.first()
    with pytest.raises(ValidationError):
        step_approve(actor=coordinator, step=step, revision=review.revision, acknowledgements={})
    post.refresh_from_db()
    assert post.status == Post.Status.WITHDRAWN
