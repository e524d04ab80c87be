"""Journey 1 by keyboard only, in real Chromium: Tab, Shift+Tab, Enter, Space and typing – no clicks, no
filling of fields the keyboard did not reach. Every element that gets the focus must show it
(``:focus-visible`` with an outline or a focus ring), and every page passes axe-core.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from posts.models import Post

from .conftest import axe, navigate, publish_guide_2, write_poster

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT_WITH_PRIVATE_MAIL = (
    "Der Impfbus des Gesundheitsamts hält am Samstag auf dem Marktplatz in Zeven. "
    "Anmeldung bei Herrn Beispiel: jan.beispiel@web.de"
)
TEXT_FIXED = (
    "Der Impfbus des Gesundheitsamts hält am Samstag auf dem Marktplatz in Zeven. "
    "Eine Anmeldung ist nicht nötig."
)

# What the focused element looks like: the focus must be visible (WCAG 2.4.7).
FOCUS_STATE = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return {ok: false, what: "nothing focused"};
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
    const ring = style.boxShadow !== "none";
    return {
        // A date/time field has the focus in one of its parts: then it matches :focus-within only.
        ok: (el.matches(":focus-visible") || el.matches(":focus-within")) && (outline || ring),
        what: el.outerHTML.slice(0, 160),
        name: (el.innerText || el.value || el.getAttribute("aria-label") || "").trim().slice(0, 80),
    };
}"""


def focus_state(page) -> dict:
    state = page.evaluate(FOCUS_STATE)
    assert state["ok"], f"focus not visible on {state['what']}"
    return state


def tab_to(page, selector: str, *, backwards: bool = False, limit: int = 120) -> None:
    """Press Tab (or Shift+Tab) until the focused element matches ``selector``; every stop on the way
    must show its focus."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        focus_state(page)
        if page.evaluate("(selector) => document.activeElement.matches(selector)", selector):
            return
    raise AssertionError(f"{selector} not reached with {key} in {limit} steps")


def press_enter(page) -> None:
    """Enter on the focused link or button; waits for the next page and checks it with axe."""
    navigate(page, lambda: page.keyboard.press("Enter"))


def test_staff_journey_by_keyboard_only(browse, world, tmp_path):
    publish_guide_2(world["admin"])
    page = browse("redaktion", reduced_motion="reduce")  # signs in by typing, Tab and Enter

    # Home: the notice leads to the guide.
    tab_to(page, "#guide-notice a")
    press_enter(page)
    assert page.url == page.base + "/etiquette/"
    tab_to(page, "#id_confirm")
    page.keyboard.press("Space")
    assert page.is_checked("#id_confirm")
    tab_to(page, "#acknowledgement button[type=submit]")
    press_enter(page)
    expect(page.locator("#ack-status")).to_contain_text("Bestätigt.")

    # From the top of the page: the skip link first, then the navigation.
    page.keyboard.press("Tab")
    assert focus_state(page)["name"] == "Zum Inhalt springen"
    tab_to(page, "nav a.nav-link[href='/posts/']")
    press_enter(page)

    # The skip link jumps over the navigation to the content.
    page.keyboard.press("Tab")
    assert focus_state(page)["name"] == "Zum Inhalt springen"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    tab_to(page, "a[href='/posts/new/']")
    press_enter(page)
    assert page.url == page.base + "/posts/new/"

    tab_to(page, "#id_title")
    page.keyboard.type("Impfbus in Zeven")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_text"
    page.keyboard.type(TEXT_WITH_PRIVATE_MAIL)
    tab_to(page, "input[name=channels]")
    assert "Sandbox (Testkanal)" in page.evaluate("document.activeElement.labels[0].innerText")
    page.keyboard.press("Space")
    expect(page.locator("#live-summary")).to_contain_text("1 Problem muss vor dem Einreichen behoben werden.")
    expect(page.locator("#counters")).to_contain_text("Sandbox (Testkanal)")
    expect(page.locator("#previews .preview")).to_contain_text("Der Impfbus des Gesundheitsamts")
    axe(page, context="/posts/new/ (by keyboard, live check)")

    # The image: Space on the file field opens the file chooser.
    tab_to(page, "#id_media_file")
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(write_poster(tmp_path / "impfbus.png"))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_media_alt_text"
    page.keyboard.type("Plakat des Impfbusses: blaue Streifen, eine gelbe Sonne, ein weißes Feld")
    page.keyboard.press("Tab")
    page.keyboard.type("Grafik: Landkreis Rotenburg (Wümme)")
    tab_to(page, "button[value=save]")
    press_enter(page)
    post = Post.objects.get(title="Impfbus in Zeven")
    assert page.url == f"{page.base}/posts/{post.pk}/edit/"
    assert post.media.get().alt_text.startswith("Plakat des Impfbusses")

    # Submitting with the blocking finding is refused; the text is still there.
    tab_to(page, "button[value=submit]")
    press_enter(page)
    expect(page.locator(".messages .alert-danger")).not_to_have_count(0)
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT

    # Fix the text by keyboard (select all, type the new text), then submit.
    tab_to(page, "#id_text")
    page.keyboard.press("Control+A")
    page.keyboard.type(TEXT_FIXED)
    expect(page.locator("#live-summary")).to_contain_text("Die Etikette-Prüfung hat nichts zu beanstanden.")
    tab_to(page, "button[value=submit]")
    press_enter(page)
    assert page.url == f"{page.base}/posts/{post.pk}/"
    expect(page.locator("#post-status")).to_contain_text("in Prüfung")
    post.refresh_from_db()
    assert (post.status, post.text) == (Post.Status.IN_REVIEW, TEXT_FIXED)
