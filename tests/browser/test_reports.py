"""/reports/ in Chromium for a department head (one department) and for Koordination (all of them, with
the filters used by keyboard): axe-core finds nothing serious or critical; the README's screenshot."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from departments.models import Department
from reports.rollup import rollup_changed

from .conftest import axe, goto, navigate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reports_for_a_department_head_and_for_koordination(browse, world, screenshot):
    # A year of history next to the demo (the demo's own posts are not published without a worker),
    # then the daily figures as beat makes them.
    call_command(
        "seed_scale",
        posts=1500,
        departments=6,
        users=30,
        months=12,
        prefix="hist",
        force=True,
        stdout=io.StringIO(),
    )
    rollup_changed()
    own = Department.objects.get(code="GA")

    head = browse("leitung")
    goto(head, "/reports/")
    options = head.locator("#id_department option").all_inner_texts()
    assert options == ["Alle meine Fachbereiche", own.name]  # only the own department
    assert head.locator("svg.report-chart").count() >= 1
    # Every section, with data or "Keine Zahlen", in the report's order (no committee archive for a head).
    shown = head.locator("section.report-section").evaluate_all("sections => sections.map(s => s.id)")
    assert shown == [
        "posts-by-month",
        "posts-by-department",
        "decision-time",
        "decisions-by-month",
        "decision-rules",
        "warnings-approved",
        "delivery-problems",
        "guide-confirmations",
        "network-figures",
        "followers",
        "inbox-items",
        "inbox-reaction",
        "moderation-actions",
        "press-escalations",
    ]
    assert head.locator("table.report-table").count() >= 1
    assert head.get_by_role("heading", name="Monatsberichte für den Ausschuss").count() == 0

    coordinator = browse("koordination")
    goto(coordinator, "/reports/")
    choices = coordinator.locator("#id_department option").all_inner_texts()
    assert choices[0] == "Alle Fachbereiche" and len(choices) == Department.objects.count() + 1
    # Choose a department and a channel with the keyboard and show the report.
    coordinator.locator("#id_department").focus()
    coordinator.keyboard.press("ArrowDown")
    coordinator.locator("#id_channel").focus()
    coordinator.keyboard.press("ArrowDown")
    navigate(coordinator, lambda: coordinator.get_by_role("button", name="Anzeigen").press("Enter"))
    assert "department=" in coordinator.url and "channel=" in coordinator.url
    assert coordinator.locator("#report-scope").inner_text().count("·") == 2
    # Back to all departments for the screenshot.
    goto(coordinator, "/reports/")
    coordinator.set_viewport_size({"width": 1280, "height": 1400})
    axe(coordinator)
    screenshot(coordinator, "reports")
