"""Notifications after a decision (issue 17): the sent-back author lands where the post is edited, and
"waits for your review" is no longer new once the step is decided – in the list and in the bell."""

import pytest

from approvals.services import step_request_changes
from notifications.models import Notification

from .conftest import open_step

pytestmark = pytest.mark.django_db


def test_the_sent_back_notification_opens_the_editor(client, cast, in_review):
    review = in_review()
    step_request_changes(actor=cast["coordinator"], step=open_step(review), comment="Bitte den Ort ergänzen.")
    note = Notification.objects.get(recipient=cast["editor"], kind=Notification.Kind.CHANGES_REQUESTED)
    client.force_login(cast["editor"])
    response = client.get(f"/approvals/notifications/{note.pk}/")
    assert response.status_code == 302 and response["Location"] == f"/posts/{review.post_id}/edit/"
    assert client.get(response["Location"]).status_code == 200  # the author may edit it now


def test_waiting_notifications_are_settled_when_the_step_is_decided(client, cast, in_review):
    review = in_review()
    waiting = Notification.objects.get(recipient=cast["coordinator"], kind=Notification.Kind.REVIEW_WAITING)
    assert waiting.read_at is None
    client.force_login(cast["coordinator"])
    assert 'class="badge rounded-pill topbar-badge nav-unread">1<' in client.get("/").content.decode()
    step_request_changes(actor=cast["coordinator"], step=open_step(review), comment="Bitte ergänzen.")
    waiting.refresh_from_db()
    assert waiting.read_at is not None
    html = client.get("/approvals/notifications/").content.decode()
    assert "notification--unread" not in html
    assert "nav-unread" not in client.get("/").content.decode()
    # The author's news about the decision stays new.
    assert (
        Notification.objects.get(recipient=cast["editor"], kind=Notification.Kind.CHANGES_REQUESTED).read_at
        is None
    )
