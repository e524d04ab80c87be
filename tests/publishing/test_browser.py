"""Real Chromium: the Rollout page works by keyboard, the sandbox feed and the channel form break no
CSP rule, and the channel form shows only the credential fields of the chosen network."""

from __future__ import annotations

import os
import re

import pytest
from django.db import connections

from channels import services
from channels.adapters import adapter_for
from channels.models import RolloutPhase
from channels.networks.base import PostContent
from tests.conftest import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    # The live server needs committed data, hence transactional tests; an earlier flush removed the role
    # groups of the data migration, so they are made again (as in tests/security/test_browser_sign_in.py).
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("role_groups"),
]


@pytest.fixture
def role_groups(transactional_db):
    from django.contrib.auth.models import Group

    from departments import roles

    for name in roles.ALL_GROUPS:
        Group.objects.get_or_create(name=name)


@pytest.fixture
def page(live_server):
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(locale="de-DE")
        context.route(re.compile(r"^(?!" + re.escape(live_server.url) + ").*"), lambda route: route.abort())
        page = context.new_page()
        page.problems = []
        page.on("console", lambda m: page.problems.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda error: page.problems.append(str(error)))
        page.base = live_server.url
        yield page
        context.close()
        browser.close()
        connections.close_all()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def sign_in(page, username):
    page.goto(page.base + "/accounts/login/")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type("demo-passwort")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def tab_to(page, text: str, limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if text in (page.evaluate("document.activeElement.textContent") or ""):
            return
    raise AssertionError(f"no focusable element with {text!r}")


def test_admin_activates_phase_0_by_keyboard(page, admin_user, department):
    # Starting checks each channel's access first and asks for confirmation (issue 17): the sandbox
    # passes without a network; a channel without credentials is refused (tests/publishing/test_rollout_start.py).
    sandbox = services.channel_create(actor=admin_user, kind="sandbox", name="Sandbox")
    services.phase_create(
        actor=admin_user, order=0, name="Phase 0", channels=[sandbox], departments=[department]
    )
    services.phase_create(actor=admin_user, order=1, name="Phase 1")
    sign_in(page, "admin")
    page.goto(page.base + "/publishing/rollout/")
    assert page.locator("h1").inner_text() == "Rollout"
    tab_to(page, "Phase 0 prüfen und starten")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, "Phase 0 jetzt starten")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Phase 0 ist jetzt aktiv." in page.locator("[role=status]").inner_text()
    assert "Sandbox" in page.locator("#live-channels").inner_text()
    assert RolloutPhase.objects.get(order=0).is_active
    assert page.problems == []


def test_sandbox_feed_renders_without_csp_problems(page, admin_user, editor, department):
    sandbox = services.channel_create(
        actor=admin_user, kind="sandbox", name="Sandbox", departments=[department]
    )
    phase = services.phase_create(actor=admin_user, order=0, name="Phase 0", channels=[sandbox])
    services.phase_activate(actor=admin_user, phase=phase)
    adapter_for(sandbox).publish(PostContent(text="Erster Testbeitrag im Feed", link="https://www.lk-row.de"))
    sign_in(page, "redaktion")
    page.goto(page.base + "/publishing/sandbox/")
    article = page.locator("article").first
    assert "Erster Testbeitrag im Feed" in article.inner_text()
    with page.expect_navigation():
        article.get_by_role("link", name=re.compile("Permalink")).click()
    assert "/publishing/sandbox/" in page.url
    assert page.problems == []


def test_channel_form_shows_only_the_chosen_networks_credentials(page, admin_user):
    sign_in(page, "admin")
    page.goto(page.base + "/admin/channels/channel/add/")
    page.select_option("#id_kind", "mastodon")
    assert page.locator("fieldset.channel-credentials-mastodon").is_visible()
    assert not page.locator("fieldset.channel-credentials-x").is_visible()
    page.select_option("#id_kind", "x")
    assert page.locator("fieldset.channel-credentials-x").is_visible()
    assert not page.locator("fieldset.channel-credentials-mastodon").is_visible()
    assert [p for p in page.problems if "Content Security Policy" in p] == []
