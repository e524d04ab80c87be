"""The inbox's figures: items per department, channel and kind on the day received; the first reaction
in staffed hours (median, 90th percentile, share within the target) on the day of the reaction – against
counts made in the test."""

from __future__ import annotations

import random
import statistics
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import translation

from inbox.clock import staffed_hours
from inbox.models import InboxItem
from reports import metrics as m
from reports.models import DailyFigure
from reports.rollup import rollup_changed
from reports.selectors import Scope, report_sections

from .conftest import local_day

pytestmark = pytest.mark.django_db


def test_inbox_items_and_first_reactions(department, other_department, report_channels):
    rng = random.Random(5)
    items, seconds, within, reacted = Counter(), defaultdict(list), Counter(), Counter()
    for n in range(80):
        received = datetime(2026, 10, 1, 6, tzinfo=UTC) + timedelta(hours=rng.randrange(0, 40 * 24))
        dept = rng.choice([department, other_department, None])
        channel = rng.choice(report_channels)
        kind = rng.choice(["comment", "reply", "mention", "direct"])
        reaction = received + timedelta(hours=rng.randrange(1, 72)) if dept and rng.random() < 0.7 else None
        due = received + timedelta(hours=rng.randrange(4, 48))
        InboxItem.objects.create(
            channel=channel,
            network_id=f"n{n}",
            kind=kind,
            received_at=received,
            conversation_key=f"c{n}",
            department=dept,
            clock_starts_at=received,
            due_at=due,
            first_reaction_at=reaction,
        )
        dept_id = dept.pk if dept else None
        items[(local_day(received), dept_id, channel.pk, kind)] += 1
        if reaction is not None and date(2026, 10, 1) <= local_day(reaction) <= date(2026, 11, 30):
            seconds[dept_id].append(round(staffed_hours(received, reaction) * 3600))
            reacted[dept_id] += 1
            within[dept_id] += reaction <= due
    rollup_changed()

    rolled = Counter()
    for row in DailyFigure.objects.filter(metric=m.INBOX_ITEMS):
        rolled[(row.day, row.department_id, row.channel_id, row.key)] += row.count
    assert rolled == items

    scope = Scope(
        start=date(2026, 10, 1),
        end=date(2026, 11, 30),
        departments=(department, other_department),
        all_departments=True,
    )
    with translation.override("en"):
        sections = {s.slug: s for s in report_sections(scope)}
    table = {row[0]: row[1:] for row in sections["inbox-reaction"].table.rows}
    for dept in (department, other_department):
        values = sorted(seconds[dept.pk])
        count, median, p90, share = table[dept.name]
        assert count == len(values) > 0
        assert median == round(statistics.median(values) / 3600, 1)
        assert p90 == round(statistics.quantiles(values, n=10, method="inclusive")[8] / 3600, 1)
        assert share == round(100 * within[dept.pk] / reacted[dept.pk], 1)
    total_items = sum(row[-1] for row in sections["inbox-items"].table.rows)
    assert total_items == sum(
        n for (day, *_rest), n in items.items() if date(2026, 10, 1) <= day <= date(2026, 11, 30)
    )
