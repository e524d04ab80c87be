"""Replying by keyboard only (issue 16, BITV 2.0 / WCAG 2.1.1, 2.4.3, 2.4.7, 4.1.3), in real Chromium:
``redaktion`` opens a citizen's sandbox comment from the inbox, opens the reply box's Textbaustein search,
types a word, inserts the Textbaustein, hears the live etiquette finding (a live region that stays in the
page), submits, is refused next to the field, fixes the text and submits for approval; ``koordination``
approves. Tab, Shift+Tab, Enter, Space and typing only – no clicks, no filling; every focus stop must
show its focus, every page passes axe-core.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from inbox import replying, services
from inbox.models import InboxItem, Reply

from .conftest import axe, navigate, settle
from .test_keyboard import focus_state, press_enter, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SAVED_TITLE = "Impftermine Kreishaus"
SAVED = "Danke für Ihre Frage! Rufen Sie Frau Meyer unter 0171 1234567 an."
FIXED = "Danke für Ihre Frage! Die Termine stehen auf lk-row.de."

# The live check's region must be the one that was in the page before the check ran (a live region
# that is swapped in with its content is not announced by screen readers), polite, and hold the finding.
LIVE_REGION_KEPT = """(rule) => {
    const region = document.getElementById("reply-check");
    return region === window.__replyCheckRegion
        && region.getAttribute("aria-live") === "polite"
        && region.querySelector(`li[data-rule="${rule}"]`) !== null;
}"""


@pytest.fixture
def no_worker(monkeypatch):
    sent = []
    monkeypatch.setattr(replying, "_enqueue", lambda reply_id, when=None: sent.append(reply_id))
    return sent


def focused(page, selector: str) -> bool:
    return page.evaluate("(selector) => document.activeElement.matches(selector)", selector)


def open_item_from_the_inbox(page, item) -> None:
    """Home → main navigation "Posteingang" → the item's link in the list → the conversation."""
    tab_to(page, "nav a.nav-link[href='/inbox/']")
    press_enter(page)
    assert page.url == page.base + "/inbox/"
    tab_to(page, f"#item-{item.pk} a.inbox-link")
    press_enter(page)
    assert page.url == f"{page.base}/inbox/{item.pk}/"


def test_reply_with_a_textbaustein_by_keyboard_only(browse, world, no_worker):
    User = get_user_model()
    saved = services.saved_reply_create(
        actor=User.objects.get(username="koordination"), title=SAVED_TITLE, text=SAVED
    )
    item = InboxItem.objects.filter(kind="comment", channel__kind="sandbox").order_by("pk").first()
    assert replying.replies_need_approval(item.department)  # the demo's Gesundheitsamt: four eyes

    page = browse("redaktion", reduced_motion="reduce")  # signs in by typing, Tab and Enter
    open_item_from_the_inbox(page, item)
    expect(page.locator("#send-reply")).to_have_text("Zur Freigabe einreichen")
    page.evaluate(
        """() => {
            window.__replyCheckRegion = document.getElementById("reply-check");
            window.__resultsRegion = document.getElementById("saved-reply-results");
        }"""
    )

    # The collapsed picker is one stop (its search is not in the tab order); Space opens it.
    tab_to(page, "#saved-reply-picker summary")
    page.keyboard.press("Space")
    expect(page.locator("#saved-reply-picker")).to_have_attribute("open", "")
    page.keyboard.press("Tab")
    assert focused(page, "#saved-reply-q"), "the search does not follow the opened picker"
    focus_state(page)
    # Wait for the answer to the typed word (as a person waits for the list), not for an earlier one.
    with page.expect_response(lambda response: "q=Impf" in response.url):
        page.keyboard.type("Impf")
    settle(page)
    insert = page.locator(f"[data-insert-saved-reply='{saved.pk}']")
    expect(insert).to_be_visible()
    # The results are announced: they arrive in the live region that was in the page before the search.
    assert page.evaluate(
        """() => document.getElementById("saved-reply-results") === window.__resultsRegion
            && window.__resultsRegion.getAttribute("aria-live") === "polite"
            && window.__resultsRegion.querySelector("#saved-reply-results") === null"""
    ), "the search results replaced their live region"
    axe(page, context=f"/inbox/{item.pk}/ (by keyboard, Textbaustein search)")
    tab_to(page, f"[data-insert-saved-reply='{saved.pk}']")
    focus_state(page)
    assert SAVED_TITLE in page.evaluate("document.activeElement.textContent")  # names the Textbaustein
    page.keyboard.press("Enter")

    # Inserted for editing: the focus is in the reply box, the picker closed, the live check speaks.
    expect(page.locator("#id_reply_text")).to_have_value(SAVED)
    assert focused(page, "#id_reply_text"), "the focus did not move to the reply box"
    focus_state(page)
    expect(page.locator("#saved-reply-picker")).not_to_have_attribute("open", "")
    expect(page.locator("#reply-check li[data-rule='personal_data']")).to_be_visible()
    assert page.evaluate(LIVE_REGION_KEPT, "personal_data"), "the finding is not in the kept live region"
    settle(page)
    axe(page, context=f"/inbox/{item.pk}/ (by keyboard, live check)")
    # Shift+Tab goes back to the (closed) picker, Tab returns to the reply box: a sane focus order.
    page.keyboard.press("Shift+Tab")
    assert focused(page, "#saved-reply-picker summary")
    focus_state(page)
    page.keyboard.press("Tab")
    assert focused(page, "#id_reply_text")

    # Submitting with the phone number is refused next to the field; the text is kept.
    tab_to(page, "#send-reply")
    navigate(page, lambda: page.keyboard.press("Enter"), status=422)
    expect(page.locator("#reply-text-error")).to_contain_text("0171 1234567")
    assert not Reply.objects.exists()

    # Back to the field: the skip link, then Tab; the error is the field's description.
    page.keyboard.press("Tab")
    assert focus_state(page)["name"] == "Zum Inhalt springen"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    tab_to(page, "#id_reply_text")
    expect(page.locator("#id_reply_text")).to_have_value(SAVED)
    expect(page.locator("#id_reply_text")).to_have_attribute("aria-invalid", "true")
    assert "reply-text-error" in page.get_attribute("#id_reply_text", "aria-describedby").split()
    page.keyboard.press("Control+A")
    page.keyboard.type(FIXED)
    expect(page.locator("#reply-check li[data-rule='personal_data']")).to_have_count(0)
    expect(page.locator("#reply-check .etiquette-findings")).to_have_attribute("data-blocking", "false")
    tab_to(page, "#send-reply")
    press_enter(page)
    assert page.url == f"{page.base}/inbox/{item.pk}/"
    expect(page.locator(".messages")).to_contain_text("Ihre Antwort wartet auf Freigabe.")
    expect(page.locator("#replies")).to_contain_text("wartet auf Freigabe")
    reply = Reply.objects.get()
    assert (reply.status, reply.text, reply.author.username) == (Reply.Status.PENDING, FIXED, "redaktion")
    assert no_worker == []

    # Koordination (with the code of the authenticator, typed) approves by keyboard.
    coordinator = browse("koordination", reduced_motion="reduce")
    open_item_from_the_inbox(coordinator, item)
    tab_to(coordinator, f"#approve-reply-{reply.pk}")
    assert focus_state(coordinator)["name"] == "Freigeben und senden"
    press_enter(coordinator)
    expect(coordinator.locator(".messages")).to_contain_text("Die Antwort ist freigegeben und wird gesendet.")
    expect(coordinator.locator(f"#reply-{reply.pk} .reply-status")).to_have_text("freigegeben, wird gesendet")
    reply.refresh_from_db()
    assert (reply.status, reply.decided_by.username) == (Reply.Status.APPROVED, "koordination")
    assert no_worker == [reply.pk]
