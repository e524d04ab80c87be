"""Real Chromium: sign in with password and code by keyboard only; the pages break no CSP rule.

Also the pattern for other browser tests that sign in as koordination/presse/admin: type the password,
then ``fresh_totp_code(user)`` into the code page.
"""

import os
import re

import pytest
from django.db import connections
from django_otp.plugins.otp_static.models import StaticToken

from accounts import services
from accounts.testing import enrol_device, fresh_totp_code
from tests.conftest import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    # The live server needs committed data, hence a transactional test; the flush after earlier
    # transactional tests removed the role groups of the data migration, so they are made again.
    # (serialized_rollback would do that too, but collides with content types that an earlier
    # flush re-created.)
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("role_groups", "two_factor_required", "axes_on"),
]


@pytest.fixture
def role_groups(transactional_db):
    from django.contrib.auth.models import Group

    from departments import roles

    for name in roles.ALL_GROUPS:
        Group.objects.get_or_create(name=name)


@pytest.fixture
def browser_page(live_server):
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test are still
    # plain synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(locale="de-DE")
        # Nothing leaves the machine: only the live server may be reached.
        context.route(
            re.compile(r"^(?!" + re.escape(live_server.url) + ").*"),
            lambda route: route.abort(),
        )
        page = context.new_page()
        page.console_problems = []
        page.on(
            "console",
            lambda message: (
                page.console_problems.append(message.text) if message.type in ("error", "warning") else None
            ),
        )
        page.on("pageerror", lambda error: page.console_problems.append(str(error)))
        page.base = live_server.url
        yield page
        context.close()
        browser.close()
        # The test's queries ran while Playwright's greenlet was active, on a connection of their own
        # (Django keeps connections per context); close it, or the test database cannot be dropped.
        connections.close_all()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def press_enter_and_wait(page):
    with page.expect_navigation():
        page.keyboard.press("Enter")


def sign_in_with_password(page, username):
    page.goto(page.base + "/")
    assert page.url.startswith(page.base + "/accounts/login/")
    # The user name field has the focus; everything below is typed, as with a screen reader.
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type("demo-passwort")
    press_enter_and_wait(page)


def test_coordinator_signs_in_with_password_and_code_by_keyboard(browser_page, coordinator):
    page = browser_page
    enrol_device(coordinator)
    sign_in_with_password(page, "koordination")
    assert page.url == page.base + "/accounts/2fa/"
    assert page.evaluate("document.activeElement.id") == "id_code"
    assert page.get_attribute("#id_code", "autocomplete") == "one-time-code"
    page.keyboard.type("000000" if fresh_totp_code(coordinator) != "000000" else "111111")
    press_enter_and_wait(page)
    assert "ungültig" in page.inner_text("#id_code-error")
    assert page.evaluate("document.activeElement.id") == "id_code"
    page.fill("#id_code", "")
    # django-otp makes the next try wait a second after a wrong code.
    page.wait_for_timeout(1100)
    page.keyboard.type(fresh_totp_code(coordinator))
    page.keyboard.press("Enter")
    page.wait_for_url(page.base + "/")
    assert "Koordination" in page.inner_text("#my-roles")
    page.goto(page.base + "/accounts/security/")
    assert "Status: eingeschaltet." in page.inner_text("#second-factor")
    assert page.console_problems == []


def test_coordinator_sets_up_the_app_from_the_qr_page(browser_page, coordinator):
    from base64 import b32decode
    from binascii import hexlify

    from django_otp.oath import TOTP

    page = browser_page
    sign_in_with_password(page, "koordination")
    assert page.url == page.base + "/accounts/2fa/setup/"
    # First the one-time enrolment code the administration issued (issue 14).
    code = services.second_factor_enrolment_code_issue(actor=None, user=coordinator)
    page.fill("#id_enrolment_code", code)
    page.keyboard.press("Enter")
    page.wait_for_selector("#enrol-qr")
    # The QR code (a data: URI) is allowed by the policy and really drawn.
    assert page.evaluate("document.getElementById('enrol-qr').naturalWidth") > 100
    key = page.inner_text("#enrol-key").replace(" ", "")
    code = f"{TOTP(b32decode(key)).token():06d}"
    page.fill("#id_code", code)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/accounts/2fa/backup-codes/.*"))
    shown = page.locator("#backup-codes li").all_inner_texts()
    stored = set(StaticToken.objects.filter(device__user=coordinator).values_list("token", flat=True))
    assert len(shown) == 10 and set(shown) == stored
    assert coordinator.totpdevice_set.get().key == hexlify(b32decode(key)).decode()
    page.get_by_role("link", name="Ich habe die Codes notiert – weiter").click()
    page.wait_for_url(page.base + "/")
    assert "Koordination" in page.inner_text("#my-roles")
    assert page.console_problems == []


def test_lockout_message_is_shown_in_the_browser(browser_page, editor):
    page = browser_page
    page.goto(page.base + "/accounts/login/")
    for _ in range(5):
        page.fill("#id_username", "redaktion")
        page.fill("#id_password", "falsch")
        press_enter_and_wait(page)
    alert = page.inner_text("#login-errors")
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in alert
    assert page.input_value("#id_username") == "redaktion"
    assert page.get_attribute("#id_username", "aria-describedby") == "login-errors"
    # The 429 status of the lockout page is the only console message allowed here.
    assert all("429" in problem for problem in page.console_problems), page.console_problems
