"""Starting a rollout phase (issue 17): "Zugang prüfen" for each of its channels first, a page that
shows what will start, a refusal – naming the channel, why, with a link to it – for a channel whose
access fails or has no credentials, and a confirmation before anything goes live."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from channels import selectors, services
from channels.models import Channel, RolloutPhase

pytestmark = pytest.mark.django_db


@pytest.fixture
def phase_1(admin_user, department, fake_mastodon):
    """Phase 0 (the sandbox) runs; Phase 1 adds Mastodon (credentials of the fake server) and Instagram
    (no credentials stored)."""
    sandbox = services.channel_create(actor=admin_user, kind="sandbox", name="Sandbox")
    phase_0 = services.phase_create(
        actor=admin_user, order=0, name="Phase 0", channels=[sandbox], departments=[department]
    )
    services.phase_activate(actor=admin_user, phase=phase_0)
    mastodon = services.channel_create(
        actor=admin_user, name="Mastodon Landkreis", **fake_mastodon.channel_kwargs()
    )
    instagram = services.channel_create(
        actor=admin_user, kind="instagram", name="Instagram Landkreis", account="17841400000000000"
    )
    phase = services.phase_create(
        actor=admin_user, order=1, name="Phase 1", channels=[mastodon, instagram], departments=[department]
    )
    return {"phase": phase, "mastodon": mastodon, "instagram": instagram}


def test_the_check_page_names_the_channel_without_credentials_and_offers_no_start(
    client, admin_user, phase_1
):
    client.force_login(admin_user)
    response = client.post(reverse("publishing:rollout_check", args=[phase_1["phase"].pk]))
    assert response.status_code == 200
    html = response.content.decode()
    results = html.split('id="access-results"', 1)[1].split("</ul>", 1)[0]
    instagram = results.split("Instagram Landkreis", 1)[1]
    assert "keine Zugangsdaten" in results.split("Instagram Landkreis", 1)[0].rsplit("<li", 1)[1]
    assert "Für diesen Kanal sind noch keine Zugangsdaten hinterlegt" in instagram
    assert "abgelehnt" not in instagram  # a missing token is not a refusal by the network
    assert reverse("admin:channels_channel_change", args=[phase_1["instagram"].pk]) in instagram
    mastodon = results.split("Mastodon Landkreis", 1)[1].split("</li>", 1)[0]
    assert "Zugang funktioniert" in mastodon
    assert 'id="confirm-start"' not in html and 'id="start-refused"' in html
    # What will start is shown: the channels and the department.
    assert "Gesundheitsamt" in html.split('id="what-heading"', 1)[1]
    # Nothing started; the checks are recorded.
    assert not RolloutPhase.objects.get(pk=phase_1["phase"].pk).is_active
    assert AuditEvent.objects.filter(verb="channel.credentials_checked").count() == 2


def test_starting_anyway_is_refused_with_the_reason(client, admin_user, phase_1):
    client.force_login(admin_user)
    client.post(reverse("publishing:rollout_check", args=[phase_1["phase"].pk]))
    response = client.post(reverse("publishing:rollout_activate", args=[phase_1["phase"].pk]), follow=True)
    text = " ".join(str(m) for m in response.context["messages"])
    assert "Phase 1 wurde nicht gestartet" in text and "Instagram Landkreis" in text
    assert not RolloutPhase.objects.get(pk=phase_1["phase"].pk).is_active
    assert not Channel.objects.get(pk=phase_1["instagram"].pk).enabled
    assert not Channel.objects.get(pk=phase_1["mastodon"].pk).enabled


def test_when_every_channel_passes_the_page_asks_and_the_phase_starts(client, admin_user, phase_1):
    phase = phase_1["phase"]
    services.phase_update(actor=admin_user, phase=phase, channels=[phase_1["mastodon"]])
    client.force_login(admin_user)
    html = client.post(reverse("publishing:rollout_check", args=[phase.pk])).content.decode()
    assert 'id="confirm-start"' in html and "Phase 1 jetzt starten" in html
    assert not RolloutPhase.objects.get(pk=phase.pk).is_active  # nothing before the confirmation
    response = client.post(reverse("publishing:rollout_activate", args=[phase.pk]), follow=True)
    assert "Phase 1 ist jetzt aktiv." in " ".join(str(m) for m in response.context["messages"])
    assert "Mastodon Landkreis" in selectors.live_channels().values_list("name", flat=True)


def test_an_old_check_is_not_enough(admin_user, phase_1):
    phase = phase_1["phase"]
    services.phase_update(actor=admin_user, phase=phase, channels=[phase_1["mastodon"]])
    services.phase_check_access(actor=admin_user, phase=phase)
    Channel.objects.filter(pk=phase_1["mastodon"].pk).update(
        checked_at=timezone.now() - timedelta(minutes=20)
    )
    with pytest.raises(ValidationError) as refused:
        services.phase_start(actor=admin_user, phase=phase)
    assert "älter als 15 Minuten" in " ".join(refused.value.messages)


def test_a_phase_never_checked_is_refused_and_order_still_counts(admin_user, phase_1, department):
    later = services.phase_create(
        actor=admin_user, order=2, name="Phase 2", channels=[], departments=[department]
    )
    with pytest.raises(ValidationError) as refused:
        services.phase_start(actor=admin_user, phase=later)
    assert "Phase 1" in " ".join(refused.value.messages)  # phases start in order
    with pytest.raises(ValidationError) as refused:
        services.phase_start(actor=admin_user, phase=phase_1["phase"])
    assert "Zugang wurde nicht geprüft" in " ".join(refused.value.messages)


def test_the_access_check_of_a_channel_without_credentials_asks_no_network(admin_user, phase_1):
    result = services.channel_check_credentials(actor=admin_user, channel=phase_1["instagram"])
    assert not result.ok and result.missing
    channel = Channel.objects.get(pk=phase_1["instagram"].pk)
    assert channel.check_ok is False and "keine Zugangsdaten" in channel.check_message
