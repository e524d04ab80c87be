"""What the browser journeys share: one Chromium for the whole folder, the demo world on the live
server, signed-in pages, axe-core on every page a journey visits, and the README's screenshots.

- ``chromium`` is started once for ``tests/browser/`` (package scope) with the launch arguments CI uses;
  every test gets fresh browser contexts (own cookies) from ``browse``.
- ``world`` is ``manage.py seed_demo`` – the README's demo logins, departments, channels, rollout plan
  and guide – on the live server's (transactional) test database, with the second factor required as in
  production: ``koordination`` and ``admin`` type the code of their authenticator.
- ``axe(page)`` runs the vendored axe-core (``vendor/axe.min.js``) in the page and fails on serious or
  critical violations; moderate and minor ones are printed at the end of the run. ``browse`` fails a
  test that navigated to a page it did not check, and a test whose pages logged errors (CSP included).
- ``screenshot(page, name)`` writes ``docs/screenshots/<name>.png`` only with ``UPDATE_SCREENSHOTS=1``
  (otherwise into the test's temporary folder, so a CI run does not change the working tree).
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path
from urllib.parse import urldefrag

import pytest
from django.conf import settings
from django.db import connections

from tests.conftest import CHROMIUM

HERE = Path(__file__).resolve().parent
AXE_SOURCE = HERE / "vendor" / "axe.min.js"
SCREENSHOT_DIR = Path(settings.BASE_DIR) / "docs" / "screenshots"
UPDATE_SCREENSHOTS = os.environ.get("UPDATE_SCREENSHOTS", "") == "1"
VIEWPORT = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
LAUNCH_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
# Chromium on Linux takes its interface language (file and date inputs) from the environment, not from
# --lang; German needs Debian's chromium-l10n (only the screenshots show the difference).
BROWSER_ENV = {"LANGUAGE": "de", "LANG": "de_DE.UTF-8"}
PASSWORD = "demo-passwort"
# WCAG 2.0/2.1 A and AA (what BITV 2.0 asks) plus axe's best practices (landmarks, heading order …).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
FAILING_IMPACTS = {"serious", "critical"}
AXE_OWN_NOISE = re.compile(r"Applying inline style violates|Couldn't load preload assets")

# What axe checked in this run, and its moderate and minor findings: printed in the terminal summary.
CHECKED_PAGES: list[str] = []
MINOR_FINDINGS: dict[tuple[str, str], set[str]] = {}


# --- Chromium ---------------------------------------------------------------------------------------


@pytest.fixture(scope="package")
def chromium():
    """One headless Chromium for every test of this folder (contexts are per test)."""
    # Playwright's sync API keeps an event loop running in this thread; the test's ORM calls are still
    # plain synchronous code, so Django's async guard is switched off while the browser runs.
    saved = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=LAUNCH_ARGS, env={**os.environ, **BROWSER_ENV}
            )
            yield browser
            browser.close()
            connections.close_all()
    finally:
        if saved is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = saved


# --- The demo world ---------------------------------------------------------------------------------


@pytest.fixture
def world(transactional_db, settings):
    """``seed_demo`` on the test database; returns the demo users by name.

    The live server needs committed data, hence a transactional database. The flush after earlier
    transactional tests removed what data migrations made (role groups, the default etiquette rules,
    the netiquette and the reply rules),
    so they are made again first (serialized_rollback collides with content types re-created by an
    earlier flush).
    """
    from importlib import import_module

    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from departments import roles
    from etiquette.services import ruleset_touch

    for name in roles.ALL_GROUPS:
        Group.objects.get_or_create(name=name)
    import_module("etiquette.migrations.0002_default_rule_set").install(apps, None)
    import_module("etiquette.migrations.0004_netiquette_default").install(apps, None)
    import_module("etiquette.migrations.0005_reply_rules").install(apps, None)
    ruleset_touch()  # every process (live server, worker) reloads the rules
    call_command("seed_demo", force=True, stdout=io.StringIO())
    # As in production and in the demo: Koordination, Pressestelle and Administration need the code.
    settings.TWO_FACTOR_REQUIRED = True
    return {user.username: user for user in get_user_model().objects.all()}


# --- Pages --------------------------------------------------------------------------------------------


class Browse:
    """``browse(username)`` → a signed-in page in a fresh context; ``browse(None)`` → signed out."""

    def __init__(self, chromium, base_url: str):
        self.chromium = chromium
        self.base = base_url
        self.contexts = []
        self.pages = []

    def __call__(self, username: str | None, *, locale: str = "de-DE", **context_options):
        context_options.setdefault("viewport", VIEWPORT)  # PHONE for the 390-px checks
        context = self.chromium.new_context(locale=locale, timezone_id="Europe/Berlin", **context_options)
        context.set_default_timeout(15_000)
        # Nothing leaves the machine: only the live server may be reached.
        context.route(re.compile(r"^(?!" + re.escape(self.base) + ").*"), lambda route: route.abort())
        self.contexts.append(context)
        page = context.new_page()
        page.base = self.base
        page.problems = []
        page.visited = []
        page.checked = set()
        page.expected_errors = []  # console messages a test announced (navigate(..., status=400))
        page.on(
            "console",
            lambda message: (
                page.problems.append(f"{message.type}: {message.text} ({page.url})")
                if message.type in ("error", "warning")
                else None
            ),
        )
        page.on("pageerror", lambda error: page.problems.append(f"pageerror: {error} ({page.url})"))
        page.on(
            "framenavigated",
            lambda frame: page.visited.append(urldefrag(frame.url).url) if frame == page.main_frame else None,
        )
        # File choosers are intercepted (no native dialog) only once a listener exists, and Playwright
        # switches that on without waiting: a key press right after expect_file_chooser() can beat it
        # (seen under load). A listener from the start keeps the interception on for the whole page.
        page.on("filechooser", lambda chooser: None)
        self.pages.append(page)
        if username is not None:
            sign_in(page, username)
        return page

    def finish(self) -> list[str]:
        problems = []
        for page in self.pages:
            problems += _without_expected(page, page.problems)
            unchecked = sorted(
                {url for url in page.visited if url not in page.checked and url != "about:blank"}
            )
            problems += [f"visited without an axe check: {url}" for url in unchecked]
        for context in self.contexts:
            context.close()
        return problems


def _without_expected(page, problems: list[str]) -> list[str]:
    """Drop one "Failed to load resource … status of 4xx" message per announced error status."""
    expected = list(page.expected_errors)
    kept = []
    for problem in problems:
        match = next((e for e in expected if "Failed to load resource" in problem and e in problem), None)
        if match is None:
            kept.append(problem)
        else:
            expected.remove(match)
    return kept


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.browser_test_failed = report.failed
    return report


@pytest.fixture
def browse(request, chromium, live_server, world):
    helper = Browse(chromium, live_server.url)
    yield helper
    problems = helper.finish()
    # The test's queries ran while Playwright's loop was active, on a connection of their own; close
    # it, or the test database cannot be dropped at the end of the run.
    connections.close_all()
    if problems and getattr(request.node, "browser_test_failed", False):
        print("Browser problems (the test failed already):\n" + "\n".join(problems))
    elif problems:
        pytest.fail("Browser problems:\n" + "\n".join(problems), pytrace=False)


def goto(page, path: str):
    """Open ``path`` on the live server and check the page with axe."""
    page.goto(page.base + path)
    axe(page)
    return page


def settle(page) -> None:
    """Wait until no htmx request is in flight (a live check or autosave), as a person waits for the
    panel to update; leaving the page earlier makes htmx log the aborted request as an error."""
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def type_text(locator, text: str) -> None:
    """Replace a field's text as pasting does: only an ``input`` event, no key (the live check and
    autosave listen for ``input``, so pasted or dictated text is checked too)."""
    locator.fill(text)


def navigate(page, action, *, status: int = 200) -> None:
    """Run ``action`` (a click or key press that loads another page), wait for that page, check it with axe.

    ``status``: the HTTP status the page must answer with – e.g. 400 for a form sent back with errors
    (Chromium logs that as a console error, which is then expected rather than a problem).
    """
    settle(page)
    with page.expect_navigation() as navigation:
        action()
    response = navigation.value
    assert response is not None and response.status == status, (
        f"{page.url}: HTTP {response.status if response else None}, expected {status}"
    )
    if status >= 400:
        page.expected_errors.append(f"status of {status} ")
    axe(page)


def submit_and_wait(page, action) -> None:
    """Run ``action`` (a click or a key press that submits a form) and wait for the next page."""
    with page.expect_navigation():
        action()


def sign_in(page, username: str) -> None:
    """Sign in by typing, as a keyboard or screen-reader user would; with the code if the user has an
    authenticator (the demo's koordination, presse, admin)."""
    from django.contrib.auth import get_user_model

    from accounts import policy
    from accounts.testing import fresh_totp_code

    goto(page, "/accounts/login/")
    assert page.evaluate("document.activeElement.id") == "id_username"
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    submit_and_wait(page, lambda: page.keyboard.press("Enter"))
    user = get_user_model().objects.get(username=username)
    if policy.totp_device_of(user) is not None:
        assert page.url == page.base + "/accounts/2fa/", page.url
        axe(page)
        assert page.evaluate("document.activeElement.id") == "id_code"
        page.keyboard.type(fresh_totp_code(user))
        submit_and_wait(page, lambda: page.keyboard.press("Enter"))
    assert page.url == page.base + "/", f"{username} not signed in: {page.url}"
    axe(page)


# --- Data the journeys arrange ----------------------------------------------------------------------


def publish_guide_2(admin):
    """The administration publishes version 2.0 of the etiquette: everyone must confirm it again."""
    from etiquette.services import guide_version_create, guide_version_publish

    version = guide_version_create(
        actor=admin,
        major=2,
        body="# Social-Media-Etikette\n\nSachlich, freundlich, ohne personenbezogene Daten.",
        changes="Neue Regeln für personenbezogene Daten.",
    )
    return guide_version_publish(actor=admin, version=version)


def scheduled_post(days_ahead: int, *, hour: int = 14, minute: int = 30, title: str = "Impfbus in Zeven"):
    """An approved post of the demo's Gesundheitsamt on the sandbox, planned ``days_ahead`` days ahead at
    ``hour``:``minute`` (Berlin) – for the calendar's drag tests. Returns the post and its local day."""
    from datetime import timedelta

    from django.utils import timezone

    from channels.models import Channel
    from departments.models import Department
    from posts.models import Post

    local = timezone.localtime() + timedelta(days=days_ahead)
    planned = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    post = Post.objects.create(
        department=Department.objects.get(code="GA"),
        author=Post.objects.filter(department__code="GA").first().author,
        title=title,
        text="Der Impfbus hält am Samstag in Zeven.",
        status=Post.Status.SCHEDULED,
        planned_at=planned,
    )
    post.channels.set([Channel.objects.get(kind="sandbox")])
    return post, planned.date()


def write_poster(path: Path) -> str:
    """A poster-like PNG (1200 × 675) for uploads; returns its path."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1200, 675), (11, 79, 113))
    draw = ImageDraw.Draw(image)
    for top in range(0, 675, 45):
        draw.rectangle([0, top, 1200, top + 20], fill=(14, 96, 137))
    draw.ellipse([820, 160, 1120, 460], fill=(255, 191, 71))
    draw.rectangle([120, 420, 700, 560], fill=(255, 255, 255))
    image.save(path, format="PNG")
    return str(path)


# --- axe-core -----------------------------------------------------------------------------------------


def axe(page, *, context: str | None = None) -> list[dict]:
    """Run axe-core on the page as it is now; fail on serious/critical violations.

    Injected through the DevTools protocol (``evaluate``), so the page's Content-Security-Policy stays
    as strict as for users. Returns the moderate and minor violations (also collected for the summary).
    """
    page.wait_for_load_state("load")
    before = len(page.problems)
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE.read_text(encoding="utf-8"))
    results = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary, html: n.html.slice(0, 200)})),
            }));
        }""",
        AXE_TAGS,
    )
    page.checked.add(urldefrag(page.url).url)
    # axe's own CSS preload copies @import-ed style sheets (Django's admin has them) into <style>
    # elements, which the page's policy rightly blocks: that message is axe's, not the page's.
    page.problems[before:] = [p for p in page.problems[before:] if not AXE_OWN_NOISE.search(p)]
    where = context or page.url.removeprefix(page.base)
    CHECKED_PAGES.append(re.sub(r"/\d+/", "/<id>/", page.url.removeprefix(page.base)))
    serious = [v for v in results if v["impact"] in FAILING_IMPACTS]
    minor = [v for v in results if v["impact"] not in FAILING_IMPACTS]
    for violation in minor:
        MINOR_FINDINGS.setdefault((violation["impact"], violation["id"]), set()).add(
            re.sub(r"/\d+/", "/<id>/", where)
        )
    if serious:
        pytest.fail(f"axe-core on {where}:\n" + _describe(serious), pytrace=False)
    # Not an axe rule: nothing may make the page wider than the window (no sideways scrolling).
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    if overflow > 0:
        pytest.fail(f"{where} is {overflow} px wider than the window", pytrace=False)
    return minor


def _describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:6]:
            lines.append(f"    {node['target']}: {node['html']}")
            lines.append("      " + (node["summary"] or "").replace("\n", "\n      "))
    return "\n".join(lines)


def pytest_terminal_summary(terminalreporter):
    if not CHECKED_PAGES:
        return
    terminalreporter.section("axe-core")
    terminalreporter.write_line(
        f"{len(CHECKED_PAGES)} checks of {len(set(CHECKED_PAGES))} distinct pages; "
        f"moderate or minor findings: {len(MINOR_FINDINGS) or 'none'}"
    )
    terminalreporter.write_line("pages: " + ", ".join(sorted(set(CHECKED_PAGES))))
    for (impact, rule), where in sorted(MINOR_FINDINGS.items()):
        terminalreporter.write_line(f"[{impact}] {rule}: {', '.join(sorted(where))}")


# --- Screenshots --------------------------------------------------------------------------------------


@pytest.fixture
def screenshot(tmp_path):
    """``screenshot(page, name)``: the viewport as PNG – into docs/screenshots/ with UPDATE_SCREENSHOTS=1."""

    def take(page, name: str, *, full_page: bool = False, height: int | None = None) -> Path:
        """``full_page``: the whole page; ``height``: the page from the top down to ``height`` pixels."""
        target_dir = SCREENSHOT_DIR if UPDATE_SCREENSHOTS else tmp_path
        target_dir.mkdir(parents=True, exist_ok=True)
        path = target_dir / f"{name}.png"
        # No blinking caret or running transitions in the picture.
        options = {"full_page": full_page}
        if height is not None:
            total = page.evaluate("() => document.documentElement.scrollHeight")
            options = {
                "full_page": True,
                "clip": {"x": 0, "y": 0, "width": VIEWPORT["width"], "height": min(height, total)},
            }
        page.screenshot(path=str(path), animations="disabled", caret="hide", **options)
        _shrink(path)
        return path

    return take


def _shrink(path: Path) -> None:
    """Store the screenshot with a 256-colour palette (UI pictures stay sharp, the file ~4× smaller)."""
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(
            colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        )
    small.save(path, format="PNG", optimize=True)
