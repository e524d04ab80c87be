"""Benchmark: 1,000 deliveries through real Celery workers, Redis and PostgreSQL to a local fake
Mastodon, against a plain loop that calls the same adapter on the same fake server.

- Database: a throw-away test database (``test_<name>`` of ``DATABASE_URL``; PostgreSQL required),
  set up with the test settings and all migrations. Broker: ``REDIS_URL`` (a queue of its own).
- Network: ``tests/fakes/mastodon.py`` in a process of its own (real HTTP on 127.0.0.1), so that
  neither side shares the fake's interpreter; Mastodon.py talks to it, with the Idempotency-Key.
- Pipeline: N approved posts with one Mastodon delivery each (created in bulk, not timed), then
  ``celery worker`` processes are started; the clock runs from queueing the N delivery ids until
  the database says all N are ``published``. Each delivery goes the whole way: claim (with the rate
  limiter's channel lock and window count), post → publishing, adapter, outcome, audit events, post
  → published. The rate limit is raised (``LANDKREIS_RATE_LIMITS``) so that it counts but never waits.
- Plain loop: for each of N contents ``adapter_for(channel).publish(content)``, one after the other,
  in this process – what a cron script without bookkeeping would do.
- Memory: the resident set size (VmRSS) of the worker's whole process tree (main process and pool
  children, read from /proc every 50 ms); the peak is reported.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ls_bench REDIS_URL=redis://127.0.0.1:6379/6 \\
        .venv/bin/python bench/publishing_bench.py [--deliveries 1000] [--concurrency 1 4]

Prints a Markdown table (docs/publishing.md has the numbers of a run).
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "landkreis_social.settings_test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_databases, setup_test_environment, teardown_databases  # noqa: E402
from django.utils import timezone  # noqa: E402

from landkreis_social.testing import test_redis_url  # noqa: E402

RATE_LIMITS = "mastodon=1000000/300"


# --- the fake Mastodon in a process of its own ------------------------------------------------------------


def _serve_fake(conn) -> None:
    from tests.fakes.mastodon import FakeMastodon

    fake = FakeMastodon().start()
    conn.send((fake.base_url, fake.token))
    while True:
        command = conn.recv()
        if command == "count":
            conn.send((fake.created_count, len(fake.requests_to(r"/statuses$", "POST"))))
        elif command == "reset":
            fake.reset()
            fake.by_key.clear()
            conn.send(True)
        elif isinstance(command, tuple) and command[0] == "latency":
            # Every status answers this much later (a real network takes 0.1–0.5 s per post).
            with fake.lock:
                fake.programs.clear()
            if command[1]:
                fake.slow(command[1], path=r"/statuses$", times=10**9)
            conn.send(True)
        elif command == "stop":
            fake.stop()
            conn.send(True)
            return


class FakeProcess:
    def __init__(self):
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve_fake, args=(child,), daemon=True)
        self.process.start()
        self.base_url, self.token = self.conn.recv()

    def ask(self, command):
        self.conn.send(command)
        return self.conn.recv()


# --- memory of a process tree ------------------------------------------------------------------------------


def tree(pid: int) -> list[int]:
    result, todo = [], [pid]
    while todo:
        current = todo.pop()
        result.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            with contextlib.suppress(OSError):
                todo.extend(int(c) for c in (task / "children").read_text().split())
    return result


def memory_kib(pid: int, field: str = "Rss:") -> int:
    """The sum over the process tree of ``Rss:`` (pages in memory; pages the pool processes share with
    their parent after fork are counted once per process) or ``Pss:`` (shared pages divided among the
    processes sharing them: the tree's actual share of memory), from /proc/<pid>/smaps_rollup."""
    total = 0
    for member in tree(pid):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{member}/smaps_rollup").read_text().splitlines():
                if line.startswith(field):
                    total += int(line.split()[1])
    return total


class PeakMemory(threading.Thread):
    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak_rss, self.peak_pss, self.running = pid, 0, 0, True

    def run(self):
        while self.running:
            self.peak_rss = max(self.peak_rss, memory_kib(self.pid, "Rss:"))
            self.peak_pss = max(self.peak_pss, memory_kib(self.pid, "Pss:"))
            time.sleep(0.05)


# --- the runs ------------------------------------------------------------------------------------------------


def make_posts(n: int, *, channel, author, department, label: str):
    from posts.models import Post
    from publishing.delivery_services import deliveries_create_for_post
    from publishing.models import Delivery

    now = timezone.now()
    posts = Post.objects.bulk_create(
        Post(
            department=department,
            author=author,
            title=f"{label} {i}",
            text=f"{label} {i}: Das Bürgerbüro hat am Montag bis 18 Uhr geöffnet. Mehr unter https://www.lk-row.de",
            status=Post.Status.APPROVED,
            submitted_at=now,
        )
        for i in range(n)
    )
    through = Post.channels.through
    through.objects.bulk_create(through(post_id=p.pk, channel_id=channel.pk) for p in posts)
    # The delivery service (audited) – but nothing is queued yet: the workers are not running.
    from unittest import mock

    with mock.patch("publishing.delivery_services.create._enqueue_after_commit"), transaction.atomic():
        for post in posts:
            deliveries_create_for_post(actor=None, post=post)
    return list(Delivery.objects.filter(post__in=posts).values_list("pk", flat=True))


def start_worker(queue: str, broker: str, pool: str, concurrency: int, log: Path) -> subprocess.Popen:
    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "landkreis_social.settings",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker,
        "REDIS_URL": broker,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "LANDKREIS_RATE_LIMITS": RATE_LIMITS,
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "landkreis_social",
            "worker",
            "-Q",
            queue,
            f"--pool={pool}",
            f"--concurrency={concurrency}",
            "--hostname=bench@%h",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        cwd=str(ROOT),
    )
    deadline = time.monotonic() + 60
    while b" ready." not in log.read_bytes():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"worker did not start:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.1)
    return proc


def run_pipeline(ids, *, pool: str, concurrency: int, broker: str) -> dict:
    from kombu import pools

    from landkreis_social.celery import app
    from publishing import tasks
    from publishing.models import Delivery

    queue = f"bench-{uuid.uuid4().hex[:8]}"
    app.conf.broker_url = broker
    app.conf.task_default_queue = queue
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
    log = Path(settings.VAR_DIR) / f"bench-worker-{pool}-{concurrency}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    worker = start_worker(queue, broker, pool, concurrency, log)
    idle = memory_kib(worker.pid)
    memory = PeakMemory(worker.pid)
    memory.start()
    try:
        started = time.perf_counter()
        for delivery_id in ids:
            tasks.enqueue(delivery_id)
        queued = time.perf_counter() - started
        while Delivery.objects.filter(pk__in=ids, status=Delivery.Status.PUBLISHED).count() < len(ids):
            if worker.poll() is not None:
                raise SystemExit(f"worker died:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
    finally:
        memory.running = False
        memory.join()
        worker.terminate()
        worker.wait(timeout=30)
    return {
        "seconds": elapsed,
        "queued": queued,
        "peak_rss": memory.peak_rss,
        "peak_pss": memory.peak_pss,
        "idle_rss": idle,
    }


def run_plain_loop(channel, n: int) -> dict:
    from channels.adapters import adapter_for
    from channels.networks.base import PostContent

    contents = [
        PostContent(
            text=f"Schleife {i}: Das Bürgerbüro hat am Montag bis 18 Uhr geöffnet.",
            link="https://www.lk-row.de",
            idempotency_key=f"plain-{i}",
        )
        for i in range(n)
    ]
    started = time.perf_counter()
    for content in contents:
        adapter_for(channel).publish(content)
    return {"seconds": time.perf_counter() - started}


def scenario(fake, channel, admin, department, n: int, latency: float, runs, broker) -> list[tuple]:
    """The plain loop, then each pipeline run, against the fake answering after ``latency`` seconds."""
    fake.ask("reset")
    fake.ask(("latency", latency))
    plain = run_plain_loop(channel, n)
    created, requests = fake.ask("count")
    assert created == requests == n, (created, requests)
    plain_rate = n / plain["seconds"]
    rows = [("plain loop (this process, one after the other)", plain["seconds"], plain_rate, "", "", "")]
    for run in runs:
        pool, concurrency = run.split(":")
        fake.ask("reset")
        fake.ask(("latency", latency))
        ids = make_posts(n, channel=channel, author=admin, department=department, label=f"{run} {latency}")
        result = run_pipeline(ids, pool=pool, concurrency=int(concurrency), broker=broker)
        created, requests = fake.ask("count")
        assert created == requests == n, (created, requests)
        rate = n / result["seconds"]
        rows.append(
            (
                f"Celery pipeline, 1 worker, `--pool={pool} --concurrency={concurrency}`",
                result["seconds"],
                rate,
                f"{100 * rate / plain_rate:.0f} %",
                f"{result['peak_rss'] / 1024:.0f} MB",
                f"{result['peak_pss'] / 1024:.0f} MB",
            )
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--deliveries", type=int, default=1000)
    parser.add_argument(
        "--runs",
        nargs="+",
        default=["prefork:1", "prefork:4", "threads:4", "threads:8"],
        help="worker pool:concurrency per pipeline run",
    )
    parser.add_argument(
        "--latency",
        type=float,
        default=0.1,
        help="second scenario: the fake answers each post this much later (0: skip it)",
    )
    parser.add_argument("--latency-deliveries", type=int, default=200)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("PostgreSQL is needed (DATABASE_URL).")
    broker = test_redis_url()
    n = args.deliveries

    setup_test_environment()
    old = setup_databases(verbosity=0, interactive=False, keepdb=False)
    fake = FakeProcess()
    try:
        from django.contrib.auth import get_user_model

        from channels import services
        from departments.services import department_create
        from posts.models import Post

        admin = get_user_model().objects.create_user("bench-admin", is_superuser=True)
        department = department_create(actor=None, name="Gesundheitsamt", code="GA")
        channel = services.channel_create(
            actor=admin,
            kind="mastodon",
            name="Mastodon (Benchmark)",
            account="@landkreis@social.example",
            base_url=fake.base_url,
            credentials={"access_token": fake.token},
            departments=[department],
        )
        phase = services.phase_create(
            actor=admin, order=0, name="Phase 0", channels=[channel], departments=[department]
        )
        services.phase_activate(actor=admin, phase=phase)

        tables = [
            (
                f"{n} deliveries, the fake answers at once",
                scenario(fake, channel, admin, department, n, 0.0, args.runs, broker),
            )
        ]
        if args.latency:
            m = args.latency_deliveries
            tables.append(
                (
                    f"{m} deliveries, the fake answers each post after {args.latency * 1000:.0f} ms",
                    scenario(fake, channel, admin, department, m, args.latency, args.runs, broker),
                )
            )
        expected = (n + (args.latency_deliveries if args.latency else 0)) * len(args.runs)
        published = Post.objects.filter(status=Post.Status.PUBLISHED).count()
        assert published == expected, (published, expected)
    finally:
        fake.ask("stop")
        teardown_databases(old, verbosity=0)

    print(f"\nFake Mastodon (Mastodon.py over HTTP on 127.0.0.1), {os.cpu_count()} CPU cores")
    for title, rows in tables:
        print(f"\n{title}\n")
        print(
            "| run | seconds | deliveries/s | of the plain loop | worker peak RSS (tree) | worker peak PSS (tree) |"
        )
        print("|---|---:|---:|---:|---:|---:|")
        for name, seconds, rate, share, rss, pss in rows:
            print(f"| {name} | {seconds:.1f} | {rate:.0f} | {share} | {rss} | {pss} |")


if __name__ == "__main__":
    main()
