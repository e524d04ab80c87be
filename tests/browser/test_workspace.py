"""The workspace in real Chromium (issue 17): the Back button and a second "Speichern" make one post;
the coordination drags an approved post to another day of the month and moves it again with the
keyboard ("Verschieben"; the week's time grid: test_calendar_drag.py); the menu button on a phone; the README's screenshots of the start pages per
role, the calendar and the review page at 1280 and 390 px."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from audit.models import AuditEvent
from posts.models import Post

from .conftest import PHONE, axe, goto, navigate, scheduled_post, settle, write_poster

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_chosen_image_shows_in_the_preview_before_saving(browse, world, tmp_path):
    page = browse("redaktion")
    goto(page, "/posts/new/")
    page.get_by_label("Text", exact=True).fill("Das Kreishaus ist am Freitag geschlossen.")
    page.get_by_role("checkbox", name="Sandbox (Testkanal)").check()
    expect(page.locator("#previews .preview")).to_have_count(1)
    page.get_by_label("Bild oder Video hinzufügen").set_input_files(write_poster(tmp_path / "kreishaus.png"))
    page.get_by_label("Alternativtext: Was zeigt das Bild?").fill("Das Kreishaus im Schnee")
    chosen = page.locator("#previews .preview__media--chosen img")
    expect(chosen).to_have_attribute("alt", "Das Kreishaus im Schnee")
    assert chosen.get_attribute("src").startswith("blob:")
    # Still there after the next live check replaced the previews.
    page.get_by_label("Text", exact=True).fill("Das Kreishaus ist am Freitag und Samstag geschlossen.")
    expect(page.locator("#previews .preview")).to_contain_text("und Samstag")
    expect(chosen).to_have_count(1)
    settle(page)
    axe(page, context="/posts/new/ (image chosen, not saved)")


def test_back_and_save_again_makes_one_post(browse, world):
    page = browse("redaktion")
    goto(page, "/posts/new/")
    page.get_by_label("Interner Titel").fill("Kreishaus am Freitag zu")
    page.get_by_label("Text", exact=True).fill("Das Kreishaus ist am Freitag geschlossen.")
    page.get_by_role("checkbox", name="Sandbox (Testkanal)").check()
    navigate(page, lambda: page.get_by_role("button", name="Speichern", exact=True).click())
    post = Post.objects.get(title="Kreishaus am Freitag zu")
    assert page.url == f"{page.base}/posts/{post.pk}/edit/"

    # Back: the browser shows the filled "Neuer Beitrag" form again; saving it again is harmless.
    navigate(page, lambda: page.go_back())
    assert page.url == f"{page.base}/posts/new/"
    expect(page.get_by_label("Interner Titel")).to_have_value("Kreishaus am Freitag zu")
    navigate(page, lambda: page.get_by_role("button", name="Speichern", exact=True).click())
    assert Post.objects.filter(title="Kreishaus am Freitag zu").count() == 1
    assert page.url == f"{page.base}/posts/{post.pk}/edit/"
    expect(page.locator(".messages")).to_contain_text("Nichts wurde doppelt gespeichert")


def test_the_coordination_drags_a_post_to_another_day_and_moves_it_with_the_keyboard(
    browse, world, screenshot
):
    post, day = scheduled_post(days_ahead=3)
    target = day + timedelta(days=1)
    if target.month != day.month:  # keep both days in one month grid
        target = day - timedelta(days=1)
    page = browse("koordination")
    goto(page, f"/posts/calendar/?date={day.isoformat()}")
    entry = page.locator(f"td[data-date='{day.isoformat()}'] [data-reschedule-url]")
    expect(entry).to_have_count(1)
    screenshot(page, "calendar", full_page=True)

    # Drag with the mouse (anywhere on the entry; Pointer Events): the calendar is fetched again in place
    # with the post on the new day, at the same time, and the live region says so.
    entry.drag_to(page.locator(f"td[data-date='{target.isoformat()}']"))
    expect(page.locator("#calendar-status")).to_have_text(
        re.compile(r"^„Impfbus in Zeven“ verschoben auf \w\w \d+\. \w+, 14:30\.$")
    )
    expect(page.locator(f"td[data-date='{target.isoformat()}'] [data-reschedule-url]")).to_contain_text(
        "Impfbus in Zeven"
    )
    expect(page.locator(f"td[data-date='{day.isoformat()}'] [data-reschedule-url]")).to_have_count(0)
    post.refresh_from_db()
    moved = timezone.localtime(post.planned_at)
    assert (moved.date(), moved.strftime("%H:%M")) == (target, "14:30")
    event = AuditEvent.objects.filter(verb="post.rescheduled", post_id=post.pk).latest("sequence")
    assert event.actor_id == world["koordination"].pk
    axe(page, context="/posts/calendar/ (after a drag)")

    # The keyboard way: "Verschieben" beside the entry opens a field for day and time.
    summary = page.locator(f"td[data-date='{target.isoformat()}'] .calendar__move summary")
    summary.focus()
    page.keyboard.press("Enter")
    field = page.locator(f"td[data-date='{target.isoformat()}'] .calendar__move input[name=planned_at]")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "planned_at"
    new_day = day + timedelta(days=7)
    field.fill(f"{new_day.isoformat()}T09:15")  # what typing day, month, year, hour and minute gives
    page.keyboard.press("Tab")
    navigate(page, lambda: page.keyboard.press("Enter"))
    post.refresh_from_db()
    moved = timezone.localtime(post.planned_at)
    assert (moved.date(), moved.strftime("%H:%M")) == (new_day, "09:15")
    expect(page.locator(".messages")).to_contain_text("erscheint jetzt am")


def test_phone_menu_button_and_the_agenda(browse, world, screenshot):
    scheduled_post(days_ahead=2)
    page = browse("redaktion", viewport=PHONE)
    screenshot(page, "start-redaktion-phone", full_page=True)
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    expect(nav).to_be_hidden()
    page.get_by_role("button", name="Menü", exact=True).click()
    expect(nav).to_be_visible()
    axe(page, context="/ (phone, menu open)")
    navigate(page, lambda: nav.get_by_role("link", name="Redaktionsplan").click())
    expect(page.locator(".calendar-agenda")).to_be_visible()
    expect(page.locator(".calendar-grid")).to_be_hidden()
    screenshot(page, "calendar-phone", full_page=True)


@pytest.mark.parametrize("who", ["redaktion", "leitung", "koordination", "presse", "admin"])
def test_start_page_screenshots(browse, world, screenshot, who):
    page = browse(who)  # signing in checks the start page with axe
    expect(page.locator(".start-panel").first).to_be_visible()
    screenshot(page, f"start-{who}", full_page=True)
    phone = browse(who, viewport=PHONE)
    expect(phone.locator(".start-panel").first).to_be_visible()
    screenshot(phone, f"start-{who}-phone", full_page=True)


def test_phone_screenshots_of_editor_queue_review_and_rollout(browse, world, screenshot):
    submitted = Post.objects.filter(status=Post.Status.IN_REVIEW).order_by("pk").first()
    staff = browse("redaktion", viewport=PHONE)
    goto(staff, "/posts/new/")
    screenshot(staff, "editor-phone", full_page=True)
    coordinator = browse("koordination", viewport=PHONE)
    goto(coordinator, "/approvals/")
    screenshot(coordinator, "queue-phone", full_page=True)
    goto(coordinator, f"/approvals/posts/{submitted.pk}/")
    screenshot(coordinator, "review-phone", full_page=True)
    admin = browse("admin", viewport=PHONE)
    goto(admin, "/publishing/rollout/")
    screenshot(admin, "rollout-phone", full_page=True)
