"""Benchmark: /reports/ for a year at 100 and at 100,000 posts (with 1,000,000 network snapshots), the
rollups that feed it, and one monthly committee PDF.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lk_reports REDIS_URL=redis://127.0.0.1:6379/6 \\
        .venv/bin/python bench/reports_bench.py          # --sizes 100 100000 --snapshots 1000000 --runs 15

For each size it creates a database of its own (``<name>_reports_<size>``, dropped afterwards unless
``--keep``), migrates it and fills it with ``manage.py seed_scale`` (40 departments, 400 staff, twelve
months back): posts, reviews with their decisions, deliveries and attempts. Network snapshots are
written with ``COPY`` – ``--snapshots`` at the largest size, the same share per published delivery at the
smaller ones – with one follower reading per channel and day. Then it measures:

- the **first rollup** (no watermark: every day since the oldest event) and an **incremental run** after
  a day of new decisions and readings (what beat does every five minutes);
- **/reports/** for the last twelve months as Koordination (all departments) and as a department head
  (one department), in this process through Django's test client – the whole request with middleware,
  view, templates and database. Sizes are measured interleaved (each round times every page at every
  size in turn) so that load from other processes on the shared machine falls on all alike. Median and
  95th percentile, and the number of SQL queries;
- one **monthly PDF** for the county (last month) at the largest size: rendering, storing, audit event.

Target (issue 19): the page at 100,000 posts at most 2× its time at 100 posts, queries the same.
Prints Markdown and, unless ``--no-docs``, writes it between the ``bench:reports`` markers of
``docs/benchmarks.md``. Not a test: the numbers depend on the machine (which is printed with them).
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import platform
import random
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "landkreis_social.settings_test")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

DOCS = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- bench:reports:start -->", "<!-- bench:reports:end -->"
PREFIX = "b"
DEPARTMENTS, STAFF = 40, 400


@dataclass
class Prepared:
    size: int
    name: str
    clients: dict
    url: str
    snapshots: int
    seed_seconds: float
    snapshot_seconds: float
    rollup_seconds: float
    rollup_days: int
    incremental_seconds: float = 0.0
    incremental_days: int = 0
    rollup_rows: int = 0


def use_database(name: str) -> None:
    connection.close()
    connection.settings_dict["NAME"] = name


def admin_connection():
    import psycopg

    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"] or "postgres",
        password=db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


def write_snapshots(total: int, rng: random.Random) -> int:
    """About ``total`` snapshots spread over the published deliveries (daily in the first 30 days after
    publication, weekly to day 90, as reports.network reads them), with COPY; and one follower reading per
    channel and day of the year."""
    from channels.models import Channel
    from publishing.models import Delivery
    from reports.metrics import local_day

    deliveries = list(
        Delivery.objects.exclude(published_at=None).values_list(
            "id", "channel_id", "published_at", "channel__kind"
        )
    )
    if not deliveries:
        return 0
    ages = list(range(31)) + list(range(37, 91, 7))  # 39 readings at most per delivery
    # A tenth more than the even share: readings that would lie in the future are left out.
    per_delivery = max(1, min(len(ages), math.ceil(total * 1.1 / len(deliveries))))
    names = {
        "mastodon": ("replies_count", "reblogs_count", "favourites_count", "quotes_count"),
        "bluesky": ("likeCount", "repostCount", "replyCount", "quoteCount"),
        "facebook": ("post_media_view", "post_total_media_view_unique", "post_clicks"),
        "instagram": ("views", "reach", "likes", "comments", "shares", "saved"),
        "x": ("impression_count", "like_count", "retweet_count", "reply_count"),
    }
    today = local_day(timezone.now())
    written = 0
    with connection.cursor() as cursor:
        copy_sql = (
            "COPY reports_metricsnapshot (delivery_id, channel_id, day, taken_at, age_days, values, missing, "
            "mapping_version) FROM STDIN"
        )
        with cursor.cursor.copy(copy_sql) as copy:
            for delivery_id, channel_id, published_at, kind in deliveries:
                metric_names = names.get(kind, ("replies_count",))
                published = local_day(published_at)
                for age in ages[:per_delivery]:
                    day = published + timedelta(days=age)
                    if day > today or written >= total:
                        break
                    values = {n: rng.randrange(0, 50 * (age + 1)) for n in metric_names[:-1]}
                    missing = [metric_names[-1]] if rng.random() < 0.3 else []
                    if not missing:
                        values[metric_names[-1]] = rng.randrange(0, 20)
                    moment = datetime.combine(
                        day, datetime.min.time(), tzinfo=timezone.get_current_timezone()
                    )
                    copy.write_row(
                        (
                            delivery_id,
                            channel_id,
                            day,
                            moment + timedelta(hours=3),
                            age,
                            json.dumps(values),
                            json.dumps(missing),
                            "1",
                        )
                    )
                    written += 1
        channel_ids = list(Channel.objects.values_list("id", flat=True))
        with cursor.cursor.copy(
            "COPY reports_followersnapshot (channel_id, day, taken_at, followers, mapping_version) FROM STDIN"
        ) as copy:
            for channel_id in channel_ids:
                followers = rng.randrange(500, 5000)
                for back in range(365, -1, -1):
                    day = today - timedelta(days=back)
                    followers += rng.randrange(-3, 12)
                    moment = datetime.combine(
                        day, datetime.min.time(), tzinfo=timezone.get_current_timezone()
                    )
                    copy.write_row((channel_id, day, moment + timedelta(hours=2), followers, "1"))
    return written


def prepare(size: int, base: str, snapshots: int, largest: int) -> Prepared:
    from departments.models import Membership
    from reports.models import DailyFigure
    from reports.rollup import rollup_changed

    name = f"{base}_reports_{size}"
    with admin_connection() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    use_database(name)
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command(
        "seed_scale",
        posts=size,
        departments=DEPARTMENTS,
        users=STAFF,
        months=12,
        prefix=PREFIX,
        force=True,
        stdout=io.StringIO(),
    )
    seed_seconds = time.perf_counter() - started
    started = time.perf_counter()
    share = round(snapshots * size / largest)
    written = write_snapshots(share, random.Random(size))
    snapshot_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    started = time.perf_counter()
    days = rollup_changed()
    rollup_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE reports_dailyfigure")
    from django.contrib.auth import get_user_model

    coordinator = get_user_model().objects.get(username=f"{PREFIX}-koordination")
    head = (
        Membership.objects.filter(role="head", department__code=f"{PREFIX}-001")
        .select_related("user")
        .first()
        .user
    )
    clients = {"Koordination": Client(), "Fachbereichsleitung": Client()}
    clients["Koordination"].force_login(coordinator)
    clients["Fachbereichsleitung"].force_login(head)
    today = timezone.localdate()
    url = f"/reports/?start={(today - timedelta(days=365)).isoformat()}&end={today.isoformat()}"
    prepared = Prepared(
        size, name, clients, url, written, seed_seconds, snapshot_seconds, rollup_seconds, len(days)
    )
    prepared.rollup_rows = DailyFigure.objects.count()
    print(
        f"  {size} posts: seeded {seed_seconds:.1f} s, {written} snapshots {snapshot_seconds:.1f} s, "
        f"first rollup {rollup_seconds:.1f} s ({len(days)} days, {prepared.rollup_rows} rows)",
        file=sys.stderr,
    )
    return prepared


def incremental(prepared: Prepared) -> None:
    """A day's worth of new events after the first rollup, then one beat run."""
    from approvals.models import Review
    from reports.models import MetricSnapshot
    from reports.rollup import rollup_changed

    use_database(prepared.name)
    now = timezone.now()
    # Decisions and readings "now": 1 % of the reviews, the readings of 0.3 % of the snapshots' deliveries.
    ids = list(
        Review.objects.exclude(finished_at=None).values_list("id", flat=True)[: max(1, prepared.size // 100)]
    )
    Review.objects.filter(id__in=ids).update(finished_at=now)
    snaps = list(MetricSnapshot.objects.values_list("id", flat=True)[: max(1, prepared.snapshots // 300)])
    MetricSnapshot.objects.filter(id__in=snaps).update(taken_at=now)
    started = time.perf_counter()
    days = rollup_changed(now=now + timedelta(seconds=1))
    prepared.incremental_seconds = time.perf_counter() - started
    prepared.incremental_days = len(days)


def timed_get(client, url) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    return elapsed * 1000


def measure(prepared: list[Prepared], runs: int) -> dict[tuple[int, str], dict]:
    results: dict[tuple[int, str], dict] = {}
    for item in prepared:
        use_database(item.name)
        for who, client in item.clients.items():
            client.get(item.url)  # warm: sessions, content types, templates
            with CaptureQueriesContext(connection) as queries:
                client.get(item.url)
            results[(item.size, who)] = {"queries": len(queries.captured_queries), "times": []}
    for _round in range(runs):
        for item in prepared:
            use_database(item.name)
            for who, client in item.clients.items():
                results[(item.size, who)]["times"].append(timed_get(client, item.url))
    return results


def monthly_pdf(item: Prepared) -> tuple[float, int, int]:
    from reports.calendar import previous_month
    from reports.services import committee_report_create_monthly

    use_database(item.name)
    start, end = previous_month(timezone.localdate())
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        report, _created = committee_report_create_monthly(actor=None, period_start=start, period_end=end)
        seconds = time.perf_counter() - started
    return seconds * 1000, report.size, len(queries.captured_queries)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def machine() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    load = os.getloadavg()
    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"PostgreSQL {version}; load average at the end {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}"
    )


def report(prepared: list[Prepared], results, runs: int, pdf: tuple[float, int, int], where: str) -> str:
    smallest = prepared[0].size
    lines = [
        f"Measured {timezone.localtime():%Y-%m-%d %H:%M} on {where}. `bench/reports_bench.py`, {runs} rounds, "
        "server time through Django's test client (median / 95th percentile), /reports/ for the last twelve months.",
        "",
        "| posts | snapshots | seeding | first rollup (days, rows) | incremental rollup (days) |",
        "|---:|---:|---:|---:|---:|",
    ]
    for item in prepared:
        lines.append(
            f"| {item.size:,} | {item.snapshots:,} | {item.seed_seconds:.1f} s + {item.snapshot_seconds:.1f} s | "
            f"{item.rollup_seconds:.1f} s ({item.rollup_days}, {item.rollup_rows:,}) | "
            f"{item.incremental_seconds * 1000:.0f} ms ({item.incremental_days}) |"
        )
    lines += [
        "",
        "| page | who | posts | median | p95 | queries | vs. 100 posts |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for who in ("Koordination", "Fachbereichsleitung"):
        base = statistics.median(results[(smallest, who)]["times"])
        for item in prepared:
            found = results[(item.size, who)]
            median = statistics.median(found["times"])
            ratio = median / base
            verdict = (
                "–" if item.size == smallest else f"{ratio:.2f}× ({'meets' if ratio <= 2 else 'misses'} ≤ 2×)"
            )
            lines.append(
                f"| /reports/ | {who} | {item.size:,} | {median:.0f} ms | {p95(found['times']):.0f} ms | "
                f"{found['queries']} | {verdict} |"
            )
    milliseconds, size, queries = pdf
    lines += [
        "",
        f"Monthly committee PDF (all departments, last month) at {prepared[-1].size:,} posts: "
        f"{milliseconds:.0f} ms to render, store and record it, {size / 1024:.0f} KiB, {queries} queries.",
    ]
    return "\n".join(lines)


def write_docs(text: str) -> None:
    body = DOCS.read_text() if DOCS.exists() else f"# Benchmarks\n\n{START}\n{END}\n"
    if START not in body:
        body += f"\n## Reports (issue 19)\n\n{START}\n{END}\n"
    before, rest = body.split(START, 1)
    _old, after = rest.split(END, 1)
    DOCS.write_text(f"{before}{START}\n{text}\n{END}{after}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 100_000])
    parser.add_argument(
        "--snapshots", type=int, default=1_000_000, help="network snapshots at the largest size"
    )
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--no-docs", action="store_true", help="print only; leave docs/benchmarks.md alone")
    parser.add_argument("--keep", action="store_true", help="keep the databases <name>_reports_<size>")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("reports_bench needs PostgreSQL (DATABASE_URL)")
    setup_test_environment()
    base = connection.settings_dict["NAME"]
    sizes = sorted(args.sizes)
    prepared: list[Prepared] = []
    try:
        for size in sizes:
            print(f"size {size}:", file=sys.stderr)
            prepared.append(prepare(size, base, args.snapshots, sizes[-1]))
        for item in prepared:
            incremental(item)
        print(f"measuring, {args.runs} rounds …", file=sys.stderr)
        results = measure(prepared, args.runs)
        pdf = monthly_pdf(prepared[-1])
        where = machine()
    finally:
        connection.close()
        if not args.keep:
            with admin_connection() as admin:
                for item in prepared:
                    admin.execute(f'DROP DATABASE IF EXISTS "{item.name}" WITH (FORCE)')
    text = report(prepared, results, args.runs, pdf, where)
    print(text)
    if not args.no_docs:
        write_docs(text)
        print(f"\nwritten to {DOCS.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
