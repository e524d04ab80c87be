"""Four eyes: nobody decides a step of their own post; each step belongs to one role (and department)."""

import pytest

from approvals import selectors, services
from approvals.models import Review
from audit.models import AuditEvent
from departments.services import department_create, department_set_review_mode, membership_add

from .conftest import open_step

pytestmark = pytest.mark.django_db


@pytest.fixture
def autonomous(department, admin_user):
    department_set_review_mode(actor=admin_user, department=department, review_mode="autonomous")
    return department


DECISIONS = {
    "approve": lambda actor, step: services.step_approve(actor=actor, step=step),
    "changes": lambda actor, step: services.step_request_changes(
        actor=actor, step=step, comment="Bitte ändern."
    ),
    "reject": lambda actor, step: services.step_reject(actor=actor, step=step, reason="Nein."),
}


def assert_refused(actor, step, decision="approve"):
    before = AuditEvent.objects.count()
    with pytest.raises(services.DecisionRefused):
        DECISIONS[decision](actor, step)
    assert AuditEvent.objects.count() == before
    assert Review.objects.get(pk=step.review_id).status == Review.Status.OPEN


@pytest.mark.parametrize("decision", DECISIONS)
def test_a_coordinator_cannot_decide_on_a_post_they_wrote(make_post, submit, make_user, department, decision):
    writing_coordinator = make_user("koordination_schreibt", groups=("Koordination",))
    membership_add(actor=None, user=writing_coordinator, department=department, role="editor")
    review = submit(make_post(writing_coordinator, department))
    step = open_step(review)
    assert_refused(writing_coordinator, step, decision)
    assert "Vier-Augen-Prinzip" in selectors.refusal_reason(writing_coordinator, step)


def test_the_head_cannot_approve_a_post_they_wrote_even_in_their_own_department(
    make_post, submit, head, autonomous
):
    review = submit(make_post(head, autonomous))
    assert_refused(head, open_step(review))


def test_a_colleague_who_submitted_cannot_approve_it(make_post, submit, make_user, editor, autonomous):
    second_head = make_user("leitung2")
    membership_add(actor=None, user=second_head, department=autonomous, role="head")
    post = make_post(editor, autonomous)
    from etiquette.selectors import current_guide
    from etiquette.services import guide_acknowledge

    guide_acknowledge(actor=second_head, version=current_guide())
    review = submit(post, actor=second_head)  # the second head submits the editor's draft
    step = open_step(review)
    assert_refused(second_head, step)


def test_the_head_approves_for_their_autonomous_department(in_review, head, autonomous):
    review = in_review()
    services.step_approve(actor=head, step=open_step(review))
    assert Review.objects.get(pk=review.pk).status == Review.Status.APPROVED


def test_a_head_of_another_department_cannot_decide(in_review, make_user, autonomous, admin_user):
    other = department_create(actor=None, name="Jugendamt", code="JA")
    department_set_review_mode(actor=admin_user, department=other, review_mode="autonomous")
    foreign_head = make_user("leitung_ja")
    membership_add(actor=None, user=foreign_head, department=other, role="head")
    review = in_review()
    step = open_step(review)
    for decision in DECISIONS:
        assert_refused(foreign_head, step, decision)
    assert "Gesundheitsamt" in selectors.refusal_reason(foreign_head, step)


@pytest.mark.parametrize("who", ["editor", "outsider", "press", "admin"])
def test_other_roles_cannot_decide_the_coordination_step(in_review, cast, who):
    review = in_review()
    assert_refused(cast[who], open_step(review))


@pytest.mark.parametrize("who", ["coordinator", "admin", "outsider", "editor"])
def test_only_the_department_head_decides_the_head_step(in_review, cast, autonomous, who):
    review = in_review()
    assert_refused(cast[who], open_step(review))


def test_the_coordinator_cannot_decide_the_press_step(in_review, coordinator, press):
    review = in_review(press_relevant=True)
    services.step_approve(actor=coordinator, step=open_step(review))
    assert_refused(coordinator, open_step(review))
    services.step_approve(actor=press, step=open_step(review))


def test_a_deactivated_coordinator_cannot_decide(in_review, coordinator):
    coordinator.is_active = False
    coordinator.save(update_fields=["is_active"])
    review = in_review()
    assert_refused(coordinator, open_step(review))
