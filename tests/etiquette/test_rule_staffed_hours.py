"""``schedule.staffed_hours``: Monday to Friday 08:00–16:00 in Berlin, not on Niedersachsen's holidays."""

from datetime import UTC, datetime

import pytest

from etiquette.types import Severity

from .conftest import BERLIN, of_rule


@pytest.mark.parametrize(
    ("when", "reason"),
    [
        (
            datetime(2027, 3, 6, 10, 0, tzinfo=BERLIN),
            "Samstag, 06.03.2027, 10:00 Uhr – das liegt außerhalb der Dienstzeiten",
        ),
        (datetime(2027, 3, 3, 20, 0, tzinfo=BERLIN), "Mittwoch, 03.03.2027, 20:00 Uhr"),
        (datetime(2027, 3, 3, 16, 0, tzinfo=BERLIN), "16:00 Uhr"),
        (datetime(2027, 3, 3, 7, 59, tzinfo=BERLIN), "07:59 Uhr"),
        (datetime(2027, 3, 29, 10, 0, tzinfo=BERLIN), "Feiertag (Ostermontag)"),
        (datetime(2027, 10, 31, 10, 0, tzinfo=BERLIN), "Feiertag (Reformationstag)"),
        (datetime(2027, 12, 24, 10, 0, tzinfo=BERLIN), "Feiertag (dienstfreier Tag)"),
    ],
)
def test_outside_staffed_hours_warns(check, when, reason):
    findings = of_rule(check("Text", scheduled_at=when), "schedule.staffed_hours")
    assert len(findings) == 1 and findings[0].severity == Severity.WARN
    assert reason in findings[0].message


def test_the_time_is_read_in_berlin_whatever_zone_it_comes_in(check):
    # 14:30 UTC in summer is 16:30 in Berlin: outside; 07:30 UTC is 09:30: inside.
    assert (
        len(
            of_rule(
                check("Text", scheduled_at=datetime(2027, 6, 2, 14, 30, tzinfo=UTC)), "schedule.staffed_hours"
            )
        )
        == 1
    )
    assert (
        of_rule(check("Text", scheduled_at=datetime(2027, 6, 2, 7, 30, tzinfo=UTC)), "schedule.staffed_hours")
        == []
    )


def test_within_staffed_hours_or_without_a_planned_time_passes(check):
    assert (
        of_rule(
            check("Text", scheduled_at=datetime(2027, 3, 3, 8, 0, tzinfo=BERLIN)), "schedule.staffed_hours"
        )
        == []
    )
    assert (
        of_rule(
            check("Text", scheduled_at=datetime(2027, 3, 3, 15, 59, tzinfo=BERLIN)), "schedule.staffed_hours"
        )
        == []
    )
    assert of_rule(check("Text", scheduled_at=None), "schedule.staffed_hours") == []


def test_bavarian_holidays_are_not_niedersachsens(check):
    # Heilige Drei Könige (6 January) is a holiday in Bayern, not in Niedersachsen.
    assert (
        of_rule(
            check("Text", scheduled_at=datetime(2027, 1, 6, 10, 0, tzinfo=BERLIN)), "schedule.staffed_hours"
        )
        == []
    )


def test_hours_are_parameters(check, rule_update):
    rule_update(
        "schedule.staffed_hours",
        parameters={"days": [1, 2, 3, 4, 5, 6], "start": "07:00", "end": "20:00", "extra_closed_days": []},
    )
    assert (
        of_rule(
            check("Text", scheduled_at=datetime(2027, 3, 6, 19, 0, tzinfo=BERLIN)), "schedule.staffed_hours"
        )
        == []
    )
