"""Four eyes for posts made through the API: their author is the integration's service user, the person
who answers for them (``Post.responsible``) may not decide on them – except through a template rule they
enabled themselves (the rule is the documented decision)."""

from __future__ import annotations

import pytest

from approvals import selectors, services
from approvals.models import Review, ReviewStep
from audit.models import AuditEvent
from notifications.models import Notification
from posts.models import Post

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinating_integration(admin_user, coordinator, department, guide):
    """An integration the coordinator "koordination" answers for (they confirmed the guide)."""
    from etiquette.services import guide_acknowledge
    from integrations.services import integration_create

    guide_acknowledge(actor=coordinator, version=guide)
    return integration_create(
        actor=admin_user, name="Pressemitteilungen", responsible=coordinator, departments=[department]
    )


@pytest.fixture
def submit_through_api(api, make_token, post_body, coordinating_integration):
    def submit(**overrides) -> Post:
        secret = make_token(
            rights=["draft", "submit", "read"], for_integration=coordinating_integration, label="CMS"
        )
        response = api(secret).post("/api/v1/posts/", post_body(submit=True, **overrides), format="json")
        assert response.status_code == 201, response.content
        return Post.objects.get(pk=response.json()["id"])

    return submit


@pytest.fixture
def second_coordinator(make_user):
    return make_user("koordination2", groups=("Koordination",))


def _step(post: Post) -> ReviewStep:
    review = Review.objects.get(post=post, status=Review.Status.OPEN)
    step = review.steps.get(status=ReviewStep.Status.OPEN)
    step.review = review
    return step


def test_the_api_post_names_the_responsible_person(submit_through_api, coordinator, coordinating_integration):
    post = submit_through_api()
    assert post.author == coordinating_integration.service_user
    assert post.responsible == coordinator == post.origin.responsible
    created = AuditEvent.objects.get(verb="post.created", post_id=post.pk)
    assert created.after["responsible"] == "koordination"


@pytest.mark.parametrize(
    "decide",
    [
        lambda actor, step: services.step_approve(actor=actor, step=step),
        lambda actor, step: services.step_request_changes(actor=actor, step=step, comment="Bitte ändern."),
        lambda actor, step: services.step_reject(actor=actor, step=step, reason="Nein."),
    ],
    ids=["approve", "changes", "reject"],
)
def test_the_responsible_person_may_not_decide_on_the_integrations_post(
    submit_through_api, coordinator, decide
):
    post = submit_through_api()
    step = _step(post)
    before = AuditEvent.objects.count()
    with pytest.raises(services.DecisionRefused) as refused:
        decide(coordinator, step)
    assert str(refused.value) == (
        "Sie verantworten diesen Beitrag (ein anderes System hat ihn in Ihrem Namen erstellt). "
        "Vier-Augen-Prinzip: Eine andere Person muss darüber entscheiden."
    )
    assert AuditEvent.objects.count() == before
    assert Post.objects.get(pk=post.pk).status == Post.Status.IN_REVIEW
    assert not selectors.may_decide(coordinator, step)
    assert not selectors.is_current_reviewer(coordinator, post)


def test_another_coordinator_approves_the_integrations_post(submit_through_api, second_coordinator):
    post = submit_through_api()
    step = _step(post)
    assert selectors.may_decide(second_coordinator, step)
    services.step_approve(actor=second_coordinator, step=step)
    assert Review.objects.get(pk=step.review_id).status == Review.Status.APPROVED
    assert Post.objects.get(pk=post.pk).status != Post.Status.IN_REVIEW


def test_queue_and_waiting_notice_leave_out_the_responsible_person(
    submit_through_api, coordinator, second_coordinator
):
    post = submit_through_api()
    assert not selectors.queue_for(coordinator).filter(review__post=post).exists()
    assert selectors.queue_for(second_coordinator).filter(review__post=post).exists()
    waiting = Notification.objects.filter(post=post, kind=Notification.Kind.REVIEW_WAITING)
    assert set(waiting.values_list("recipient__username", flat=True)) == {"koordination2"}


def test_the_review_page_offers_no_decision_to_the_responsible_person(
    client, submit_through_api, coordinator, second_coordinator
):
    post = submit_through_api()
    client.force_login(coordinator)
    html = client.get(f"/approvals/posts/{post.pk}/").content.decode()
    assert "Ihre Entscheidung" not in html and 'id="approve-form"' not in html
    assert "Sie verantworten diesen Beitrag" in html
    client.force_login(second_coordinator)
    html = client.get(f"/approvals/posts/{post.pk}/").content.decode()
    assert "Ihre Entscheidung (Koordination)" in html and 'id="approve-form"' in html


def test_a_template_rule_enabled_by_the_responsible_person_still_approves(
    api, make_token, admin_user, coordinator, coordinating_integration, department, channels
):
    """The rule is the county's documented decision (enabled by Koordination, audited, switchable):
    it approves even when the person who enabled it answers for the integration."""
    from integrations.models import PostTemplate
    from integrations.services import template_save, template_set_auto_approve

    template = template_save(
        actor=admin_user,
        template=PostTemplate(
            name="Pegelstand",
            department=department,
            title="Pegel {{ datum }}",
            text="Der Pegel der Wümme liegt heute bei {{ stand }} cm.",
            fields=[{"name": "stand", "required": True}, {"name": "datum", "required": True}],
            example_data={"stand": 120, "datum": "05.12.2026"},
        ),
        channels=[channels["mastodon"]],
    )
    template_set_auto_approve(actor=coordinator, template=template, enabled=True)
    secret = make_token(rights=["draft", "submit", "read"], for_integration=coordinating_integration)
    response = api(secret).post(
        f"/api/v1/templates/{template.pk}/posts/",
        {"data": {"stand": 130, "datum": "06.12.2026"}},
        format="json",
    )
    assert response.status_code == 201, response.content
    post = Post.objects.get(pk=response.json()["id"])
    assert post.responsible == coordinator
    step = Review.objects.get(post=post).steps.get()
    assert step.status == ReviewStep.Status.APPROVED and step.decided_by == coordinator
    approved = AuditEvent.objects.get(verb="review.step_approved", post_id=post.pk)
    assert approved.after["standing_rule"] == "Pegelstand"
    assert AuditEvent.objects.filter(verb="template.auto_approved", post_id=post.pk).exists()


def test_a_standing_rule_does_not_let_the_author_approve(make_user, department, guide, channels):
    """The exception is only for the person who answers for the post, never for its author."""
    from departments.services import membership_add
    from etiquette.services import guide_acknowledge
    from posts.services import post_create, post_submit

    writer = make_user("koordination_schreibt", groups=("Koordination",))
    membership_add(actor=None, user=writer, department=department, role="editor")
    guide_acknowledge(actor=writer, version=guide)
    post = post_create(
        actor=writer,
        department=department,
        title="Eigener",
        text="Ein sachlicher Text.",
        channels=[channels["mastodon"]],
    )
    post_submit(actor=writer, post=post)
    with pytest.raises(services.DecisionRefused):
        services.step_approve(actor=writer, step=_step(post), standing_rule="Regel")
