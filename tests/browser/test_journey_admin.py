"""Journey 3 in real Chromium: ``admin`` (with the code of the authenticator) plans the next rollout
phase in the administration and starts it on the Rollout page; the new channel becomes selectable in
the editor of a department that phase brings on board, and not in a department outside every active
phase.

Arranged like the county's start in 2020: Phase 0 (the sandbox channel; Facebook is switched off in
the demo) is the Gesundheitsamt alone; the demo's Phase 1 adds Instagram and Mastodon.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from channels import services
from channels.models import Channel, RolloutPhase
from departments.models import Department

from .conftest import axe, navigate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MASTODON = "Landkreis auf Mastodon"


@pytest.fixture
def gesundheitsamt_alone(world):
    """Phase 0 and its sandbox channel for the Gesundheitsamt only; an editor in the Jugendamt."""
    from django.contrib.auth import get_user_model

    from departments.services import membership_add

    admin = world["admin"]
    ga = Department.objects.get(code="GA")
    phase_0 = RolloutPhase.objects.get(order=0)
    services.phase_update(actor=admin, phase=phase_0, departments=[ga])
    for channel in phase_0.channels.all():
        services.channel_set_departments(actor=admin, channel=channel, departments=[ga])
    jugendamt_editor = get_user_model().objects.create_user(
        "redaktion3", password="demo-passwort", first_name="Jana", last_name="Jung"
    )
    membership_add(
        actor=admin, user=jugendamt_editor, department=Department.objects.get(code="JA"), role="editor"
    )


def editor_channels(page) -> list[str]:
    """The channel checkboxes the editor offers (their labels)."""
    navigate(page, lambda: page.goto(page.base + "/posts/new/"))
    return page.locator("input[name=channels]").evaluate_all(
        "boxes => boxes.map(box => box.labels[0].innerText)"
    )


def test_admin_plans_and_starts_phase_1_and_the_channel_reaches_only_its_departments(
    browse, world, gesundheitsamt_alone, screenshot, fake_mastodon
):
    # Before: the Straßenverkehrsamt has no channel at all.
    sva_editor = browse("redaktion2")
    assert editor_channels(sva_editor) == []
    expect(sva_editor.locator("#no-channels")).to_be_visible()

    admin = browse("admin")  # password, then the code of the authenticator
    nav = admin.get_by_role("navigation", name="Hauptnavigation")
    navigate(admin, lambda: nav.get_by_role("link", name="Rollout", exact=True).click())
    expect(admin.locator("#live-channels")).to_contain_text("Sandbox (Testkanal)")
    expect(admin.locator("#live-channels")).not_to_contain_text(MASTODON)

    # Plan: Phase 1 brings the Straßenverkehrsamt on board (the administration's form).
    navigate(admin, lambda: admin.get_by_role("link", name="Plan in der Verwaltung bearbeiten").click())
    navigate(admin, lambda: admin.get_by_role("link", name="Phase 1: Instagram und Mastodon").click())
    admin.get_by_role("checkbox", name="Straßenverkehrsamt").check()
    navigate(admin, lambda: admin.get_by_role("button", name="Sichern", exact=True).click())
    expect(admin.locator(".messagelist")).to_contain_text("erfolgreich geändert")
    phase_1 = RolloutPhase.objects.get(order=1)
    assert list(phase_1.departments.values_list("code", flat=True)) == ["SVA"]
    assert not phase_1.is_active

    # Start it on the Rollout page.
    navigate(admin, lambda: admin.goto(admin.base + "/publishing/rollout/"))
    next_phase = admin.locator("li.rollout-phase[aria-current=step]")
    expect(next_phase).to_contain_text("Phase 1: Instagram und Mastodon")
    expect(next_phase).to_contain_text("Straßenverkehrsamt")
    screenshot(admin, "rollout", full_page=True)
    start = "Phase 1: Instagram und Mastodon prüfen und starten …"

    # Starting checks the access of the phase's channels first: neither has credentials in the demo,
    # so the phase is refused, each channel named with the reason and a link to its settings.
    navigate(admin, lambda: next_phase.get_by_role("button", name=start).click())
    results = admin.locator("#access-results")
    expect(results).to_contain_text("Für diesen Kanal sind noch keine Zugangsdaten hinterlegt")
    expect(results.get_by_role("link", name=f"Einstellungen von {MASTODON} öffnen")).to_be_visible()
    expect(admin.locator("#start-refused")).to_be_visible()
    expect(admin.locator("#confirm-start")).to_have_count(0)
    screenshot(admin, "rollout-refused", full_page=True)
    assert not RolloutPhase.objects.get(order=1).is_active
    assert not Channel.objects.get(name=MASTODON).enabled

    # The administration enters Mastodon's credentials (here: those of the fake server) and takes
    # Instagram out of the phase; checking again passes, and the page asks before starting.
    mastodon = Channel.objects.get(name=MASTODON)
    kwargs = fake_mastodon.channel_kwargs()
    services.channel_update(
        actor=world["admin"], channel=mastodon, base_url=kwargs["base_url"], account=kwargs["account"]
    )
    services.channel_set_credentials(
        actor=world["admin"], channel=mastodon, credentials=kwargs["credentials"]
    )
    services.phase_update(actor=world["admin"], phase=phase_1, channels=[mastodon])
    navigate(admin, lambda: admin.get_by_role("button", name="Erneut prüfen").click())
    expect(admin.locator("#access-results")).to_contain_text("Zugang funktioniert")
    navigate(
        admin,
        lambda: admin.get_by_role("button", name="Phase 1: Instagram und Mastodon jetzt starten").click(),
    )
    expect(admin.locator("[role=status]")).to_contain_text("Phase 1: Instagram und Mastodon ist jetzt aktiv.")
    expect(admin.locator("#live-channels")).to_contain_text(MASTODON)
    phase_1.refresh_from_db()
    assert phase_1.is_active and phase_1.activated_by == world["admin"]
    assert Channel.objects.get(name=MASTODON).enabled

    # The Straßenverkehrsamt (in Phase 1) may now choose Mastodon …
    offered = editor_channels(sva_editor)
    assert any(MASTODON in label for label in offered), offered
    assert any("Sandbox (Testkanal)" in label for label in offered), offered  # phases add up
    # … the Jugendamt (in no active phase) still may not.
    ja_editor = browse("redaktion3")
    assert editor_channels(ja_editor) == []
    expect(ja_editor.locator("#no-channels")).to_be_visible()
    axe(ja_editor, context="/posts/new/ (Jugendamt, no channel)")
