"""Benchmark: how long the coordinator's queue page takes with many posts waiting.

Runs against a throw-away test database (``test_<name>`` of ``DATABASE_URL``, PostgreSQL when
reachable) with the test settings, fills it with posts in review in bulk, and times ``GET /approvals/``
through Django's test client (no network, no browser: server-side time only). Prints a Markdown table.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ls_bench .venv/bin/python bench/approvals_queue.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "landkreis_social.settings_test")

import django

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

SIZES = (100, 1000, 10000)
RUNS = 15


def fill(count: int, *, author, department, channels) -> None:
    from approvals.models import Review, ReviewStep
    from posts.models import Post, Revision

    now = timezone.now()
    for offset in range(0, count, 1000):
        batch = range(offset, min(offset + 1000, count))
        posts = Post.objects.bulk_create(
            [
                Post(
                    department=department,
                    author=author,
                    title=f"Beitrag {index:05d}",
                    text="Ab Montag vergibt das Gesundheitsamt neue Termine.",
                    status=Post.Status.IN_REVIEW,
                    planned_at=now + timedelta(hours=index) if index % 3 else None,
                    submitted_at=now,
                )
                for index in batch
            ]
        )
        through = Post.channels.through
        through.objects.bulk_create([through(post_id=p.pk, channel_id=c.pk) for p in posts for c in channels])
        revisions = Revision.objects.bulk_create(
            [Revision(post=p, number=1, reason="submitted", snapshot={"text": p.text}) for p in posts]
        )
        reviews = Review.objects.bulk_create(
            [
                Review(
                    post=p,
                    revision=r,
                    submitted_revision=r,
                    mode="coordinated",
                    opened_at=now - timedelta(minutes=i),
                    warning_count=i % 3,
                )
                for i, (p, r) in enumerate(zip(posts, revisions, strict=True))
            ]
        )
        ReviewStep.objects.bulk_create(
            [
                ReviewStep(review=r, position=0, kind="coordination", status="open", activated_at=r.opened_at)
                for r in reviews
            ]
        )


def measure(client: Client, url: str) -> tuple[float, float, int]:
    client.get(url)  # warm caches
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


def main() -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from channels.models import Channel, RolloutPhase
    from departments.services import department_create, membership_add

    setup_test_environment()  # allows the test client's host name, keeps e-mail in memory
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        User = get_user_model()
        department = department_create(actor=None, name="Gesundheitsamt", code="GA")
        author = User.objects.create_user("redaktion", password="x" * 12)
        membership_add(actor=None, user=author, department=department, role="editor")
        coordinator = User.objects.create_user("koordination", password="x" * 12)
        coordinator.groups.add(Group.objects.get(name="Koordination"))
        phase = RolloutPhase.objects.create(order=0, name="Phase 0", status="active")
        channels = []
        for kind in ("mastodon", "facebook", "x"):
            channel = Channel.objects.create(kind=kind, name=f"{kind} Landkreis", enabled=True)
            channel.departments.set([department])
            channels.append(channel)
        phase.channels.set(channels)
        client = Client()
        client.force_login(coordinator)

        print(
            f"Database: {connection.vendor}; {RUNS} requests per row; server-side time via the test client.\n"
        )
        print(
            "| posts waiting | queue page 1 median | p95 | queue page 1, filtered, page 3 median | queries (plain / filtered) |"
        )
        print("|---:|---:|---:|---:|---:|")
        filled = 0
        for size in SIZES:
            fill(size - filled, author=author, department=department, channels=channels)
            filled = size
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:  # what autovacuum does after a bulk load
                    cursor.execute("ANALYZE")
            median, p95, queries = measure(client, "/approvals/")
            filtered, _p95, filtered_queries = measure(
                client, f"/approvals/?department={department.pk}&channel={channels[0].pk}&q=Beitrag&page=3"
            )
            print(
                f"| {size} | {median:.0f} ms | {p95:.0f} ms | {filtered:.0f} ms | {queries} / {filtered_queries} |"
            )
    finally:
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        print("note: PostgreSQL is not reachable, measuring SQLite", file=sys.stderr)
    main()
