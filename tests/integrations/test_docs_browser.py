"""The API's documentation page in Chromium: Swagger UI renders from the app's own assets under the
strict Content-Security-Policy, without a single violation or console error."""

from __future__ import annotations

import os
import re

import pytest

from tests.conftest import CHROMIUM

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_swagger_ui_renders_under_the_csp(live_server):
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's loop runs in this thread
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    outside: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless=new", "--no-sandbox", "--disable-gpu"]
        )
        try:
            context = browser.new_context(locale="de-DE")

            def refuse(route):
                outside.append(route.request.url)
                route.abort()

            context.route(re.compile(r"^(?!" + re.escape(live_server.url) + ").*"), refuse)
            page = context.new_page()
            page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(f"{live_server.url}/api/v1/docs/")
            page.wait_for_selector("#operations-posts-posts_create", timeout=20_000)
            titles = page.locator(".opblock-summary-path").all_inner_texts()
        finally:
            browser.close()
    assert any("/api/v1/posts/" in t for t in titles), titles
    assert not problems, problems
    assert not outside, outside  # no CDN, no font or image from elsewhere
