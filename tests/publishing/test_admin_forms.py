"""Channel and phase forms in the admin: bad input gets an error next to the field, never a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from channels import crypto, services
from channels.forms import credential_field_name
from channels.models import Channel, RolloutPhase

ADD = "admin:channels_channel_add"


def post_channel(client, data, *, pk=None):
    url = reverse("admin:channels_channel_change", args=[pk]) if pk else reverse(ADD)
    return client.post(url, data)


def base(kind, **extra):
    return {"kind": kind, "name": f"Kanal {kind}", "account": "", "base_url": "", **extra}


@pytest.fixture
def logged_in(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.mark.parametrize(
    ("data", "field", "text"),
    [
        (
            base(
                "mastodon",
                **{credential_field_name("mastodon", "access_token"): "abc def"},
                base_url="https://social.example",
            ),
            credential_field_name("mastodon", "access_token"),
            "Leerzeichen",
        ),
        (base("mastodon"), "base_url", "Adresse des Servers"),
        (base("mastodon", base_url="http://social.example"), "base_url", "https"),
        (base("mastodon", base_url="ftp://social.example"), "base_url", "https://"),
        (base("facebook", account="meine-seite"), "account", "Ziffern"),
        (base("bluesky", account="kein handle!"), "account", "Bluesky-Handle"),
        (base("x", account="viel_zu_langer_name_fuer_x"), "account", "X-Kontoname"),
        (base("sandbox", base_url="https://example.org"), "base_url", "Sandbox"),
        (base("facebook", account="1234567", enabled="on"), "enabled", "aktiven Rollout-Phase"),
    ],
    ids=[
        "token-with-space",
        "mastodon-needs-url",
        "plain-http",
        "ftp",
        "fb-page-id",
        "bsky-handle",
        "x-handle",
        "sandbox-url",
        "enable-outside-phase",
    ],
)
def test_bad_channel_input_is_an_error_next_to_the_field(logged_in, data, field, text):
    response = post_channel(logged_in, data)
    assert response.status_code == 200  # the form again, not a 500 and not a redirect
    form = response.context["adminform"].form
    assert field in form.errors, form.errors
    assert text in " ".join(form.errors[field])
    assert not Channel.objects.exists()
    html = response.content.decode()
    assert data["name"] in html  # what the admin typed is still there


def test_new_channel_gets_encrypted_credentials_and_is_audited(logged_in):
    data = base(
        "mastodon",
        base_url="https://social.example",
        account="@landkreis@social.example",
        **{credential_field_name("mastodon", "access_token"): "tok-123456"},
    )
    response = post_channel(logged_in, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    channel = Channel.objects.get()
    assert channel.kind == "mastodon" and not channel.enabled
    assert crypto.decrypt_json(channel.credentials_encrypted) == {"access_token": "tok-123456"}


def test_empty_credential_fields_keep_the_stored_values_on_change(logged_in, admin_user):
    channel = services.channel_create(
        actor=admin_user,
        kind="x",
        name="X",
        account="LandkreisROW",
        credentials={
            "consumer_key": "ck1",
            "consumer_secret": "cs1",
            "access_token": "at1",
            "access_token_secret": "as1",
        },
    )
    response = post_channel(
        logged_in,
        {
            "name": "X (Landkreis)",
            "account": "LandkreisROW",
            "base_url": "",
            credential_field_name("x", "access_token"): "at2",
        },
        pk=channel.pk,
    )
    assert response.status_code == 302
    channel.refresh_from_db()
    assert channel.name == "X (Landkreis)"
    assert crypto.decrypt_json(channel.credentials_encrypted) == {
        "consumer_key": "ck1",
        "consumer_secret": "cs1",
        "access_token": "at2",
        "access_token_secret": "as1",
    }


def test_enabling_outside_a_phase_on_change_is_refused_with_the_reason(logged_in, admin_user):
    channel = services.channel_create(actor=admin_user, kind="sandbox", name="Sandbox")
    response = post_channel(
        logged_in, {"name": "Sandbox", "account": "", "base_url": "", "enabled": "on"}, pk=channel.pk
    )
    assert response.status_code == 200
    assert "enabled" in response.context["adminform"].form.errors
    channel.refresh_from_db()
    assert not channel.enabled
    # The change page says why the channel is not live.
    page = logged_in.get(reverse("admin:channels_channel_change", args=[channel.pk])).content.decode()
    assert "nicht Teil einer aktiven Rollout-Phase" in page


def test_enable_action_refuses_and_says_why(logged_in, admin_user):
    channel = services.channel_create(actor=admin_user, kind="sandbox", name="Sandbox")
    response = logged_in.post(
        reverse("admin:channels_channel_changelist"),
        {"action": "enable_channels", "_selected_action": [channel.pk]},
        follow=True,
    )
    assert "Rollout-Phase" in " ".join(str(m) for m in response.context["messages"])
    channel.refresh_from_db()
    assert not channel.enabled


def test_admin_can_plan_three_phases_and_activate_phase_0(logged_in, admin_user, department):
    facebook = services.channel_create(
        actor=admin_user, kind="facebook", name="Facebook", account="1234567890"
    )
    instagram = services.channel_create(
        actor=admin_user, kind="instagram", name="Instagram", account="17841400000000000"
    )
    mastodon = services.channel_create(
        actor=admin_user, kind="mastodon", name="Mastodon", base_url="https://social.example"
    )
    x = services.channel_create(actor=admin_user, kind="x", name="X")
    bluesky = services.channel_create(
        actor=admin_user, kind="bluesky", name="Bluesky", account="lk.bsky.social"
    )
    add = reverse("admin:channels_rolloutphase_add")
    for order, name, channels in (
        (0, "Phase 0", [facebook]),
        (1, "Phase 1", [instagram, mastodon]),
        (2, "Phase 2", [x, bluesky]),
    ):
        response = logged_in.post(
            add,
            {
                "order": order,
                "name": name,
                "description": "",
                "planned_start": "2026-01-01",
                "channels": [c.pk for c in channels],
                "departments": [department.pk] if order == 0 else [],
            },
        )
        assert response.status_code == 302, response.context["adminform"].form.errors
    assert RolloutPhase.objects.count() == 3
    phase0 = RolloutPhase.objects.get(order=0)
    # The admin action starts a phase only after its channels passed the access check (the check
    # itself, against a fake network, is tested in test_rollout_start.py).
    Channel.objects.filter(pk=facebook.pk).update(checked_at=timezone.now(), check_ok=True)
    response = logged_in.post(
        reverse("admin:channels_rolloutphase_changelist"),
        {"action": "activate", "_selected_action": [phase0.pk]},
        follow=True,
    )
    assert response.status_code == 200
    page = logged_in.get(reverse("publishing:rollout")).content.decode()
    live = page[page.index('id="live-channels"') :]
    live = live[: live.index("</ul>")]
    assert "Facebook" in live
    for other in ("Instagram", "Mastodon", "X (", "Bluesky"):
        assert other not in live


def test_duplicate_phase_order_is_a_form_error(logged_in, admin_user):
    services.phase_create(actor=admin_user, order=0, name="Phase 0")
    response = logged_in.post(
        reverse("admin:channels_rolloutphase_add"),
        {"order": 0, "name": "Noch eine Phase 0", "description": "", "planned_start": "kein Datum"},
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "order" in errors and "planned_start" in errors
    assert RolloutPhase.objects.count() == 1
