"""Templates (Vorlagen): sandboxed placeholders, required fields, preview, automatic approval by
Koordination's rule – and a post from an auto-approved template published to the sandbox."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEvent
from integrations import templating
from integrations.models import PostTemplate
from posts.models import Post

TEXT = (
    "Corona im Landkreis: Die 7-Tage-Inzidenz liegt heute bei {{ inzidenz|zahl }}."
    "{% if neu %} Neu gemeldet: {{ neu }} Fälle.{% endif %}"
)


@pytest.fixture
def template(admin_user, department, channels):
    from integrations.services import template_save

    item = PostTemplate(
        name="Corona-Zahlen",
        department=department,
        title="Corona-Zahlen {{ datum }}",
        text=TEXT,
        link="https://www.lk-row.de/corona",
        attribution="Quelle: Gesundheitsamt",
        fields=[{"name": "inzidenz", "required": True}, {"name": "datum", "required": True}, {"name": "neu"}],
        example_data={"inzidenz": 35.4, "datum": "05.12.2026", "neu": 12},
    )
    return template_save(actor=admin_user, template=item, channels=[channels["mastodon"]])


def test_sandbox_fills_placeholders_and_refuses_internals():
    assert templating.render("{{ a }} und {{ b|zahl(2) }}", {"a": "Eins", "b": 1234.5}) == "Eins und 1.234,50"
    with pytest.raises(templating.TemplateProblem):
        templating.render("{{ a.__class__.__mro__ }}", {"a": "x"})
    with pytest.raises(templating.TemplateProblem):
        templating.render("{{ missing }}", {})
    with pytest.raises(templating.TemplateProblem):
        templating.render("{{ ''.__class__.__subclasses__() }}", {})
    assert templating.render("{{ settings }}", {"settings": "nur Text"}) == "nur Text"


def test_required_fields_and_broken_templates_are_field_errors(template, admin_user, department):
    from integrations.services import template_render, template_save

    with pytest.raises(ValidationError) as caught:
        template_render(template=template, data={"neu": 3})
    assert set(caught.value.message_dict) == {"data.inzidenz", "data.datum"}
    broken = PostTemplate(name="Kaputt", department=department, title="x", text="{% if %}", fields=[])
    with pytest.raises(ValidationError) as caught:
        template_save(actor=admin_user, template=broken)
    assert "text" in caught.value.message_dict


def test_api_preview_and_post_from_a_template(api, make_token, template):
    secret = make_token(rights=["draft", "submit", "read"])
    preview = api(secret).post(
        f"/api/v1/templates/{template.pk}/preview/", {"data": template.example_data}, format="json"
    )
    assert preview.status_code == 200, preview.content
    assert preview.json()["text"].startswith("Corona im Landkreis: Die 7-Tage-Inzidenz liegt heute bei 35,4.")
    assert preview.json()["text"].endswith("Quelle: Gesundheitsamt")
    assert not Post.objects.exists()
    missing = api(secret).post(
        f"/api/v1/templates/{template.pk}/posts/", {"data": {"inzidenz": 3}}, format="json"
    )
    assert missing.status_code == 400
    assert {e["field"] for e in missing.json()["errors"]} == {"data.datum"}
    assert missing.json()["errors"][0]["message"]["de"] == "Dieses Feld verlangt die Vorlage."
    created = api(secret).post(
        f"/api/v1/templates/{template.pk}/posts/",
        {"data": {"inzidenz": 41, "datum": "06.12.2026"}},
        format="json",
    )
    assert created.status_code == 201, created.content
    post = Post.objects.get(pk=created.json()["id"])
    assert post.status == Post.Status.IN_REVIEW and post.title == "Corona-Zahlen 06.12.2026"
    assert post.origin.template == template
    listed = api(secret).get("/api/v1/templates/").json()
    assert listed[0]["name"] == "Corona-Zahlen" and listed[0]["auto_approve"] is False


def test_only_koordination_switches_auto_approve(template, editor, admin_user, coordinator):
    from integrations.services import template_set_auto_approve

    for person in (editor, admin_user):
        with pytest.raises(PermissionDenied):
            template_set_auto_approve(actor=person, template=template, enabled=True)
    template = template_set_auto_approve(actor=coordinator, template=template, enabled=True)
    assert template.auto_approve and template.auto_approve_enabled_by == coordinator
    assert AuditEvent.objects.filter(verb="template.auto_approve_enabled", actor=coordinator).exists()
    template = template_set_auto_approve(actor=coordinator, template=template, enabled=False)
    assert not template.auto_approve and template.auto_approve_enabled_by is None


def test_auto_approved_template_post_skips_the_queue_and_names_the_rule(
    api, make_token, template, coordinator
):
    from approvals.models import Review, ReviewStep
    from integrations.services import template_set_auto_approve

    template_set_auto_approve(actor=coordinator, template=template, enabled=True)
    secret = make_token(rights=["draft", "submit", "read"])
    response = api(secret).post(
        f"/api/v1/templates/{template.pk}/posts/",
        {"data": {"inzidenz": 41, "datum": "06.12.2026"}},
        format="json",
    )
    assert response.status_code == 201, response.content
    post = Post.objects.get(pk=response.json()["id"])
    assert post.status in (Post.Status.APPROVED, Post.Status.PUBLISHING, Post.Status.PUBLISHED)
    review = Review.objects.get(post=post)
    step = review.steps.get()
    assert step.status == ReviewStep.Status.APPROVED and step.decided_by == coordinator
    assert "Corona-Zahlen" in step.comment and "koordination" in step.comment
    event = AuditEvent.objects.get(verb="template.auto_approved", post_id=post.pk)
    assert event.after["enabled_by"] == "koordination" and event.after["enabled_at"]
    # switched off: the next post waits in the queue
    template_set_auto_approve(actor=coordinator, template=template, enabled=False)
    template.refresh_from_db()
    second = api(secret).post(
        f"/api/v1/templates/{template.pk}/posts/",
        {"data": {"inzidenz": 40, "datum": "07.12.2026"}},
        format="json",
    )
    assert Post.objects.get(pk=second.json()["id"]).status == Post.Status.IN_REVIEW


def test_auto_approve_leaves_a_post_with_warnings_in_the_queue(api, make_token, template, coordinator):
    from integrations.services import template_set_auto_approve

    template.text = "Achtung!! Inzidenz {{ inzidenz }} am {{ datum }}."  # "!!": a warning needs a reason
    template.save(update_fields=["text"])
    template_set_auto_approve(actor=coordinator, template=template, enabled=True)
    secret = make_token(rights=["draft", "submit", "read"])
    response = api(secret).post(
        f"/api/v1/templates/{template.pk}/posts/",
        {"data": {"inzidenz": 41, "datum": "06.12.2026"}},
        format="json",
    )
    post = Post.objects.get(pk=response.json()["id"])
    assert post.status == Post.Status.IN_REVIEW
    assert AuditEvent.objects.filter(verb="template.auto_approve_skipped", post_id=post.pk).exists()


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("role_groups")
def test_auto_approved_template_post_is_published_to_the_sandbox(
    celery_worker_process, make_token, template, coordinator, channels, api
):
    """Real worker: the auto-approved post is delivered to the local sandbox channel."""
    import time

    from channels.models import Channel, RolloutPhase, SandboxPost
    from integrations.services import template_set_auto_approve
    from publishing.models import Delivery

    sandbox = Channel.objects.create(kind="sandbox", name="Sandbox", enabled=True)
    sandbox.departments.set([template.department])
    RolloutPhase.objects.get().channels.add(sandbox)
    template.channels.set([sandbox])
    template_set_auto_approve(actor=coordinator, template=template, enabled=True)
    celery_worker_process()
    secret = make_token(rights=["draft", "submit", "read"])
    response = api(secret).post(
        f"/api/v1/templates/{template.pk}/posts/",
        {"data": {"inzidenz": 41, "datum": "06.12.2026"}},
        format="json",
    )
    assert response.status_code == 201, response.content
    post_id = response.json()["id"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if Post.objects.get(pk=post_id).status == Post.Status.PUBLISHED:
            break
        time.sleep(0.3)
    assert Post.objects.get(pk=post_id).status == Post.Status.PUBLISHED
    assert Delivery.objects.get(post_id=post_id).status == "published"
    assert SandboxPost.objects.filter(text__contains="Inzidenz liegt heute bei 41,0").exists()


def test_template_pages(client, coordinator, editor, template):
    client.force_login(editor)
    assert client.get("/integrations/templates/").status_code == 403
    client.force_login(coordinator)
    page = client.get("/integrations/templates/")
    assert "Corona-Zahlen" in page.content.decode()
    preview = client.get(f"/integrations/templates/{template.pk}/preview/")
    assert "Die 7-Tage-Inzidenz liegt heute bei 35,4." in preview.content.decode()
    fragment = client.post(
        f"/integrations/templates/{template.pk}/preview/",
        {"data": '{"inzidenz": 99}'},
        HTTP_HX_REQUEST="true",
    )
    assert "<html" not in fragment.content.decode() and "datum" in fragment.content.decode()
    switched = client.post(f"/integrations/templates/{template.pk}/auto-approve/", {"enabled": "on"})
    assert switched.status_code == 302
    template.refresh_from_db()
    assert template.auto_approve and template.auto_approve_enabled_by == coordinator
