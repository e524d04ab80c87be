"""Plain text from network HTML; the response clock in staffed hours (office hours, Lower Saxony's holidays)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured

from inbox import clock
from inbox.text import one_line, plain_text

BERLIN = ZoneInfo("Europe/Berlin")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def test_html_becomes_plain_text_with_line_breaks():
    html = '<p>Hallo &amp; guten Tag<br>zweite Zeile</p><p><span class="h-card"><a href="https://x">@<span>landkreis</span></a></span> Frage?</p><script>alert(1)</script>'
    assert plain_text(html) == "Hallo & guten Tag\nzweite Zeile\n\n@landkreis Frage?"


def test_markup_a_citizen_typed_is_kept_as_text_not_as_html():
    assert plain_text("a &lt;b&gt; c") == "a <b> c"
    assert "<img" not in plain_text('<img src=x onerror="alert(1)">Bild')
    assert one_line("  Erika\n\u202eMuster\x00 ") == "Erika Muster"


@pytest.fixture(autouse=True)
def office_hours(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    settings.INBOX_OFFICE_HOURS = "mon-thu 08:00-16:00; fri 08:00-13:00"


def test_inside_office_hours_the_clock_runs_at_once():
    tuesday = at(2026, 12, 1, 10, 0)
    assert clock.clock_start(tuesday) == tuesday
    assert clock.add_staffed(tuesday, 4) == at(2026, 12, 1, 14, 0)


def test_an_item_from_saturday_starts_on_monday_morning():
    saturday = at(2026, 12, 5, 11, 30)
    assert clock.clock_start(saturday) == at(2026, 12, 7, 8, 0)
    assert clock.add_staffed(saturday, 4) == at(2026, 12, 7, 12, 0)


def test_the_clock_carries_over_the_evening_and_friday_afternoon():
    assert clock.add_staffed(at(2026, 12, 3, 15, 0), 4) == at(2026, 12, 4, 11, 0)  # Thu 15:00 → Fri 11:00
    assert clock.add_staffed(at(2026, 12, 4, 12, 0), 4) == at(2026, 12, 7, 11, 0)  # Fri 12:00 → Mon 11:00


def test_lower_saxony_holidays_are_not_staffed():
    # 31 October (Reformationstag) is a holiday in Niedersachsen; 2025 it was a Friday.
    assert clock.is_holiday(at(2025, 10, 31, 0, 0).date())
    assert clock.clock_start(at(2025, 10, 30, 17, 0)) == at(2025, 11, 3, 8, 0)
    # Christmas: 24 December is no holiday, 25 and 26 are.
    assert clock.add_staffed(at(2026, 12, 24, 15, 0), 2) == at(2026, 12, 28, 9, 0)


def test_staffed_hours_between_two_moments():
    assert clock.staffed_hours(at(2026, 12, 4, 12, 0), at(2026, 12, 7, 9, 0)) == pytest.approx(2.0)


def test_unreadable_office_hours_fail_with_a_clear_message():
    with pytest.raises(ImproperlyConfigured, match="INBOX_OFFICE_HOURS"):
        clock.parse_office_hours("montags 8-16")
    assert clock.parse_office_hours("mon-fri 07:30-12:00,13:00-16:30")[4][1][1].hour == 16
