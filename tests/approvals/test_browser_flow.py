"""Real Chromium, the whole approval flow of issue 6 as people do it:

``redaktion`` submits; ``koordination`` finds it in the queue and asks for changes; ``redaktion`` edits and
submits again; ``koordination`` sees the diff, gives a reason for the warning and approves; a press-relevant
post also needs ``presse``; ``leitung`` approves for an autonomous department; the audit trail verifies and
stops verifying after a row is changed.
"""

from __future__ import annotations

import os
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections

from approvals.models import Review
from posts.models import Post
from tests.conftest import CHROMIUM

from .conftest import CLEAN_TEXT, WARN_TEXT

pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,
    pytest.mark.slow,
    # The live server needs committed data, hence a transactional test. An earlier flush may have removed
    # what data migrations made (role groups, the default etiquette rules): they are made again.
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("migrated_data"),
]


@pytest.fixture
def migrated_data(transactional_db):
    from importlib import import_module

    from django.apps import apps
    from django.contrib.auth.models import Group

    from departments import roles
    from etiquette.services import ruleset_touch

    for name in roles.ALL_GROUPS:
        Group.objects.get_or_create(name=name)
    import_module("etiquette.migrations.0002_default_rule_set").install(apps, None)
    ruleset_touch()  # every process reloads the rules


@pytest.fixture
def browser(live_server):
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        chromium.base = live_server.url
        chromium.problems = []
        yield chromium
        chromium.close()
        connections.close_all()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def signed_in(browser, username):
    """A fresh browser context (its own cookies) signed in as ``username``."""
    context = browser.new_context(locale="de-DE")
    context.route(re.compile(r"^(?!" + re.escape(browser.base) + ").*"), lambda route: route.abort())
    page = context.new_page()
    page.on("console", lambda m: browser.problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: browser.problems.append(str(error)))
    page.goto(browser.base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "demo-passwort")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    return page


def open_from_queue(page, base, title):
    page.goto(base + "/approvals/")
    with page.expect_navigation():
        page.get_by_role("link", name=title).click()
    assert page.locator("h1").inner_text() == title


def test_the_approval_flow_in_the_browser(
    browser, cast, make_post, department, admin_user, channels, acknowledge
):
    base = browser.base
    post = make_post(cast["editor"], department, text=CLEAN_TEXT, title="Neue Impftermine")

    # redaktion submits from the post page.
    author = signed_in(browser, "redaktion")
    author.goto(f"{base}/posts/{post.pk}/")
    with author.expect_navigation():
        author.get_by_role("button", name="Zur Freigabe einreichen").click()
    assert Post.objects.get(pk=post.pk).status == Post.Status.IN_REVIEW

    # koordination finds it in the queue and asks for changes.
    coordinator = signed_in(browser, "koordination")
    open_from_queue(coordinator, base, "Neue Impftermine")
    coordinator.locator("#changes-details summary").click()
    coordinator.get_by_label("Was soll die Autorin oder der Autor ändern?").fill(
        "Bitte einen Hinweis auf Glätte."
    )
    with coordinator.expect_navigation():
        coordinator.get_by_role("button", name="An die Autorin oder den Autor zurückgeben").click()
    assert "ist zur Änderung an die Autorin oder den Autor zurückgegangen" in coordinator.content(), (
        coordinator.locator(".invalid-feedback, .alert").all_inner_texts()
    )
    assert Post.objects.get(pk=post.pk).status == Post.Status.CHANGES_REQUESTED

    # redaktion sees the notification, edits and submits again.
    author.goto(f"{base}/approvals/notifications/")
    assert "bittet um Änderungen" in author.locator("#notification-list").inner_text()
    author.goto(f"{base}/posts/{post.pk}/edit/")
    author.fill("#id_text", WARN_TEXT)
    with author.expect_navigation():
        author.get_by_role("button", name="Zur Freigabe einreichen").click()
    assert Post.objects.get(pk=post.pk).status == Post.Status.IN_REVIEW

    # koordination sees the diff, gives a reason for the warning and approves.
    open_from_queue(coordinator, base, "Neue Impftermine")
    diff = coordinator.locator("#diff").inner_text()
    assert "Revision 1" in diff and "Revision 2" in diff and "hinzugefügt" in diff
    with coordinator.expect_navigation():
        coordinator.get_by_role("button", name="Freigeben", exact=True).click()
    assert "Bitte begründen Sie" in coordinator.content()  # no reason yet: refused, next to the field
    reason = coordinator.locator("#approve-form textarea").first
    assert reason.get_attribute("aria-invalid") == "true"
    reason.fill("Die Ausrufezeichen warnen vor Glätte, das ist gewollt.")
    with coordinator.expect_navigation():
        coordinator.get_by_role("button", name="Freigeben", exact=True).click()
    assert Post.objects.get(pk=post.pk).status == Post.Status.SCHEDULED
    review = Review.objects.filter(post=post).order_by("-opened_at").first()
    assert review.status == Review.Status.APPROVED
    assert review.acknowledgements.get().reason.startswith("Die Ausrufezeichen")

    # A press-relevant post needs the press office as well.
    press_post = make_post(
        cast["editor"], department, title="Landrat eröffnet Impfzentrum", press_relevant=True
    )
    author.goto(f"{base}/posts/{press_post.pk}/")
    with author.expect_navigation():
        author.get_by_role("button", name="Zur Freigabe einreichen").click()
    open_from_queue(coordinator, base, "Landrat eröffnet Impfzentrum")
    with coordinator.expect_navigation():
        coordinator.get_by_role("button", name="Diesen Schritt freigeben").click()
    assert Post.objects.get(pk=press_post.pk).status == Post.Status.IN_REVIEW
    press = signed_in(browser, "presse")
    open_from_queue(press, base, "Landrat eröffnet Impfzentrum")
    press.get_by_label("sofort veröffentlichen").check()
    with press.expect_navigation():
        press.get_by_role("button", name="Freigeben", exact=True).click()
    assert Post.objects.get(pk=press_post.pk).status == Post.Status.APPROVED

    # The administration makes the department autonomous; leitung approves.
    admin = signed_in(browser, "admin")
    admin.goto(f"{base}/approvals/review-modes/")
    row = admin.locator(f"#department-{department.pk}")
    row.get_by_role("combobox").select_option("autonomous")
    row.get_by_role("textbox").fill("Schulung abgeschlossen.")
    with admin.expect_navigation():
        row.get_by_role("button", name="Freigabeverfahren speichern").click()
    assert "Das Freigabeverfahren ist jetzt" in admin.content()
    own_post = make_post(cast["editor"], department, title="Hygienetipps für Kitas")
    author.goto(f"{base}/posts/{own_post.pk}/")
    with author.expect_navigation():
        author.get_by_role("button", name="Zur Freigabe einreichen").click()
    head = signed_in(browser, "leitung")
    open_from_queue(head, base, "Hygienetipps für Kitas")
    with head.expect_navigation():
        head.get_by_role("button", name="Freigeben", exact=True).click()
    assert Post.objects.get(pk=own_post.pk).status == Post.Status.SCHEDULED
    coordinator.goto(f"{base}/approvals/autonomous/")
    assert "Hygienetipps für Kitas" in coordinator.locator("#autonomous-table").inner_text()

    # Refused forms answer 400 on purpose (the browser notes that); anything else is a problem (CSP, JS).
    assert [p for p in browser.problems if "status of 400" not in p] == []

    # The audit trail verifies – and stops verifying once a row is changed behind its back.
    call_command("audit_verify", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE approvals_auditevent DISABLE TRIGGER USER")
        cursor.execute(
            "UPDATE approvals_auditevent SET comment = 'nie gesagt' WHERE verb = 'review.changes_requested'"
        )
        cursor.execute("ALTER TABLE approvals_auditevent ENABLE TRIGGER USER")
    with pytest.raises(CommandError):
        call_command("audit_verify", verbosity=0)
