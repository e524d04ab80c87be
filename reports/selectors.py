"""What a person may see in the reports, and the report's sections computed from the rollup rows.

Koordination, Pressestelle and Administration see every department; a Fachbereichsleitung sees the
departments it leads; nobody else sees reports. :func:`report_sections` builds every section of the
page, the CSV export and the PDF from the same rows, so the three always agree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import connection
from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from channels.models import Channel
from departments import roles
from departments.models import Department
from departments.selectors import departments_for_user
from etiquette.models import NetiquetteClause

from . import metrics as m
from .models import CommitteeReport, DailyFigure, MonthlyFigure

LEAD_PERMISSION = "departments.lead_department"


def report_departments(user) -> QuerySet[Department]:
    """The departments whose figures ``user`` may see (empty: no reports at all)."""
    if not user.is_authenticated:
        return Department.objects.none()
    if roles.sees_all_departments(user):
        return Department.objects.all()
    return departments_for_user(user, LEAD_PERMISSION)


def sees_all_reports(user) -> bool:
    return user.is_authenticated and roles.sees_all_departments(user)


def committee_reports_for_user(user) -> QuerySet[CommitteeReport]:
    """Stored committee reports cover the whole county: only the county-wide roles see them."""
    if not sees_all_reports(user):
        return CommitteeReport.objects.none()
    return CommitteeReport.objects.defer("pdf")


def get_committee_report_for_user(user, pk: int) -> CommitteeReport:
    return get_object_or_404(committee_reports_for_user(user).defer(None), pk=pk)


@dataclass(frozen=True)
class Scope:
    start: date
    end: date  # included
    departments: tuple[Department, ...]  # what the report covers (already limited to what the user may see)
    channel: Channel | None = None
    all_departments: bool = False  # the whole county (no department chosen by a county-wide role)

    @property
    def department_ids(self) -> list[int]:
        return [d.pk for d in self.departments]


@dataclass
class Chart:
    categories: list[str]
    series: list[tuple[str, list[float]]]
    horizontal: bool = False
    unit: str = ""


@dataclass
class Table:
    headers: list[str]
    rows: list[list]
    numeric: list[bool] = field(default_factory=list)

    @property
    def header_cells(self) -> list[tuple[str, bool]]:
        numeric = self.numeric or [False] * len(self.headers)
        return list(zip(self.headers, numeric, strict=False))


@dataclass
class Section:
    slug: str
    title: str
    explanation: str
    table: Table
    chart: Chart | None = None
    note: str = ""

    @property
    def is_empty(self) -> bool:
        return not self.table.rows


def month_label(month: date) -> str:
    return f"{month:%m/%Y}"


def months_between(start: date, end: date) -> list[date]:
    months = []
    current = start.replace(day=1)
    while current <= end:
        months.append(current)
        current = (current.replace(day=28) + timedelta(days=4)).replace(day=1)
    return months


def hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 1)


def percentile(sorted_values: list[int], fraction: float) -> float | None:
    """Linear interpolation between the closest ranks (PostgreSQL's ``percentile_cont``)."""
    if not sorted_values:
        return None
    position = (len(sorted_values) - 1) * fraction
    lower = int(position)
    upper = min(lower + 1, len(sorted_values) - 1)
    return sorted_values[lower] + (sorted_values[upper] - sorted_values[lower]) * (position - lower)


def _parts(scope: Scope) -> list[tuple[type, list[tuple[date, date]]]]:
    """Where the period's figures are read: whole months from :class:`MonthlyFigure`, the days of the
    months covered only in part from :class:`DailyFigure`."""
    first_full = scope.start if scope.start.day == 1 else _next_month(scope.start)
    after_last_full = (
        _next_month(scope.end)
        if _next_month(scope.end) - timedelta(days=1) == scope.end
        else (scope.end.replace(day=1))
    )
    if first_full >= after_last_full:
        return [(DailyFigure, [(scope.start, scope.end)])]
    daily = []
    if scope.start < first_full:
        daily.append((scope.start, first_full - timedelta(days=1)))
    if after_last_full <= scope.end:
        daily.append((after_last_full, scope.end))
    parts = [(MonthlyFigure, [(first_full, after_last_full - timedelta(days=1))])]
    if daily:
        parts.append((DailyFigure, daily))
    return parts


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _in_scope(model, ranges, scope: Scope, metrics, *, channel_filter: bool = False) -> QuerySet:
    period = Q()
    for start, end in ranges:
        period |= Q(day__gte=start, day__lte=end)
    figures = model.objects.filter(period, metric__in=metrics)
    if not scope.all_departments:
        figures = figures.filter(department_id__in=scope.department_ids)
    if channel_filter and scope.channel is not None:
        figures = figures.filter(channel_id=scope.channel.pk)
    return figures


def _sums(scope: Scope, metrics, dims: tuple[str, ...], *, channel_filter: bool = False) -> list[dict]:
    """``metrics`` over the period summed per ``dims`` (of month, department_id, channel_id, key): rows
    with ``n`` (the count), ``i`` (items) and ``x`` (not delivered); one query per table read."""
    merged: dict[tuple, dict] = {}
    for model, ranges in _parts(scope):
        figures = _in_scope(model, ranges, scope, metrics, channel_filter=channel_filter)
        if "month" in dims:
            figures = figures.annotate(month=TruncMonth("day"))
        rows = (
            figures.values("metric", *dims)
            .annotate(n=Sum("count"), i=Sum("items"), x=Sum("missing"))
            .order_by()
        )
        for row in rows:
            ident = (row["metric"], *(row[d] for d in dims))
            if ident in merged:
                for total in ("n", "i", "x"):
                    merged[ident][total] += row[total]
            else:
                merged[ident] = row
    return list(merged.values())


def _decision_times(
    scope: Scope, metric: str = m.DECISION_SECONDS
) -> dict[tuple[int | None, str], tuple[int, float | None, float | None]]:
    """(department, key) → (how many, median seconds, 90th percentile seconds) of a metric's single
    values over the period (the decision times per review mode; the inbox's first reactions)."""
    parts = [
        _in_scope(model, ranges, scope, [metric]).values("department_id", "key", "values")
        for model, ranges in _parts(scope)
    ]
    if connection.vendor == "postgresql":
        # The single values stay in the database: the ORM's SQL for the period's rows (its values
        # passed as parameters), unnested and ranked there.
        sqls, params = [], []
        for part in parts:
            sql, part_params = part.query.sql_with_params()
            sqls.append(sql)
            params.extend(part_params)
        query = (
            "SELECT f.department_id, f.key, count(*), "
            "percentile_cont(0.5) WITHIN GROUP (ORDER BY v.value::numeric), "
            "percentile_cont(0.9) WITHIN GROUP (ORDER BY v.value::numeric) "
            "FROM (" + " UNION ALL ".join(f"({sql})" for sql in sqls) + ") f "
            "CROSS JOIN LATERAL jsonb_array_elements_text(f.values) v(value) GROUP BY f.department_id, f.key"
        )
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            return {(d, k): (n, float(p50), float(p90)) for d, k, n, p50, p90 in cursor.fetchall()}
    collected: dict[tuple, list[int]] = defaultdict(list)
    for part in parts:
        for row in part:
            collected[(row["department_id"], row["key"])].extend(row["values"])
    result = {}
    for group, values in collected.items():
        values.sort()
        result[group] = (len(values), percentile(values, 0.5), percentile(values, 0.9))
    return result


def _followers(scope: Scope) -> list[tuple[date, int, int]]:
    """Followers belong to a channel, not to a department: everyone who sees reports sees them."""
    figures = DailyFigure.objects.filter(day__gte=scope.start, day__lte=scope.end, metric=m.FOLLOWERS)
    if scope.channel is not None:
        figures = figures.filter(channel_id=scope.channel.pk)
    return list(figures.order_by("day").values_list("day", "channel_id", "count"))


# What the networks' own metric names mean (the tables show both; the name is kept as given).
METRIC_LABELS = {
    "replies_count": gettext_lazy("replies"),
    "reblogs_count": gettext_lazy("boosts"),
    "favourites_count": gettext_lazy("favourites"),
    "quotes_count": gettext_lazy("quotes"),
    "likeCount": gettext_lazy("likes"),
    "repostCount": gettext_lazy("reposts"),
    "replyCount": gettext_lazy("replies"),
    "quoteCount": gettext_lazy("quotes"),
    "post_media_view": gettext_lazy("views"),
    "post_total_media_view_unique": gettext_lazy("people reached"),
    "post_clicks": gettext_lazy("clicks"),
    "views": gettext_lazy("views"),
    "reach": gettext_lazy("people reached"),
    "likes": gettext_lazy("likes"),
    "comments": gettext_lazy("comments"),
    "shares": gettext_lazy("shares"),
    "saved": gettext_lazy("saved"),
    "impression_count": gettext_lazy("views"),
    "like_count": gettext_lazy("likes"),
    "retweet_count": gettext_lazy("reposts"),
    "reply_count": gettext_lazy("replies"),
    "quote_count": gettext_lazy("quotes"),
    "bookmark_count": gettext_lazy("bookmarks"),
}


def metric_label(name: str) -> str:
    base, _sep, part = name.partition(".")
    if base == "post_reactions_by_type_total":
        return _("reactions: %(kind)s") % {"kind": part}
    label = METRIC_LABELS.get(name)
    return str(label) if label else "–"


def report_sections(scope: Scope) -> list[Section]:
    """Every section of the report for ``scope``: the same number of queries whatever the period and the
    data (each aggregation reads whole months from the monthly rows)."""
    channel_chosen = scope.channel is not None
    posts_metric = m.DELIVERIES_PUBLISHED if channel_chosen else m.POSTS_PUBLISHED
    counts = (
        _sums(scope, [posts_metric], ("month", "key"), channel_filter=True)
        + _sums(scope, [m.DECISIONS, m.GUIDE_CONFIRMED], ("month", "key"))
        + _sums(scope, [m.DELIVERIES_PUBLISHED], ("department_id", "channel_id"), channel_filter=True)
        + _sums(scope, [m.POSTS_PUBLISHED], ("department_id",))
        + _sums(scope, [m.DECISION_RULES, m.WARNINGS_APPROVED], ("key",))
        + _sums(
            scope,
            [m.DELIVERIES_FAILED, m.DELIVERIES_UNCERTAIN, m.NETWORK, m.NETWORK_UNREAD],
            ("channel_id", "key"),
            channel_filter=True,
        )
        + _sums(
            scope,
            [m.INBOX_ITEMS, m.MODERATION_ACTIONS, m.PRESS_ESCALATIONS],
            ("department_id", "channel_id", "key"),
            channel_filter=True,
        )
        + _sums(scope, [m.INBOX_WITHIN_TARGET], ("department_id",))
    )
    departments = {d.pk: d.name for d in Department.objects.all()}
    channels = {c.pk: c.name for c in Channel.objects.all()}
    # Every clause of every netiquette version (a few dozen rows; read always: a constant query count).
    clauses = {
        pk: (number, title)
        for pk, number, title in NetiquetteClause.objects.values_list("pk", "number", "title")
    }
    months = months_between(scope.start, scope.end)
    month_index = {month: i for i, month in enumerate(months)}

    def by(metric: str, *dims: str):
        """The rows of ``metric`` from the aggregation that has exactly ``dims``."""
        for row in counts:
            if row["metric"] == metric and set(row) - {"metric", "n", "i", "x"} == set(dims):
                yield row

    sections: list[Section] = []

    # 1. Published posts per month (per channel: the deliveries on that channel).
    per_month = [0] * len(months)
    for row in by(posts_metric, "month", "key"):
        per_month[month_index[row["month"]]] += row["n"]
    month_labels = [month_label(mo) for mo in months]
    sections.append(
        Section(
            slug="posts-by-month",
            title=_("Published posts per month"),
            explanation=(
                _("Posts published on the chosen channel, per month of publication.")
                if channel_chosen
                else _(
                    "Posts published per month of publication; a post counts once, however many channels it "
                    "went out on."
                )
            ),
            chart=Chart(month_labels, [(_("Posts"), per_month)]),
            table=Table(
                [_("Month"), _("Posts")],
                [[label, n] for label, n in zip(month_labels, per_month, strict=True)],
                [False, True],
            ),
        )
    )

    # 2. Per department and channel.
    matrix: dict[tuple[int, int], int] = defaultdict(int)
    for row in by(m.DELIVERIES_PUBLISHED, "department_id", "channel_id"):
        matrix[(row["department_id"], row["channel_id"])] += row["n"]
    posts_per_department: dict[int, int] = defaultdict(int)
    for row in by(m.POSTS_PUBLISHED, "department_id"):
        posts_per_department[row["department_id"]] += row["n"]
    dept_ids = sorted(
        {d for d, _c in matrix} | set(posts_per_department), key=lambda d: departments.get(d, "")
    )
    chan_ids = sorted({c for _d, c in matrix}, key=lambda c: channels.get(c, ""))
    rows = [
        [departments.get(d, "?"), posts_per_department.get(d, 0)] + [matrix.get((d, c), 0) for c in chan_ids]
        for d in dept_ids
    ]
    sections.append(
        Section(
            slug="posts-by-department",
            title=_("Posts per department and channel"),
            explanation=_(
                "Published posts of each department in the period, and how many of them went out on each "
                "channel."
            ),
            chart=Chart(
                [departments.get(d, "?") for d in dept_ids],
                [(_("Posts"), [posts_per_department.get(d, 0) for d in dept_ids])],
                horizontal=True,
            ),
            table=Table(
                [_("Department"), _("Posts")] + [channels.get(c, "?") for c in chan_ids],
                rows,
                [False] + [True] * (1 + len(chan_ids)),
            ),
        )
    )

    # 3. Time from submission to decision.
    times = _decision_times(scope)
    mode_names = {"coordinated": _("coordinated"), "autonomous": _("autonomous")}
    time_rows = []
    chart_categories, chart_median, chart_p90 = [], [], []
    for (department_id, mode), (n, p50, p90) in sorted(
        times.items(), key=lambda item: (departments.get(item[0][0], ""), item[0][1])
    ):
        name = departments.get(department_id, "?")
        label = f"{name} ({mode_names.get(mode, mode)})"
        time_rows.append([name, mode_names.get(mode, mode), n, hours(p50), hours(p90)])
        chart_categories.append(label)
        chart_median.append(hours(p50) or 0)
        chart_p90.append(hours(p90) or 0)
    sections.append(
        Section(
            slug="decision-time",
            title=_("Time from submission to decision"),
            explanation=_(
                "Hours from submitting a post for review until the review was decided (approved, changes "
                "requested or rejected), per department and review mode: the median (half of the decisions "
                "took less) and the 90th percentile (nine in ten took less). Counted on the day of the decision."
            ),
            chart=Chart(
                chart_categories,
                [(_("Median (hours)"), chart_median), (_("90th percentile (hours)"), chart_p90)],
                horizontal=True,
                unit="h",
            ),
            table=Table(
                [
                    _("Department"),
                    _("Review mode"),
                    _("Decisions"),
                    _("Median (hours)"),
                    _("90th percentile (hours)"),
                ],
                time_rows,
                [False, False, True, True, True],
            ),
            note=_("Decisions do not depend on a channel: the channel filter does not apply.")
            if channel_chosen
            else "",
        )
    )

    # 4. Decisions per month.
    outcome_series = {
        "approved": [0] * len(months),
        "changes_requested": [0] * len(months),
        "rejected": [0] * len(months),
    }
    for row in by(m.DECISIONS, "month", "key"):
        _mode, _sep, outcome = row["key"].partition(":")
        if outcome in outcome_series:
            outcome_series[outcome][month_index[row["month"]]] += row["n"]
    outcome_names = {
        "approved": _("approved"),
        "changes_requested": _("changes requested"),
        "rejected": _("rejected"),
    }
    sections.append(
        Section(
            slug="decisions-by-month",
            title=_("Review decisions per month"),
            explanation=_("How reviews ended: approved, sent back with a request for changes, or rejected."),
            chart=Chart(
                month_labels,
                [
                    (outcome_names["changes_requested"], outcome_series["changes_requested"]),
                    (outcome_names["rejected"], outcome_series["rejected"]),
                ],
            ),
            table=Table(
                [
                    _("Month"),
                    outcome_names["approved"],
                    outcome_names["changes_requested"],
                    outcome_names["rejected"],
                ],
                [
                    [
                        label,
                        outcome_series["approved"][i],
                        outcome_series["changes_requested"][i],
                        outcome_series["rejected"][i],
                    ]
                    for i, label in enumerate(month_labels)
                ],
                [False, True, True, True],
            ),
            note=_("Decisions do not depend on a channel: the channel filter does not apply.")
            if channel_chosen
            else "",
        )
    )

    # 5. Etiquette rules involved in requests for changes and rejections.
    rule_counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in by(m.DECISION_RULES, "key"):
        outcome, _sep, rule = row["key"].partition(":")
        rule_counts[rule][0 if outcome == "changes_requested" else 1] += row["n"]
    rules_sorted = sorted(rule_counts.items(), key=lambda item: (-sum(item[1]), item[0]))
    sections.append(
        Section(
            slug="decision-rules",
            title=_("Etiquette rules in requests for changes and rejections"),
            explanation=_(
                "For each etiquette rule: in how many reviews that ended with a request for changes or a "
                "rejection the check had found something under that rule (warnings and blocking findings). "
                "A review can involve several rules."
            ),
            chart=Chart(
                [rule for rule, _v in rules_sorted],
                [
                    (outcome_names["changes_requested"], [v[0] for _r, v in rules_sorted]),
                    (outcome_names["rejected"], [v[1] for _r, v in rules_sorted]),
                ],
                horizontal=True,
            ),
            table=Table(
                [_("Rule"), outcome_names["changes_requested"], outcome_names["rejected"]],
                [[rule, v[0], v[1]] for rule, v in rules_sorted],
                [False, True, True],
            ),
        )
    )

    # 6. Warnings approved with a reason.
    warnings: dict[str, int] = defaultdict(int)
    for row in by(m.WARNINGS_APPROVED, "key"):
        warnings[row["key"]] += row["n"]
    warnings_sorted = sorted(warnings.items(), key=lambda item: (-item[1], item[0]))
    sections.append(
        Section(
            slug="warnings-approved",
            title=_("Warnings approved with a reason"),
            explanation=_(
                "Warnings of the etiquette check that a reviewer accepted with a written reason in a post "
                "that was then approved, per rule (each warning once, even if two review steps confirmed it)."
            ),
            chart=Chart(
                [rule for rule, _n in warnings_sorted],
                [(_("Warnings"), [n for _r, n in warnings_sorted])],
                horizontal=True,
            ),
            table=Table(
                [_("Rule"), _("Warnings approved")], [[r, n] for r, n in warnings_sorted], [False, True]
            ),
        )
    )

    # 7. Delivery problems per channel.
    problems: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for metric, index in ((m.DELIVERIES_FAILED, 0), (m.DELIVERIES_UNCERTAIN, 1)):
        for row in by(metric, "channel_id", "key"):
            problems[row["channel_id"]][index] += row["n"]
    delivered: dict[int, int] = defaultdict(int)
    for (_d, c), n in matrix.items():
        delivered[c] += n
    problem_channels = sorted(set(problems) | set(delivered), key=lambda c: channels.get(c, ""))
    sections.append(
        Section(
            slug="delivery-problems",
            title=_("Deliveries failed or with unknown outcome"),
            explanation=_(
                "Per channel: posts published, deliveries the network refused (failed) and deliveries whose "
                "outcome was unknown and had to be checked by a person – counted on the day of the attempt."
            ),
            chart=Chart(
                [channels.get(c, "?") for c in problem_channels],
                [
                    (_("failed"), [problems[c][0] if c in problems else 0 for c in problem_channels]),
                    (
                        _("outcome unknown"),
                        [problems[c][1] if c in problems else 0 for c in problem_channels],
                    ),
                ],
                horizontal=True,
            ),
            table=Table(
                [_("Channel"), _("Published"), _("failed"), _("outcome unknown")],
                [
                    [
                        channels.get(c, "?"),
                        delivered.get(c, 0),
                        problems[c][0] if c in problems else 0,
                        problems[c][1] if c in problems else 0,
                    ]
                    for c in problem_channels
                ],
                [False, True, True, True],
            ),
        )
    )

    # 8. Guide confirmations.
    confirmations = [0] * len(months)
    for row in by(m.GUIDE_CONFIRMED, "month", "key"):
        confirmations[month_index[row["month"]]] += row["n"]
    sections.append(
        Section(
            slug="guide-confirmations",
            title=_("Confirmations of the etiquette guide"),
            explanation=_(
                "How many staff members confirmed that they read the etiquette guide (each version once), per "
                "month; a person who works in two departments counts in both."
            ),
            chart=Chart(month_labels, [(_("Confirmations"), confirmations)]),
            table=Table(
                [_("Month"), _("Confirmations")],
                [[label, n] for label, n in zip(month_labels, confirmations, strict=True)],
                [False, True],
            ),
            note=_("Confirmations do not depend on a channel: the channel filter does not apply.")
            if channel_chosen
            else "",
        )
    )
    # 9. Network figures.
    network: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in by(m.NETWORK, "channel_id", "key"):
        totals = network[(row["channel_id"], row["key"])]
        totals[0] += row["n"]
        totals[1] += row["i"]
        totals[2] += row["x"]
    unread: dict[int, int] = defaultdict(int)
    for row in by(m.NETWORK_UNREAD, "channel_id", "key"):
        unread[row["channel_id"]] += row["n"]
    network_rows = []
    for (channel_id, name), (total, delivered, missing) in sorted(
        network.items(), key=lambda item: (channels.get(item[0][0], ""), item[0][1])
    ):
        network_rows.append(
            [
                channels.get(channel_id, "?"),
                name,
                metric_label(name),
                total if delivered else None,
                delivered,
                missing,
            ]
        )
    for channel_id, n in sorted(unread.items(), key=lambda item: channels.get(item[0], "")):
        network_rows.append([channels.get(channel_id, "?"), "–", _("not read (yet)"), None, 0, n])
    sections.append(
        Section(
            slug="network-figures",
            title=_("What the networks report"),
            explanation=_(
                "The networks' own figures for the posts published in the period (on the day of publication), "
                "from each post's newest reading: read daily for 30 days after publication, then weekly until day "
                "90. The metric names are kept as each network gives them. “Not delivered” counts posts for which "
                "the network did not deliver the figure – that is not 0. Mastodon and Bluesky report no reach; X "
                "is read only within the configured monthly budget."
            ),
            table=Table(
                [
                    _("Channel"),
                    _("Metric (network's name)"),
                    _("Meaning"),
                    _("Sum"),
                    _("Posts with a value"),
                    _("Not delivered by the network"),
                ],
                network_rows,
                [False, False, False, True, True, True],
            ),
        )
    )

    # 10. Followers.
    followers = _followers(scope)
    first: dict[int, tuple[date, int]] = {}
    last: dict[int, tuple[date, int]] = {}
    for day, channel_id, n in followers:
        first.setdefault(channel_id, (day, n))
        last[channel_id] = (day, n)
    follower_channels = sorted(last, key=lambda c: channels.get(c, ""))
    sections.append(
        Section(
            slug="followers",
            title=_("Followers per channel"),
            explanation=_(
                "Followers of each channel, read once a day: the first and the last value the network delivered "
                "in the period and the change. A channel whose network did not deliver a value is not listed."
            ),
            chart=Chart(
                [channels.get(c, "?") for c in follower_channels],
                [(_("Followers"), [last[c][1] for c in follower_channels])],
                horizontal=True,
            ),
            table=Table(
                [_("Channel"), _("First value"), _("on"), _("Last value"), _("on"), _("Change")],
                [
                    [
                        channels.get(c, "?"),
                        first[c][1],
                        f"{first[c][0]:%d.%m.%Y}",
                        last[c][1],
                        f"{last[c][0]:%d.%m.%Y}",
                        last[c][1] - first[c][1],
                    ]
                    for c in follower_channels
                ],
                [False, True, False, True, False, True],
            ),
        )
    )
    # 11. The inbox: what citizens wrote.
    kind_names = {
        "comment": _("comments"),
        "reply": _("replies"),
        "mention": _("mentions"),
        "direct": _("direct messages"),
    }
    inbox: dict[tuple[int | None, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in by(m.INBOX_ITEMS, "department_id", "channel_id", "key"):
        inbox[(row["department_id"], row["channel_id"])][row["key"]] += row["n"]
    triage = _("triage (no department yet)")
    inbox_keys = sorted(inbox, key=lambda k: (departments.get(k[0], triage), channels.get(k[1], "")))
    per_department_items: dict[int | None, int] = defaultdict(int)
    for (department_id, _channel_id), kinds in inbox.items():
        per_department_items[department_id] += sum(kinds.values())
    item_departments = sorted(per_department_items, key=lambda d: departments.get(d, triage))
    sections.append(
        Section(
            slug="inbox-items",
            title=_("What citizens wrote (inbox)"),
            explanation=_(
                "Comments, replies, mentions and direct messages that reached the inbox, per department (the "
                "one that must answer; items not yet routed under triage) and channel, on the day they were "
                "received."
            ),
            chart=Chart(
                [departments.get(d, triage) for d in item_departments],
                [(_("Items"), [per_department_items[d] for d in item_departments])],
                horizontal=True,
            ),
            table=Table(
                [_("Department"), _("Channel"), *kind_names.values(), _("Total")],
                [
                    [departments.get(d, triage), channels.get(c, "?")]
                    + [inbox[(d, c)].get(kind, 0) for kind in kind_names]
                    + [sum(inbox[(d, c)].values())]
                    for d, c in inbox_keys
                ],
                [False, False, True, True, True, True, True],
            ),
        )
    )

    # 12. First reaction within staffed hours.
    reactions = _decision_times(scope, m.INBOX_REACTION_SECONDS)
    within: dict[int | None, list[int]] = defaultdict(lambda: [0, 0])
    for row in by(m.INBOX_WITHIN_TARGET, "department_id"):
        within[row["department_id"]][0] += row["n"]
        within[row["department_id"]][1] += row["i"]
    reaction_rows, reaction_labels, reaction_medians = [], [], []
    for (department_id, _key), (n, p50, p90) in sorted(
        reactions.items(), key=lambda item: departments.get(item[0][0], triage)
    ):
        done, total = within.get(department_id, [0, 0])
        share = round(100 * done / total, 1) if total else None
        name = departments.get(department_id, triage)
        reaction_rows.append([name, n, hours(p50), hours(p90), share])
        reaction_labels.append(name)
        reaction_medians.append(hours(p50) or 0)
    sections.append(
        Section(
            slug="inbox-reaction",
            title=_("First reaction within staffed hours"),
            explanation=_(
                "Staffed hours (office hours, without weekends and the holidays of Niedersachsen) from the "
                "arrival of an item until the department's first reaction, per department: median, 90th "
                "percentile and the share of first reactions within the department's target. Counted on the "
                "day of the reaction; items without a reaction yet are not included."
            ),
            chart=Chart(
                reaction_labels, [(_("Median (staffed hours)"), reaction_medians)], horizontal=True, unit="h"
            ),
            table=Table(
                [
                    _("Department"),
                    _("First reactions"),
                    _("Median (staffed hours)"),
                    _("90th percentile (staffed hours)"),
                    _("Within the target (%)"),
                ],
                reaction_rows,
                [False, True, True, True, True],
            ),
            note=_("The channel filter applies to the items, not to the reaction times.")
            if channel_chosen
            else "",
        )
    )

    # 13. Moderation actions per netiquette clause.
    action_keys = ("hide", "unhide", "delete", "report")
    action_names = {
        "hide": pgettext("report column", "hidden"),
        "unhide": pgettext("report column", "shown again"),
        "delete": pgettext("report column", "deleted"),
        "report": pgettext("report column", "reported"),
    }
    no_department = _("no department (triage, or the item was deleted)")

    def clause_label(clause_id: str) -> tuple[int, str]:
        found = clauses.get(int(clause_id)) if clause_id.isdigit() else None
        return (found[0], f"{found[0]}. {found[1]}") if found else (0, "?")

    moderation: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    per_clause: dict[tuple[int, str], int] = defaultdict(int)
    for row in by(m.MODERATION_ACTIONS, "department_id", "channel_id", "key"):
        action, _sep, clause_id = row["key"].partition(":")
        clause = clause_label(clause_id)  # the same number and title in two versions: one row
        moderation[(row["department_id"], row["channel_id"], clause)][action] += row["n"]
        per_clause[clause] += row["n"]
    moderation_keys = sorted(
        moderation,
        key=lambda k: (departments.get(k[0], no_department), channels.get(k[1], ""), k[2]),
    )
    clauses_sorted = sorted(per_clause, key=lambda c: (-per_clause[c], c))
    sections.append(
        Section(
            slug="moderation-actions",
            title=_("Moderation actions per netiquette clause"),
            explanation=_(
                "Citizens' items hidden, shown again, deleted or reported to the server's moderators, with the "
                "netiquette clause the moderator named, per department (of the item) and channel, on the day "
                "of the action. Only actions the network carried out are counted; refused attempts are not."
            ),
            chart=Chart(
                [label for _number, label in clauses_sorted],
                [(_("Moderation actions"), [per_clause[c] for c in clauses_sorted])],
                horizontal=True,
            ),
            table=Table(
                [
                    _("Department"),
                    _("Channel"),
                    _("Netiquette clause"),
                    *(action_names[a] for a in action_keys),
                    _("Total"),
                ],
                [
                    [departments.get(d, no_department), channels.get(c, "?"), clause[1]]
                    + [moderation[(d, c, clause)].get(a, 0) for a in action_keys]
                    + [sum(moderation[(d, c, clause)].values())]
                    for d, c, clause in moderation_keys
                ],
                [False, False, False, True, True, True, True, True],
            ),
        )
    )

    # 14. Escalations to the press office.
    press_keys = ("open", "handed_back", "answered")
    press: dict[int | None, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in by(m.PRESS_ESCALATIONS, "department_id", "channel_id", "key"):
        press[row["department_id"]][row["key"]] += row["n"]
    press_departments = sorted(press, key=lambda d: departments.get(d, triage))
    press_names = {
        "open": _("still with the press office"),
        "handed_back": _("handed back"),
        "answered": _("answered by the press office"),
    }
    sections.append(
        Section(
            slug="press-escalations",
            title=_("Escalations to the press office"),
            explanation=_(
                "Items a department passed to the press office (“An die Pressestelle”), per department, on the "
                "day they were passed on, and what became of them: answered by the press office, handed back "
                "to the department with a note, or still with the press office."
            ),
            chart=Chart(
                [departments.get(d, triage) for d in press_departments],
                [(press_names[k], [press[d].get(k, 0) for d in press_departments]) for k in press_keys],
                horizontal=True,
            ),
            table=Table(
                [_("Department"), _("Escalations"), *(press_names[k] for k in press_keys)],
                [
                    [departments.get(d, triage), sum(press[d].values())]
                    + [press[d].get(k, 0) for k in press_keys]
                    for d in press_departments
                ],
                [False, True, True, True, True],
            ),
        )
    )
    return sections
