"""The pages no journey passes through, checked with axe-core as each role sees them with the demo data:
lists, calendar, notifications, guide, training record, deliveries, audit trail, review modes, the
administration's channel pages. Same bar as the journeys: no serious or critical violation – at 1280 px and on a 390-px phone, where no
page may scroll sideways either (``axe`` checks that too)."""

from __future__ import annotations

import pytest

from channels.models import Channel
from posts.models import Post

from .conftest import PHONE, VIEWPORT, axe, goto

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [VIEWPORT, PHONE], ids=["1280px", "390px"])
def test_every_other_page_passes_axe(browse, world, viewport):
    submitted = Post.objects.filter(revisions__isnull=False).order_by("pk").first()
    assert submitted is not None, "the demo has submitted posts"

    # Signing in checks each role's start page.
    browse("leitung", viewport=viewport)
    browse("presse", viewport=viewport)
    staff = browse("redaktion", viewport=viewport)
    for path in (
        "/posts/",
        "/posts/?scope=mine",
        f"/posts/{submitted.pk}/",
        f"/posts/{submitted.pk}/revisions/",
        "/posts/calendar/",
        "/posts/calendar/?view=week",
        "/etiquette/",
        "/etiquette/try/",
        "/approvals/notifications/",
        "/accounts/security/",
        "/accounts/password/",
        "/publishing/sandbox/",
    ):
        goto(staff, path)

    coordinator = browse("koordination", viewport=viewport)
    for path in (
        "/approvals/",
        f"/approvals/posts/{submitted.pk}/",
        f"/approvals/posts/{submitted.pk}/history/",
        "/approvals/autonomous/",
        "/publishing/deliveries/",
        "/etiquette/training-record/",
        "/inbox/replies/",
    ):
        goto(coordinator, path)

    admin = browse("admin", viewport=viewport)
    sandbox = Channel.objects.get(kind="sandbox")
    for path in (
        "/approvals/review-modes/",
        "/approvals/audit/",
        "/admin/",
        "/admin/channels/channel/",
        f"/admin/channels/channel/{sandbox.pk}/change/",
        "/admin/channels/rolloutphase/add/",
    ):
        goto(admin, path)


def test_the_axe_check_fails_on_a_serious_violation(browse):
    """The check itself works: an image without alt text and grey-on-grey text make it fail."""
    page = browse("redaktion")
    page.evaluate(
        """() => {
            const main = document.getElementById("main");
            main.insertAdjacentHTML("beforeend", '<img src="/static/css/app.css"><p class="bg-light text-white">Kaum lesbar</p>');
        }"""
    )
    with pytest.raises(pytest.fail.Exception) as failure:
        axe(page, context="home with an image without alt text")
    assert "image-alt" in str(failure.value)
    assert "color-contrast" in str(failure.value)
