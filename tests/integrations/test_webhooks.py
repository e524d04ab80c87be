"""Webhooks: from audit events to signed requests, verified with standardwebhooks' own verifier; retried
after 500; switched off after repeated failure with a notice; refused for private addresses."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from standardwebhooks.webhooks import Webhook

from integrations import webhooks
from integrations.models import WebhookDelivery
from integrations.services import webhook_subscription_create
from tests.fakes.webhook_receiver import WebhookReceiver


@pytest.fixture
def receiver():
    server = WebhookReceiver().start()
    yield server
    server.stop()


@pytest.fixture
def subscription(settings, admin_user, integration, receiver):
    settings.LANDKREIS_WEBHOOKS_ALLOW_PRIVATE = True  # the receiver listens on 127.0.0.1
    webhooks.webhooks_dispatch()  # the first run sets the cursor to now
    return webhook_subscription_create(
        actor=admin_user,
        integration=integration,
        url=f"{receiver.base_url}/hooks/landkreis",
        events=["post.submitted", "post.approved"],
    )


def _submit(api, make_token, post_body, **overrides):
    secret = make_token(rights=["draft", "submit", "read"], label=overrides.pop("label", "cms"))
    return api(secret).post("/api/v1/posts/", post_body(submit=True, **overrides), format="json").json()["id"]


def test_submitted_post_is_delivered_signed_and_verifies(api, make_token, post_body, subscription, receiver):
    post_id = _submit(api, make_token, post_body)
    made = webhooks.webhooks_dispatch()
    assert len(made) == 1
    assert webhooks.webhooks_dispatch() == []  # read once
    assert webhooks.webhook_attempt(made[0]) is None
    (request,) = [r for r in receiver.requests if r.path == "/hooks/landkreis"]
    payload = Webhook(subscription.secret).verify(request.body, request.headers)
    assert payload["type"] == "post.submitted" and payload["data"]["post"]["id"] == post_id
    assert payload["data"]["post"]["status"] == "in_review"
    delivery = WebhookDelivery.objects.get(pk=made[0])
    assert delivery.status == WebhookDelivery.Status.DELIVERED and delivery.last_status_code == 204
    assert delivery.last_duration_ms is not None
    with pytest.raises(Exception, match="signature"):
        Webhook("whsec_" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB").verify(request.body, request.headers)


def test_events_of_other_departments_and_unsubscribed_events_are_not_sent(
    api, make_token, post_body, subscription, outsider, other_department, channels
):
    from posts.services import post_create

    post_create(
        actor=outsider, department=other_department, title="x", text="y"
    )  # post.created: not subscribed
    _draft = api(make_token(rights=["draft"])).post("/api/v1/posts/", post_body(), format="json")
    assert webhooks.webhooks_dispatch() == []


def test_retried_after_500_then_delivered(api, make_token, post_body, subscription, receiver):
    _submit(api, make_token, post_body)
    (delivery_id,) = webhooks.webhooks_dispatch()
    receiver.fail(500, path=r"/hooks/")
    countdown = webhooks.webhook_attempt(delivery_id)
    assert countdown is not None and 30 <= countdown <= 36
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert delivery.status == WebhookDelivery.Status.RETRYING and delivery.last_status_code == 500
    assert webhooks.webhook_attempt(delivery_id) is None
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED and delivery.attempts == 2
    assert len([r for r in receiver.requests if r.path.startswith("/hooks/")]) == 2
    ids = {r.header("webhook-id") for r in receiver.requests if r.path.startswith("/hooks/")}
    assert len(ids) == 1  # the same message id on every attempt (receivers deduplicate by it)


def test_switched_off_after_repeated_failure_with_a_notice(
    api, make_token, post_body, subscription, receiver, head, admin_user, django_capture_on_commit_callbacks
):
    receiver.fail(503, path=r"/hooks/", times=1000)
    for index in range(webhooks.WEBHOOK_DISABLE_AFTER):
        _submit(api, make_token, post_body, label=f"t{index}", title=f"Post {index}")
    made = webhooks.webhooks_dispatch()
    assert len(made) == webhooks.WEBHOOK_DISABLE_AFTER
    with django_capture_on_commit_callbacks(execute=True):
        for delivery_id in made:
            while webhooks.webhook_attempt(delivery_id) is not None:
                pass
    subscription.refresh_from_db()
    assert subscription.active is False and subscription.disabled_at is not None
    assert "503" in subscription.disabled_reason
    assert {d.status for d in WebhookDelivery.objects.all()} == {WebhookDelivery.Status.FAILED}
    assert WebhookDelivery.objects.first().attempts == webhooks.WEBHOOK_MAX_ATTEMPTS
    from audit.models import AuditEvent

    assert AuditEvent.objects.filter(verb="webhook.switched_off").count() == 1
    (notice,) = mail.outbox
    assert "abgeschaltet" in notice.subject and head.email in notice.to


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x",
        "http://localhost/x",
        "http://10.1.2.3/x",
        "http://[::1]/x",
        "http://169.254.169.254/latest",
        "ftp://example.org/x",
    ],
)
def test_private_and_loopback_addresses_are_refused(admin_user, integration, url, settings):
    settings.LANDKREIS_WEBHOOKS_ALLOW_PRIVATE = False
    with pytest.raises(ValidationError) as caught:
        webhook_subscription_create(
            actor=admin_user, integration=integration, url=url, events=["post.approved"]
        )
    assert "url" in caught.value.message_dict


def test_a_name_that_later_points_inside_is_refused_at_delivery(
    api, make_token, post_body, subscription, receiver, settings
):
    _submit(api, make_token, post_body)
    (delivery_id,) = webhooks.webhooks_dispatch()
    settings.LANDKREIS_WEBHOOKS_ALLOW_PRIVATE = False
    assert webhooks.webhook_attempt(delivery_id) is None
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert delivery.status == WebhookDelivery.Status.REFUSED and "127.0.0.1" in delivery.last_error
    assert not [r for r in receiver.requests if r.path.startswith("/hooks/")]


def test_events_are_a_registry_other_apps_extend():
    from integrations import events

    event = events.register(
        events.WebhookEvent(
            "inbox.item_created", "inbox item created", ("inbox_item.created",), about_posts=False
        )
    )
    try:
        assert events.events_for_verb("inbox_item.created") == [event]
        assert "inbox.item_created" in dict(events.choices())
    finally:
        events.registry.pop("inbox.item_created")


def test_a_delivery_whose_message_was_lost_is_queued_again(api, make_token, post_body, subscription):
    from datetime import timedelta

    from django.utils import timezone

    _submit(api, make_token, post_body)
    (delivery_id,) = webhooks.webhooks_dispatch()
    assert webhooks.stale_deliveries() == []  # just made: not overdue
    WebhookDelivery.objects.filter(pk=delivery_id).update(
        next_attempt_at=timezone.now() - timedelta(minutes=6)
    )
    assert webhooks.stale_deliveries() == [delivery_id]
    assert webhooks.stale_deliveries() == []  # once per period
    assert webhooks.webhook_attempt(delivery_id) is None
    assert WebhookDelivery.objects.get(pk=delivery_id).next_attempt_at is None


def test_inbox_events_go_only_to_the_integrations_of_the_items_department(
    settings, admin_user, integration, receiver, coordinator, department, other_department, channels
):
    """An integration of the Gesundheitsamt hears of inbox items of the Gesundheitsamt – not of those the
    coordination assigns to the Straßenverkehrsamt (they were sent to every integration before)."""
    from django.utils import timezone

    from inbox.models import InboxItem
    from inbox.services import item_assign

    settings.LANDKREIS_WEBHOOKS_ALLOW_PRIVATE = True
    webhooks.webhooks_dispatch()
    webhook_subscription_create(
        actor=admin_user,
        integration=integration,
        url=f"{receiver.base_url}/hooks/inbox",
        events=["inbox.item_assigned"],
    )

    def triage_item(network_id: str) -> InboxItem:
        return InboxItem.objects.create(
            channel=channels["mastodon"],
            network_id=network_id,
            kind=InboxItem.Kind.COMMENT,
            text="Frage",
            received_at=timezone.now(),
            conversation_key=f"item:{network_id}",
        )

    own, other = triage_item("1"), triage_item("2")
    item_assign(actor=coordinator, item=other, department=other_department, note="Verkehr")
    item_assign(actor=coordinator, item=own, department=department, note="Gesundheit")
    made = webhooks.webhooks_dispatch()
    assert len(made) == 1
    payload = WebhookDelivery.objects.get(pk=made[0]).payload
    assert payload["type"] == "inbox.item_assigned" and payload["data"]["object_id"] == str(own.pk)
