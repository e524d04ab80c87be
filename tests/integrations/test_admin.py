"""Administration in the admin: an integration with its service user, a token shown once, revocation."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from integrations import tokens
from integrations.models import Integration, IntegrationToken


def test_admin_creates_integration_and_token_shown_once(client, admin_user, head, department, channels):
    client.force_login(admin_user)
    response = client.post(
        "/admin/integrations/integration/add/",
        {
            "name": "Pressetool",
            "slug": "",
            "description": "",
            "responsible": head.pk,
            "departments": [department.pk],
            "active": "on",
        },
    )
    assert response.status_code == 302, [
        line for line in response.content.decode().splitlines() if "error" in line
    ]
    integration = Integration.objects.get(name="Pressetool")
    service_user = get_user_model().objects.get(username="integration-pressetool")
    assert integration.service_user == service_user and not service_user.has_usable_password()

    response = client.post(
        "/admin/integrations/integrationtoken/add/",
        {
            "integration": integration.pk,
            "label": "Produktion",
            "rights": ["draft", "read"],
            "departments": [department.pk],
            "rate_limit": "60/minute",
        },
    )
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    page = response.content.decode()
    secret = page.split('id="token-secret" type="text" readonly size="70" value="')[1].split('"')[0]
    token = IntegrationToken.objects.get()
    assert secret.startswith("lks_") and tokens.lookup_of(secret) == token.lookup
    assert tokens.matches(secret, token.secret_hash) and secret not in token.secret_hash
    assert (
        secret not in client.get(f"/admin/integrations/integrationtoken/{token.pk}/change/").content.decode()
    )
    assert secret not in client.get("/admin/integrations/integrationtoken/").content.decode()

    response = client.post(
        "/admin/integrations/integrationtoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == admin_user


def test_token_form_refuses_departments_outside_the_integration(
    client, admin_user, integration, other_department
):
    client.force_login(admin_user)
    response = client.post(
        "/admin/integrations/integrationtoken/add/",
        {
            "integration": integration.pk,
            "label": "x",
            "rights": ["read"],
            "departments": [other_department.pk],
            "rate_limit": "60/minute",
        },
    )
    assert response.status_code == 200
    assert "Ein Token darf nur für Fachbereiche seiner Integration gelten." in response.content.decode()
    assert not IntegrationToken.objects.exists()


def test_admin_webhook_subscription_and_template(
    client, admin_user, integration, department, channels, settings
):
    from integrations.models import PostTemplate, WebhookSubscription

    client.force_login(admin_user)
    refused = client.post(
        "/admin/integrations/webhooksubscription/add/",
        {
            "integration": integration.pk,
            "url": "http://127.0.0.1:8000/hook",
            "events": ["post.approved"],
            "active": "on",
        },
    )
    assert refused.status_code == 200 and "Loopback" in refused.content.decode()
    settings.LANDKREIS_WEBHOOKS_ALLOW_PRIVATE = True
    made = client.post(
        "/admin/integrations/webhooksubscription/add/",
        {
            "integration": integration.pk,
            "url": "http://127.0.0.1:8000/hook",
            "events": ["post.approved"],
            "active": "on",
        },
    )
    assert made.status_code == 302, [line for line in made.content.decode().splitlines() if "error" in line]
    assert WebhookSubscription.objects.get().secret.startswith("whsec_")

    broken = client.post(
        "/admin/integrations/posttemplate/add/",
        {
            "name": "Pegel",
            "department": department.pk,
            "channels": [channels["mastodon"].pk],
            "title": "Pegel",
            "text": "{% if %}",
            "link": "",
            "attribution": "",
            "fields": "[]",
            "example_data": "{}",
            "active": "on",
        },
    )
    assert broken.status_code == 200 and "Die Vorlage enthält einen Fehler" in broken.content.decode()
    made = client.post(
        "/admin/integrations/posttemplate/add/",
        {
            "name": "Pegel",
            "department": department.pk,
            "channels": [channels["mastodon"].pk],
            "title": "Pegel",
            "text": "Pegel {{ stand }}",
            "link": "",
            "attribution": "",
            "fields": '[{"name": "stand", "required": true}]',
            "example_data": '{"stand": 312}',
            "active": "on",
        },
    )
    assert made.status_code == 302, [line for line in made.content.decode().splitlines() if "error" in line]
    template = PostTemplate.objects.get()
    assert list(template.channels.all()) == [channels["mastodon"]] and template.required_fields() == ["stand"]
