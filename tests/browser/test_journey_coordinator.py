"""Journey 2 in real Chromium with a real Celery worker process: ``koordination`` (with the code of the
authenticator) opens the queue and asks for changes; ``redaktion`` edits and submits again;
``koordination`` sees the diff, gives a reason for the warning and approves for immediate publication; a
worker process on Redis publishes the post to the sandbox channel, and the post page says
"veröffentlicht" with the link to the sandbox post.

No eager shortcut: the approval queues the delivery task (on commit) on a Redis queue of this test, and
only the separate worker process can publish it.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

import holidays
import pytest
from playwright.sync_api import expect

from channels.models import Channel
from departments.models import Department
from notifications.models import Notification
from posts import services as post_services
from posts.models import Post

from .conftest import axe, navigate, type_text

pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

BERLIN = ZoneInfo("Europe/Berlin")
TITLE = "Neue Impftermine im Kreishaus"
FIRST_TEXT = (
    "Ab Montag vergibt das Gesundheitsamt neue Termine für die Grippeimpfung im Kreishaus Rotenburg. "
    "Mehr unter https://www.lk-row.de/impfen"
)
# "!!" is shouting (tone.shouting): a warning the reviewer must acknowledge with a reason.
SECOND_TEXT = (
    "Ab Montag vergibt das Gesundheitsamt neue Termine für die Grippeimpfung im Kreishaus Rotenburg. "
    "Termine gibt es jetzt auch telefonisch!! Mehr unter https://www.lk-row.de/impfen"
)
CHANGES = "Bitte ergänzen, dass es die Termine auch telefonisch gibt."
REASON = "Die Ausrufezeichen betonen das neue Angebot; das ist gewollt."


def staffed_time(days_ahead: int = 4, hour: int = 10) -> datetime:
    """A weekday morning in Niedersachsen that is no holiday: the staffed-hours rule stays quiet."""
    day = datetime.now(BERLIN).date() + timedelta(days=days_ahead)
    closed = holidays.country_holidays("DE", subdiv="NI", years=[day.year, day.year + 1])
    while day.weekday() >= 5 or day in closed or (day.month, day.day) in {(12, 24), (12, 31)}:
        day += timedelta(days=1)
    return datetime.combine(day, clock(hour, 0), tzinfo=BERLIN)


@pytest.fixture
def submitted_post(world):
    """redaktion's post for the sandbox channel, submitted (the guide is acknowledged in the demo)."""
    author = world["redaktion"]
    post = post_services.post_create(
        actor=author,
        department=Department.objects.get(code="GA"),
        title=TITLE,
        text=FIRST_TEXT,
        channels=[Channel.objects.get(kind="sandbox")],
        planned_at=staffed_time(),
    )
    post_services.post_submit(actor=author, post=post)
    return post


def open_from_queue(page, title: str) -> None:
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    navigate(page, lambda: nav.get_by_role("link", name="Freigaben", exact=True).click())
    navigate(page, lambda: page.locator("#queue-table").get_by_role("link", name=title).click())
    expect(page.locator("h1")).to_have_text(title)


def test_coordinator_asks_for_changes_then_approves_and_a_worker_publishes(
    browse, world, submitted_post, celery_worker_process, live_server, screenshot
):
    post = submitted_post
    # The worker's links to sandbox posts point at this live server.
    celery_worker_process("w1", env={"LANDKREIS_SITE_URL": live_server.url})

    # koordination: password, code, the queue (the demo's reviews wait there as well).
    coordinator = browse("koordination")
    nav = coordinator.get_by_role("navigation", name="Hauptnavigation")
    navigate(coordinator, lambda: nav.get_by_role("link", name="Freigaben", exact=True).click())
    row = coordinator.locator("#queue-table tr", has_text=TITLE)
    expect(row).to_contain_text("Gesundheitsamt")
    expect(row).to_contain_text("Sandbox (Testkanal)")
    screenshot(coordinator, "queue", full_page=True)
    navigate(coordinator, lambda: row.get_by_role("link", name=TITLE).click())

    # Ask for changes: the reason is required, so an empty one is refused next to the field.
    coordinator.locator("#changes-details summary").click()
    axe(coordinator, context="/approvals/posts/<id>/ (request changes open)")
    changes = coordinator.locator("#changes-details")
    navigate(
        coordinator,
        lambda: changes.get_by_role("button", name="An die Autorin oder den Autor zurückgeben").click(),
        status=400,
    )
    comment = coordinator.locator("#changes-details textarea")
    expect(comment).to_have_attribute("aria-invalid", "true")
    comment.fill(CHANGES)
    navigate(
        coordinator,
        lambda: changes.get_by_role("button", name="An die Autorin oder den Autor zurückgeben").click(),
    )
    post.refresh_from_db()
    assert post.status == Post.Status.CHANGES_REQUESTED

    # redaktion: the notification, the edit, the second submission (with a warning).
    author = browse("redaktion")
    # The demo's published sandbox post (the inbox's comments hang on it) left redaktion one notice
    # already; the request for changes is one more.
    unread = Notification.objects.filter(recipient=world["redaktion"], read_at__isnull=True)
    assert unread.filter(post=post).count() == 1
    expect(author.locator("#nav-notifications")).to_contain_text(f"{unread.count()} ungelesen")
    navigate(author, lambda: author.locator("#nav-notifications").click())
    expect(author.locator("#notification-list")).to_contain_text("bittet um Änderungen")
    expect(author.locator("#notification-list")).to_contain_text(CHANGES)
    navigate(author, lambda: author.goto(f"{author.base}/posts/{post.pk}/edit/"))
    type_text(author.get_by_label("Text", exact=True), SECOND_TEXT)
    expect(author.locator("#findings li[data-rule='tone.shouting']")).to_have_count(1)
    navigate(author, lambda: author.get_by_role("button", name="Zur Freigabe einreichen").click())
    expect(author.locator(".messages")).to_contain_text("Zur Freigabe eingereicht.")
    post.refresh_from_db()
    assert post.status == Post.Status.IN_REVIEW

    # koordination: the diff, the warning's reason, immediate publication.
    open_from_queue(coordinator, TITLE)
    diff = coordinator.locator("#diff")
    expect(diff.locator("ins")).to_contain_text("telefonisch!!")
    approve = coordinator.locator("#approve-form")
    approve.get_by_label("sofort veröffentlichen").check()
    screenshot(coordinator, "review", height=1700)
    navigate(
        coordinator, lambda: approve.get_by_role("button", name="Freigeben", exact=True).click(), status=400
    )
    reason = coordinator.locator("#approve-form .warning-ack textarea").first
    expect(reason).to_have_attribute("aria-invalid", "true")  # no reason yet: refused at the field
    reason.fill(REASON)
    coordinator.locator("#approve-form").get_by_label("sofort veröffentlichen").check()
    navigate(
        coordinator,
        lambda: (
            coordinator.locator("#approve-form").get_by_role("button", name="Freigeben", exact=True).click()
        ),
    )

    # The worker publishes; the post page (reloaded as a person would) says so, with the link.
    deadline = time.monotonic() + 60
    while True:
        post.refresh_from_db()
        if post.status == Post.Status.PUBLISHED or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert post.status == Post.Status.PUBLISHED, post.status
    navigate(coordinator, lambda: coordinator.goto(f"{coordinator.base}/posts/{post.pk}/"))
    expect(coordinator.locator("#post-status")).to_contain_text("veröffentlicht")
    delivery_row = coordinator.locator("#deliveries tr", has_text="Sandbox (Testkanal)")
    expect(delivery_row).to_contain_text("veröffentlicht")
    screenshot(coordinator, "post-published", full_page=True)
    link = delivery_row.get_by_role("link", name="im Netzwerk ansehen", exact=False)
    navigate(coordinator, lambda: link.click())
    assert coordinator.url.startswith(coordinator.base + "/publishing/sandbox/")
    expect(coordinator.locator("article").first).to_contain_text("telefonisch!!")
