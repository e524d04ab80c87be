"""Steps are chosen at submission: review mode of the department, and press relevance."""

import pytest

from approvals.models import Review, ReviewStep
from audit.models import AuditEvent
from departments.services import department_set_review_mode

from .conftest import PRESS_TEXT

pytestmark = pytest.mark.django_db


def kinds(review):
    return [(s.kind, s.status) for s in review.steps.order_by("position")]


def test_coordinated_department_goes_to_the_coordination(in_review):
    review = in_review()
    assert review.mode == Review.Mode.COORDINATED
    assert kinds(review) == [(ReviewStep.Kind.COORDINATION, ReviewStep.Status.OPEN)]
    assert review.press_relevant is False
    assert review.revision == review.submitted_revision == review.post.revisions.get()


def test_autonomous_department_goes_to_its_head(in_review, department, admin_user):
    department_set_review_mode(actor=admin_user, department=department, review_mode="autonomous")
    review = in_review()
    assert review.mode == Review.Mode.AUTONOMOUS
    assert kinds(review) == [(ReviewStep.Kind.DEPARTMENT_HEAD, ReviewStep.Status.OPEN)]


def test_press_flag_of_the_author_adds_the_press_office(in_review):
    review = in_review(press_relevant=True)
    assert kinds(review) == [
        (ReviewStep.Kind.COORDINATION, ReviewStep.Status.OPEN),
        (ReviewStep.Kind.PRESS, ReviewStep.Status.WAITING),
    ]
    assert review.press_relevant is True


def test_press_like_text_found_by_the_etiquette_check_adds_the_press_office(
    in_review, department, admin_user
):
    department_set_review_mode(actor=admin_user, department=department, review_mode="autonomous")
    review = in_review(text=PRESS_TEXT)
    assert kinds(review) == [
        (ReviewStep.Kind.DEPARTMENT_HEAD, ReviewStep.Status.OPEN),
        (ReviewStep.Kind.PRESS, ReviewStep.Status.WAITING),
    ]
    assert any(f["rule"] == "press.relevant" for f in review.findings)
    event = AuditEvent.objects.get(verb="review.opened", post_id=review.post_id)
    assert event.after["press_reasons"] == ["press.relevant"]
    assert event.after["steps"] == ["department_head", "press"]


def test_review_mode_change_does_not_touch_reviews_already_open(in_review, department, admin_user):
    review = in_review()
    department_set_review_mode(actor=admin_user, department=department, review_mode="autonomous")
    review.refresh_from_db()
    assert kinds(review) == [(ReviewStep.Kind.COORDINATION, ReviewStep.Status.OPEN)]


def test_routing_helpers_count_only_warnings_and_blocks_of_neutrality_rules():
    from approvals.selectors import routes_to_press

    assert routes_to_press({"rule": "neutrality.election_window", "severity": "block"})
    assert not routes_to_press({"rule": "neutrality.election_window", "severity": "info"})
    assert routes_to_press({"rule": "press.relevant", "severity": "warn"})
    assert routes_to_press({"rule": "custom.code", "severity": "info", "routes_to_press": True})
    assert not routes_to_press({"rule": "tone.shouting", "severity": "warn"})
