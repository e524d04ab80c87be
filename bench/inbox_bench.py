"""Benchmark of the inbox (issue 15):

1. Ingest: 10,000 citizens' mentions from the fake Mastodon server (real HTTP on 127.0.0.1, Mastodon.py,
   pages of 40) through ``inbox.fetching.fetch_channel`` – the path the beat task takes: items per
   second and database queries per item.
2. ``/inbox/`` at 100 and 100,000 items: page 1 for Koordination (all items) and for an editor (one
   department), median and p95 of server-side time through the test client, and the query count
   (which must not grow with the data).

Runs on a throw-away test database (``test_<name>`` of ``DATABASE_URL``); prints Markdown tables.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lk_bench .venv/bin/python bench/inbox_bench.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "landkreis_social.settings_test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_databases,
    setup_test_environment,
    teardown_databases,
)
from django.utils import timezone  # noqa: E402

INGEST = int(os.environ.get("INGEST", 10_000))
SIZES = tuple(int(n) for n in os.environ.get("SIZES", "100,100000").split(",") if n)
RUNS = 21


def world():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from channels import services as channel_services
    from departments.services import department_create, membership_add

    User = get_user_model()
    admin = User.objects.create_user("admin", password="x" * 12, is_superuser=True, is_staff=True)
    departments = [
        department_create(actor=None, name=f"Fachbereich {n:02d}", code=f"FB{n:02d}") for n in range(20)
    ]
    editor = User.objects.create_user("redaktion", password="x" * 12)
    membership_add(actor=None, user=editor, department=departments[0], role="editor")
    coordinator = User.objects.create_user("koordination", password="x" * 12)
    coordinator.groups.add(Group.objects.get(name="Koordination"))
    return admin, departments, editor, coordinator, channel_services


def ingest(admin, departments, channel_services) -> tuple[float, float, int]:
    from inbox import fetching
    from inbox.models import ChannelInbox, InboxItem
    from tests.fakes.mastodon import FakeMastodonInbox

    fake = FakeMastodonInbox().start()
    try:
        for number in range(INGEST):
            fake.citizen_writes(
                f"<p>Frage Nummer {number} an den Landkreis</p>", acct=f"buerger{number % 500}"
            )
        channel = channel_services.channel_create(
            actor=admin, name="Mastodon Landkreis", departments=departments[:1], **fake.channel_kwargs()
        )
        phase = channel_services.phase_create(
            actor=admin, order=0, name="Phase 0", channels=[channel], departments=departments[:1]
        )
        channel_services.phase_activate(actor=admin, phase=phase)
        settings.INBOX_MAX_PAGES_PER_RUN = 1000
        settings.PUBLISHING_RATE_LIMITS = {}
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            while InboxItem.objects.count() < INGEST:
                ChannelInbox.objects.filter(channel=channel).update(
                    next_fetch_at=None, window_started_at=None, window_reads=0
                )
                result = fetching.fetch_channel(channel.pk)
                assert result.status in ("ok", "window"), result
        seconds = time.perf_counter() - started
        count = InboxItem.objects.count()
        assert count == INGEST, count
        return INGEST / seconds, len(queries.captured_queries) / INGEST, len(fake.requests)
    finally:
        fake.stop()


def fill(count: int, departments) -> None:
    from channels.models import Channel
    from inbox.models import InboxItem

    channel = Channel.objects.get(kind="mastodon")
    now = timezone.now()
    kinds = ("comment", "reply", "mention", "direct")
    start = InboxItem.objects.count()
    for offset in range(0, count, 5000):
        rows = []
        for index in range(start + offset, start + min(offset + 5000, count)):
            closed = index % 4 == 0
            rows.append(
                InboxItem(
                    channel=channel,
                    network_id=f"bulk-{index}",
                    kind=kinds[index % 4],
                    state="done" if closed else ("in_progress" if index % 4 == 1 else "new"),
                    is_open=not closed,
                    closed_at=now if closed else None,
                    text=f"Bürgerfrage {index}: Wann hat das Bürgerbüro geöffnet?",
                    author_handle=f"@buerger{index % 997}",
                    author_name=f"Bürger {index % 997}",
                    received_at=now - timedelta(minutes=index % 10000),
                    conversation_key=f"item:bulk-{index}",
                    department=departments[index % len(departments)] if index % 10 else None,
                    due_at=now + timedelta(minutes=(index * 37) % 5000 - 1000),
                    remind_at=now + timedelta(minutes=(index * 37) % 5000 - 1060),
                    clock_starts_at=now,
                )
            )
        InboxItem.objects.bulk_create(rows)


def measure(client: Client, url: str) -> tuple[float, float, int]:
    client.get(url)
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1], len(queries.captured_queries)


def explain(client: Client, url: str) -> None:
    """The plan of the page's slowest query (EXPLAIN=1): where an index is missing."""
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    slowest = max(queries.captured_queries, key=lambda q: float(q["time"]))
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN ANALYZE " + slowest["sql"])
        print(
            f"\n{url} ({slowest['time']} s):\n" + "\n".join(row[0] for row in cursor.fetchall()),
            file=sys.stderr,
        )


def main() -> None:
    from inbox.models import InboxItem

    setup_test_environment()
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        admin, departments, editor, coordinator, channel_services = world()
        rate, per_item, requests = ingest(admin, departments, channel_services)
        print(f"Database: {connection.vendor}.\n")
        print("| ingest | items | items/s | queries per item | HTTP requests to the fake |")
        print("|---|---:|---:|---:|---:|")
        print(
            f"| Mastodon fake, pages of 40, fetch_channel | {INGEST:,} | {rate:,.0f} | {per_item:.2f} | {requests:,} |"
        )
        InboxItem.objects.all().delete()

        coordinator_client, editor_client = Client(), Client()
        coordinator_client.force_login(coordinator)
        editor_client.force_login(editor)
        print(f"\n| items | page | median | p95 | queries |  ({RUNS} requests per row, server-side time)")
        print("|---:|---|---:|---:|---:|")
        filled = 0
        for size in SIZES:
            fill(size - filled, departments)
            filled = size
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("VACUUM ANALYZE")
            for label, client, url in (
                ("/inbox/ Koordination", coordinator_client, "/inbox/"),
                ("/inbox/ Redaktion (one department)", editor_client, "/inbox/"),
                ("/inbox/?overdue=on Koordination", coordinator_client, "/inbox/?overdue=on"),
                ("/inbox/?department=triage", coordinator_client, "/inbox/?department=triage"),
            ):
                median, p95, queries = measure(client, url)
                if os.environ.get("EXPLAIN") and size == SIZES[-1]:
                    explain(client, url)
                print(f"| {size:,} | {label} | {median:.1f} ms | {p95:.1f} ms | {queries} |")
    finally:
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        print("note: PostgreSQL is not reachable, measuring SQLite", file=sys.stderr)
    main()
