"""The daily rollups against the counts made while writing the data (tests/reports/conftest.py)."""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import translation

from departments.models import Department
from reports import metrics as m
from reports.models import DailyFigure, RollupState
from reports.rollup import rollup_changed, rollup_days

pytestmark = pytest.mark.django_db


def rolled(metric: str, *, channel: bool = False, key: bool = False) -> Counter:
    found = Counter()
    for row in DailyFigure.objects.filter(metric=metric):
        ident = (row.day, row.department_id)
        if channel:
            ident += (row.channel_id,)
        if key:
            ident += (row.key,)
        found[ident] += row.count
    return found


def assert_rollups_match(expected) -> None:
    assert rolled(m.POSTS_PUBLISHED) == expected.posts
    assert rolled(m.DELIVERIES_PUBLISHED, channel=True) == expected.deliveries
    assert rolled(m.DECISIONS, key=True) == expected.decisions
    assert rolled(m.DECISION_RULES, key=True) == expected.rules
    assert rolled(m.WARNINGS_APPROVED, key=True) == expected.warnings
    assert rolled(m.DELIVERIES_FAILED, channel=True) == expected.failed
    assert rolled(m.DELIVERIES_UNCERTAIN, channel=True) == expected.uncertain
    assert rolled(m.GUIDE_CONFIRMED) == expected.guide
    seconds: dict = {}
    for row in DailyFigure.objects.filter(metric=m.DECISION_SECONDS):
        assert row.count == len(row.values) and row.values == sorted(row.values)
        seconds.setdefault((row.department_id, row.key), []).extend(row.values)
    assert {k: sorted(v) for k, v in seconds.items()} == {k: sorted(v) for k, v in expected.seconds.items()}


def test_first_run_rolls_up_every_day_and_matches_direct_counts(make_workflow):
    expected = make_workflow(seed=3, posts=60)
    assert sum(expected.posts.values()) > 10 and expected.rules and expected.warnings and expected.failed
    assert expected.uncertain and expected.guide
    rollup_changed()
    assert_rollups_match(expected)


def test_running_twice_gives_the_same_rows(make_workflow):
    make_workflow(seed=5, posts=30)
    rollup_changed()
    first = sorted(
        DailyFigure.objects.values_list("day", "metric", "department_id", "channel_id", "key", "count")
    )
    rollup_changed()
    rollup_days({row[0] for row in first})
    second = sorted(
        DailyFigure.objects.values_list("day", "metric", "department_id", "channel_id", "key", "count")
    )
    assert first == second and first


def test_later_changes_are_rolled_up_by_the_next_run(make_workflow, monkeypatch):
    """Events stamped after the last run (the next batch of data) reach the rollup; days they do not
    touch are not rebuilt."""
    old = make_workflow(seed=11, posts=25, start=datetime(2026, 6, 1, 8, tzinfo=UTC), span_days=20)
    rollup_changed(now=datetime(2026, 7, 1, 12, tzinfo=UTC))
    assert_rollups_match(old)
    untouched = DailyFigure.objects.filter(day__lt=date(2026, 6, 25)).values_list("pk", flat=True)
    untouched_ids = set(untouched)
    # New events in August, run in September: the new rows come, the June rows stay as they were.
    new = make_workflow(seed=12, posts=25, start=datetime(2026, 8, 1, 8, tzinfo=UTC), span_days=20)
    days = rollup_changed(now=datetime(2026, 9, 1, 12, tzinfo=UTC))
    assert all(d >= date(2026, 8, 1) for d in days)
    assert untouched_ids <= set(DailyFigure.objects.values_list("pk", flat=True))
    combined = type(old)()
    for name in ("posts", "deliveries", "decisions", "rules", "warnings", "failed", "uncertain", "guide"):
        getattr(combined, name).update(getattr(old, name))
        getattr(combined, name).update(getattr(new, name))
    for source in (old, new):
        for key, values in source.seconds.items():
            combined.seconds[key].extend(values)
    assert_rollups_match(combined)
    assert RollupState.objects.get().watermark == datetime(2026, 9, 1, 12, tzinfo=UTC)


def test_a_decision_late_in_the_evening_counts_on_the_local_day(make_workflow, cast, department):
    """22:30 UTC on 15 January is 23:30 in Berlin (the 15th); 23:30 UTC is already the 16th."""
    from approvals.models import Review
    from posts.models import Post, Revision

    for minute_utc in ((22, 30), (23, 30)):
        post = Post.objects.create(department=department, author=cast["editor"], title="Spät", text="x")
        revision = Revision.objects.create(post=post, number=1, reason="submitted", snapshot={})
        finished = datetime(2026, 1, 15, *minute_utc, tzinfo=UTC)
        Review.objects.create(
            post=post,
            revision=revision,
            submitted_revision=revision,
            status="rejected",
            mode="coordinated",
            opened_at=finished - timedelta(hours=2),
            finished_at=finished,
        )
    rollup_days({date(2026, 1, 15), date(2026, 1, 16)})
    assert rolled(m.DECISIONS, key=True) == {
        (date(2026, 1, 15), department.pk, "coordinated:rejected"): 1,
        (date(2026, 1, 16), department.pk, "coordinated:rejected"): 1,
    }


def test_decision_time_median_and_90th_percentile(client, make_workflow, coordinator, department):
    """The page's median and 90th percentile per department and mode equal the statistics of the
    single durations (statistics.quantiles, inclusive method = PostgreSQL's percentile_cont)."""
    from reports.selectors import Scope, report_sections

    expected = make_workflow(seed=21, posts=60)
    rollup_changed()
    scope = Scope(
        start=date(2026, 8, 1), end=date(2026, 12, 31), departments=(department,), all_departments=True
    )
    with translation.override("en"):
        sections = {s.slug: s for s in report_sections(scope)}
    rows = {(row[0], row[1]): row[2:] for row in sections["decision-time"].table.rows}
    assert rows
    for (dept_id, mode), values in expected.seconds.items():
        name = Department.objects.get(pk=dept_id).name
        count, median, p90 = rows[(name, mode)]
        values = sorted(values)
        assert count == len(values)
        assert median == round(statistics.median(values) / 3600, 1)
        q90 = statistics.quantiles(values, n=10, method="inclusive")[8] if len(values) > 1 else values[0]
        assert p90 == round(q90 / 3600, 1)


def test_monthly_rows_are_the_sums_of_the_daily_rows(make_workflow):
    from django.db.models import Sum
    from django.db.models.functions import TruncMonth

    from reports.models import MonthlyFigure

    make_workflow(seed=8, posts=50)
    rollup_changed()
    daily = {
        (r["month"], r["metric"], r["department_id"], r["channel_id"], r["key"]): r["n"]
        for r in DailyFigure.objects.exclude(metric=m.DECISION_SECONDS)
        .annotate(month=TruncMonth("day"))
        .values("month", "metric", "department_id", "channel_id", "key")
        .annotate(n=Sum("count"))
    }
    monthly = {
        (r.day, r.metric, r.department_id, r.channel_id, r.key): r.count
        for r in MonthlyFigure.objects.exclude(metric=m.DECISION_SECONDS)
    }
    assert daily == monthly and daily


def test_a_period_that_starts_and_ends_mid_month(make_workflow, department, other_department):
    """Whole months come from the monthly rows, the rest from the daily rows: the totals equal the
    counts of exactly the period's days."""
    from reports.selectors import Scope, report_sections

    expected = make_workflow(seed=13, posts=60)
    rollup_changed()
    start, end = date(2026, 9, 12), date(2026, 11, 7)
    scope = Scope(start=start, end=end, departments=(department, other_department), all_departments=True)
    with translation.override("en"):
        sections = {s.slug: s for s in report_sections(scope)}
    posts = sum(row[1] for row in sections["posts-by-month"].table.rows)
    assert posts == sum(n for (day, _d), n in expected.posts.items() if start <= day <= end) > 0
    decided = sections["decisions-by-month"].table.rows
    direct = Counter()
    for (day, _d, key), n in expected.decisions.items():
        if start <= day <= end:
            direct[key.split(":")[1]] += n
    assert [sum(r[i] for r in decided) for i in (1, 2, 3)] == [
        direct["approved"],
        direct["changes_requested"],
        direct["rejected"],
    ]
    times = {(r[0], r[1]): r[2] for r in sections["decision-time"].table.rows}
    assert sum(times.values()) == sum(direct.values())


def test_the_command_rebuilds_every_day_with_all(make_workflow):
    import io

    from django.core.management import call_command

    expected = make_workflow(seed=17, posts=20)
    rollup_changed()
    DailyFigure.objects.all().delete()  # e.g. a restored database without the figures
    out = io.StringIO()
    call_command("reports_rollup", "--all", stdout=out)
    assert "day(s) rebuilt" in out.getvalue()
    assert_rollups_match(expected)
