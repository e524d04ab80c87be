"""Every decision refuses a revision that is not the one under review – an old one of the same post or
one of another post – the same way "Freigeben" does (issue 14: only approving checked it)."""

from __future__ import annotations

import pytest

from approvals import services
from posts.models import Post

from .conftest import open_step

URLS = {"reject": "reject", "changes": "request-changes", "approve": "approve"}
FIELDS = {
    "reject": {"reason": "Passt nicht."},
    "changes": {"comment": "Bitte kürzen."},
    "approve": {"schedule": "keep"},
}


@pytest.mark.parametrize("decision", ["reject", "changes", "approve"])
@pytest.mark.parametrize("which", ["older", "foreign"])
def test_a_decision_on_a_stale_or_foreign_revision_is_refused(
    client, coordinator, in_review, decision, which
):
    review = in_review()
    other = in_review(title="Ein anderer Beitrag")
    revision = other.revision_id if which == "foreign" else review.revision_id + 10_000
    client.force_login(coordinator)
    response = client.post(
        f"/approvals/posts/{review.post_id}/{URLS[decision]}/",
        {"step": open_step(review).pk, "revision": revision, **FIELDS[decision]},
    )
    assert response.status_code == 400
    assert "geändert" in response.content.decode()
    assert Post.objects.get(pk=review.post_id).status == Post.Status.IN_REVIEW
    # The form now carries the current revision: sending it again decides.
    assert f'name="revision" value="{review.revision_id}"' in response.content.decode()


def test_the_services_check_the_revision_too(in_review, coordinator):
    review = in_review()
    other = in_review(title="Ein anderer Beitrag")
    with pytest.raises(services.StaleRevision):
        services.step_reject(
            actor=coordinator, step=open_step(review), reason="x", revision=other.revision_id
        )
    with pytest.raises(services.StaleRevision):
        services.step_request_changes(
            actor=coordinator, step=open_step(review), comment="x", revision=other.revision_id
        )
    services.step_reject(actor=coordinator, step=open_step(review), reason="x", revision=review.revision_id)
