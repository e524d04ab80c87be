"""The week's time grid in real Chromium (issue 17): the coordination drags an approved post to another
day and hour with the mouse and with a finger (real touch events through the DevTools protocol, so the
browser's touch-action decides between scrolling and dragging, as on a tablet); Escape cancels; a refusal
shows the server's German message and the post stays; axe-core on the week at 1280 and 390 px."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from audit.models import AuditEvent
from posts.models import Post

from .conftest import PHONE, axe, goto, scheduled_post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MOVED = r"^„Impfbus in Zeven“ verschoben auf \w\w \d+\. \w+, {time}\.$"


def _week(page, day):
    goto(page, f"/posts/calendar/?view=week&date={day.isoformat()}")
    grid = page.locator("table.calendar--hours")
    expect(grid).to_be_visible()
    expect(page.locator("ol.calendar--week")).to_be_hidden()  # the narrow screens' list
    return grid


def _other_day(day):
    """Another day of the same week (Monday to Sunday)."""
    return day + timedelta(days=1) if day.weekday() < 6 else day - timedelta(days=1)


def _centre(locator) -> tuple[float, float]:
    box = locator.bounding_box()
    assert box is not None
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def _audited_moves(post) -> int:
    return AuditEvent.objects.filter(verb="post.rescheduled", post_id=post.pk).count()


def test_the_coordination_drags_a_post_to_another_day_and_hour_with_the_mouse(browse, world, screenshot):
    post, day = scheduled_post(days_ahead=3)
    target = _other_day(day)
    page = browse("koordination")
    grid = _week(page, day)
    entry = grid.locator(f"td[data-date='{day.isoformat()}'][data-hour='14'] [data-reschedule-url]")
    expect(entry).to_contain_text("Impfbus in Zeven")
    screenshot(page, "calendar-week", full_page=True)
    entry.evaluate("el => el.scrollIntoView({block: 'center', behavior: 'instant'})")
    cell = grid.locator(f"td[data-date='{target.isoformat()}'][data-hour='16']")

    # Escape cancels: nothing is sent, the post stays.
    page.mouse.move(*_centre(entry.locator(".calendar__grip")))
    page.mouse.down()
    page.mouse.move(*_centre(cell), steps=8)
    expect(cell).to_have_class(re.compile(r"\bcalendar__drop-target\b"))
    expect(page.locator(".calendar__ghost")).to_contain_text("16:30")
    page.keyboard.press("Escape")
    expect(page.locator(".calendar__ghost")).to_have_count(0)
    page.mouse.up()
    expect(page.locator("#calendar-status")).to_have_text("Verschieben abgebrochen.")
    expect(cell).not_to_have_class(re.compile(r"\bcalendar__drop-target\b"))
    post.refresh_from_db()
    assert timezone.localtime(post.planned_at).strftime("%H:%M") == "14:30" and _audited_moves(post) == 0

    # Dragged by the handle to 16:00 of the other day: the minutes stay.
    page.mouse.move(*_centre(entry.locator(".calendar__grip")))
    page.mouse.down()
    page.mouse.move(*_centre(cell), steps=8)
    expect(cell).to_have_class(re.compile(r"\bcalendar__drop-target\b"))
    page.mouse.up()
    expect(page.locator("#calendar-status")).to_have_text(re.compile(MOVED.format(time="16:30")))
    moved_entry = cell.locator("[data-reschedule-url]")
    expect(moved_entry).to_contain_text("16:30")
    expect(moved_entry).to_have_class(re.compile(r"\bcalendar__entry--moved\b"))
    expect(moved_entry.locator("a").first).to_be_focused()  # focus follows the moved post
    expect(
        grid.locator(f"td[data-date='{day.isoformat()}'][data-hour='14'] [data-reschedule-url]")
    ).to_have_count(0)
    post.refresh_from_db()
    moved = timezone.localtime(post.planned_at)
    assert (moved.date(), moved.strftime("%H:%M")) == (target, "16:30")
    assert post.status == Post.Status.SCHEDULED
    event = AuditEvent.objects.filter(verb="post.rescheduled", post_id=post.pk).get()
    assert event.actor_id == world["koordination"].pk
    assert page.url.endswith(f"/posts/calendar/?view=week&date={day.isoformat()}")  # no reload, no navigation
    axe(page, context="/posts/calendar/?view=week (after a drag)")

    # The keyboard way is there in the grid too: "Verschieben" beside the entry.
    summary = moved_entry.locator(".calendar__move summary")
    summary.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "planned_at"
    axe(page, context="/posts/calendar/?view=week (the move form open)")


def test_a_finger_drags_by_the_handle_and_scrolls_elsewhere(browse, world):
    post, day = scheduled_post(days_ahead=3)
    target = _other_day(day)
    page = browse("koordination", has_touch=True)
    grid = _week(page, day)
    entry = grid.locator(f"td[data-date='{day.isoformat()}'][data-hour='14'] [data-reschedule-url]")
    entry.evaluate("el => el.scrollIntoView({block: 'center', behavior: 'instant'})")
    cdp = page.context.new_cdp_session(page)

    def swipe(start, end, steps=10):
        (x0, y0), (x1, y1) = start, end
        cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x0, "y": y0}]})
        for step in range(1, steps + 1):
            x, y = x0 + (x1 - x0) * step / steps, y0 + (y1 - y0) * step / steps
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})

    # A finger on the post's title scrolls the page and moves nothing.
    title = entry.locator("a")
    x, y = _centre(title)
    before = page.evaluate("window.scrollY")
    swipe((x, y), (x, y - 150))
    page.wait_for_function("(before) => window.scrollY > before", arg=before)
    expect(page.locator(".calendar__ghost")).to_have_count(0)
    assert _audited_moves(post) == 0

    # A finger on the handle drags (touch-action: none there).
    entry.evaluate("el => el.scrollIntoView({block: 'center', behavior: 'instant'})")
    cell = grid.locator(f"td[data-date='{target.isoformat()}'][data-hour='15']")
    swipe(_centre(entry.locator(".calendar__grip")), _centre(cell))
    expect(page.locator("#calendar-status")).to_have_text(re.compile(MOVED.format(time="15:30")))
    expect(cell.locator("[data-reschedule-url]")).to_contain_text("Impfbus in Zeven")
    post.refresh_from_db()
    moved = timezone.localtime(post.planned_at)
    assert (moved.date(), moved.strftime("%H:%M")) == (target, "15:30")
    assert _audited_moves(post) == 1


def test_a_refusal_is_shown_in_german_and_the_post_stays(browse, world):
    post, day = scheduled_post(days_ahead=3)
    target = _other_day(day)
    page = browse("koordination")
    grid = _week(page, day)
    # Meanwhile the post went back to review (edited after its approval): it may not be moved now.
    Post.objects.filter(pk=post.pk).update(status=Post.Status.IN_REVIEW)
    entry = grid.locator(f"td[data-date='{day.isoformat()}'][data-hour='14'] [data-reschedule-url]")
    entry.evaluate("el => el.scrollIntoView({block: 'center', behavior: 'instant'})")
    page.expected_errors.append("status of 422 ")  # Chromium logs the refused request
    entry.locator(".calendar__grip").drag_to(
        grid.locator(f"td[data-date='{target.isoformat()}'][data-hour='9']")
    )
    error = page.get_by_role("alert")
    expect(error).to_contain_text("„Neu einplanen“ ist nicht möglich, solange der Beitrag „in Prüfung“ ist.")
    expect(entry).to_be_visible()
    expect(entry).not_to_have_class(re.compile(r"\bcalendar__entry--saving\b"))
    post.refresh_from_db()
    assert timezone.localtime(post.planned_at).strftime("%H:%M") == "14:30" and _audited_moves(post) == 0
    axe(page, context="/posts/calendar/?view=week (a move refused)")


def test_the_week_at_1280_and_390_px(browse, world):
    _post, day = scheduled_post(days_ahead=3)
    page = browse("koordination")
    grid = _week(page, day)  # axe at 1280 px
    header = grid.locator("thead th[scope=col]")
    expect(header).to_have_count(8)
    expect(grid.locator("tbody th[scope=row]").first).to_have_text("06:00")
    phone = browse("koordination", viewport=PHONE)
    goto(phone, f"/posts/calendar/?view=week&date={day.isoformat()}")  # axe at 390 px
    expect(phone.locator("table.calendar--hours")).to_be_hidden()
    expect(phone.locator(f"ol.calendar--week li[data-date='{day.isoformat()}']")).to_contain_text(
        "Impfbus in Zeven"
    )
