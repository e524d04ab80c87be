"""Real Chromium: the live check marks passages as one types, and the guide is confirmed by keyboard –
with htmx and the app's JavaScript under the strict Content-Security-Policy (no console errors)."""

from __future__ import annotations

import os
import re

import pytest
from django.db import connections

from tests.conftest import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def chromium(live_server, committed_default_rules):
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--headless=new", "--no-sandbox"]
            )
            browser.base = live_server.url
            yield browser
            browser.close()
            connections.close_all()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def signed_in(browser, username: str):
    context = browser.new_context(locale="de-DE", timezone_id="Europe/Berlin")
    context.set_default_timeout(15_000)
    context.route(re.compile(r"^(?!" + re.escape(browser.base) + ").*"), lambda route: route.abort())
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    page.goto(browser.base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "demo-passwort")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    return page


def test_findings_follow_the_typing_and_mark_the_passages(chromium, editor):
    from playwright.sync_api import expect

    page = signed_in(chromium, "redaktion")
    page.goto(chromium.base + "/etiquette/try/")
    page.get_by_label("Text des Beitrags").press_sequentially("Rufen Sie HEUTE oder MORGEN an: 0171 1234567")
    result = page.locator("#etiquette-result")
    expect(result).to_contain_text("1 blockierender Befund, 2 Warnungen")
    expect(result.locator('mark.finding-block[data-rule="personal_data"]')).to_have_text("0171 1234567")
    # Choosing a network by keyboard checks again: X's 280 characters are no problem here.
    page.get_by_label("X (Twitter)").focus()
    page.keyboard.press("Space")
    expect(result.locator("li[data-rule='personal_data']")).to_contain_text("Telefonnummer „0171 1234567“")
    assert page.problems == []


def test_the_guide_is_confirmed_by_keyboard(chromium, editor, admin_user):
    from playwright.sync_api import expect

    from etiquette import selectors, services

    version = services.guide_version_create(actor=admin_user, major=1, body="## Ton\n\nWir bleiben sachlich.")
    services.guide_version_publish(actor=admin_user, version=version)
    page = signed_in(chromium, "redaktion")
    expect(page.locator("#guide-notice")).to_be_visible()
    page.goto(chromium.base + "/etiquette/")
    button = page.get_by_role("button", name="Gelesen und verstanden")
    button.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")  # without the tick: an error next to the box, focusable
    expect(page.locator("#id_confirm_error")).to_contain_text("Bitte bestätigen Sie")
    page.get_by_label("Ich habe die Social-Media-Etikette gelesen und verstanden.").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Gelesen und verstanden").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("#ack-status")).to_contain_text("Bestätigt.")
    assert selectors.has_acknowledged_current_guide(editor)
    assert page.problems == []
