"""``neutrality.election_window``: party names block (and go to the press office) in the 90 days before
an election; outside every window they are only a note."""

from datetime import date, datetime

from etiquette.types import Severity

from .conftest import BERLIN, of_rule, span_of

TEXT = "Der Kreistag hat auf Antrag von CDU und Bündnis 90/Die Grünen den Radweg beschlossen."


def _election(name="Kommunalwahl 2027", day=date(2027, 9, 12), window=90):
    from etiquette import services

    return services.election_add(actor=None, name=name, date=day, window_days=window)


def test_inside_the_window_party_names_block_and_route_to_the_press_office(check):
    _election()
    findings = of_rule(
        check(TEXT, scheduled_at=datetime(2027, 8, 1, 10, 0, tzinfo=BERLIN)), "neutrality.election_window"
    )
    assert [(f.start, f.end) for f in findings] == [
        span_of(TEXT, "CDU"),
        span_of(TEXT, "Bündnis 90/Die Grünen"),
    ]
    assert all(f.severity == Severity.BLOCK and f.routes_to_press for f in findings)
    assert "Kommunalwahl 2027 am 12.09.2027" in findings[0].message


def test_the_window_starts_ninety_days_before_and_ends_on_election_day(check):
    _election()
    day_before_window = datetime(2027, 6, 13, 10, 0, tzinfo=BERLIN)  # 91 days before
    first_day = datetime(2027, 6, 14, 10, 0, tzinfo=BERLIN)
    after = datetime(2027, 9, 13, 10, 0, tzinfo=BERLIN)
    severities = [
        {f.severity for f in of_rule(check(TEXT, scheduled_at=when), "neutrality.election_window")}
        for when in (day_before_window, first_day, after)
    ]
    assert severities == [{Severity.INFO}, {Severity.BLOCK}, {Severity.INFO}]


def test_outside_a_window_party_names_are_a_note_without_press_review(check):
    findings = of_rule(check(TEXT), "neutrality.election_window")
    assert len(findings) == 2
    assert all(f.severity == Severity.INFO and not f.routes_to_press for f in findings)


def test_ordinary_words_are_no_party_names(check):
    _election()
    text = "Picknick im Grünen, die linke Spur ist gesperrt, die Freie Wählergemeinschaft der Jäger? Nein: Volt-Zahl 230."
    findings = check(text, scheduled_at=datetime(2027, 8, 1, 10, 0, tzinfo=BERLIN))
    assert of_rule(findings, "neutrality.election_window") == []


def test_without_a_planned_time_today_counts(check):
    from django.utils import timezone

    today = timezone.localdate()
    _election(day=today.replace(year=today.year + 1) if today.month < 10 else today, window=400)
    findings = of_rule(check("Die SPD lädt ein.", scheduled_at=None), "neutrality.election_window")
    assert [f.severity for f in findings] == [Severity.BLOCK]
