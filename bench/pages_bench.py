"""Benchmark: the busy pages at 100 and at 100,000 posts, the live check, and the processes' memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ls_bench REDIS_URL=redis://127.0.0.1:6379/8 \\
        .venv/bin/python bench/pages_bench.py            # --sizes 100 100000 --runs 25 --no-docs

For each size it creates a database of its own (``<name>_<size>``, ``<name>`` from ``DATABASE_URL``;
dropped afterwards unless ``--keep``), migrates it, fills it with ``manage.py seed_scale`` (40
departments, 400 staff), runs ``VACUUM ANALYZE`` (what autovacuum does soon after a bulk load) and adds
one post written and submitted through the real services, planned two hours ahead (so its review page
has a real audit timeline and etiquette findings, and today's calendar is never empty). Then it measures:

- **server time**, in this process through Django's test client: the whole request through every
  middleware, the view, the templates and the database, without a network or browser. The sizes are
  measured **interleaved** – each of ``--runs`` rounds times every page once at every size, in turn –
  so that load from other processes on a shared machine falls on all sizes alike. Median and 95th
  percentile per page and size, and the number of SQL queries;
- the same pages through **gunicorn over HTTP** (2 sync workers, production settings, Redis cache;
  median wall time seen by the client) at the largest size, and the **resident memory** (RSS) of the
  gunicorn master and workers after that, and of a Celery worker (prefork, 2 children) after it ran
  tasks.

The floor is a bare login-protected page (``/accounts/password/done/``: session, user, navigation,
base template, nothing else). Targets (issue 9): queries the same at both sizes; the median at 100,000
posts at most 2× the median at 100 and at most 5× the floor; the live check's p95 ≤ 50 ms.

Prints Markdown and, unless ``--no-docs``, writes it between the ``bench:pages`` markers of
``docs/benchmarks.md``. Not a test: the numbers depend on the machine (which is printed with them).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "landkreis_social.settings_test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

DOCS = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- bench:pages:start -->", "<!-- bench:pages:end -->"
PREFIX = "b"
DEPARTMENTS, STAFF = 40, 400
LIVE_CHECK_TEXT = (
    "Ab Montag vergibt das Gesundheitsamt neue Termine für die Grippe-Impfung im Kreishaus Rotenburg. "
    "Termine gibt es online oder telefonisch. Bitte bringen Sie Ihren Impfpass mit!! "
    "Alle Infos: https://www.lk-row.de/impfen #ImpfenSchützt #impfzentrumrotenburg"
)


@dataclass
class Result:
    page: str
    who: str
    url: str
    size: int
    queries: int
    median: float
    p95: float
    timings: list[float] = field(default_factory=list, repr=False)


@dataclass
class Probe:
    """The users and objects the pages are measured with."""

    coordinator: object
    editor: object
    post_id: int
    channel_ids: list[int]
    department_id: int
    # Everybody a page is measured as, by the name the page list uses (editor, head, coordinator …).
    users: dict = field(default_factory=dict)


# --- the data ------------------------------------------------------------------------------------------


def seed(size: int) -> Probe:
    from django.contrib.auth import get_user_model

    from channels.selectors import channels_for_department
    from departments.models import Membership
    from etiquette.services import guide_acknowledge, guide_version_create, guide_version_publish
    from posts.services import post_create, post_submit

    started = time.perf_counter()
    call_command(
        "seed_scale",
        posts=size,
        departments=DEPARTMENTS,
        users=STAFF,
        prefix=PREFIX,
        force=True,
        stdout=open(os.devnull, "w"),  # noqa: SIM115 - closed with the process
    )
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")  # what autovacuum does soon after a bulk load
    User = get_user_model()
    coordinator = User.objects.get(username=f"{PREFIX}-koordination")
    admin = User.objects.get(username=f"{PREFIX}-admin")
    # An editor (not a head) of the first department, and that department's live channels.
    membership = (
        Membership.objects.filter(role="editor", department__code=f"{PREFIX}-001")
        .select_related("user", "department")
        .order_by("user__username")
        .first()
    )
    editor, department = membership.user, membership.department
    version = guide_version_create(actor=admin, major=1, body="# Etikette\n\nSachlich bleiben.")
    guide_acknowledge(actor=editor, version=guide_version_publish(actor=admin, version=version))
    channels = list(channels_for_department(department).filter(kind__in=["facebook", "mastodon", "sandbox"]))
    post = post_create(
        actor=editor,
        department=department,
        title="Impftermine im Dezember (Messpunkt)",
        text=LIVE_CHECK_TEXT,
        channels=channels,
        planned_at=timezone.now() + timedelta(hours=2),
    )
    post_submit(actor=editor, post=post)
    head = (
        Membership.objects.filter(role="head", department=department)
        .select_related("user")
        .order_by("pk")
        .first()
    ).user
    press = User.objects.get(username=f"{PREFIX}-presse")
    print(f"  seeded {size} posts in {seconds:.1f} s", file=sys.stderr)
    users = {"coordinator": coordinator, "editor": editor, "head": head, "press": press, "admin": admin}
    return Probe(coordinator, editor, post.pk, [c.pk for c in channels], department.pk, users)


def pages(probe: Probe) -> list[tuple[str, str, str]]:
    """(page, who, url) in the order of the table."""
    today = timezone.localdate().isoformat()
    return [
        ("floor: bare login-protected page", "coordinator", "/accounts/password/done/"),
        ("approval queue", "coordinator", "/approvals/"),
        ("post list, all departments", "coordinator", "/posts/"),
        ("post list, search", "coordinator", "/posts/?q=Impftermine"),
        ("post list, own departments", "editor", "/posts/"),
        ("calendar, month", "coordinator", f"/posts/calendar/?date={today}"),
        ("calendar, week", "coordinator", f"/posts/calendar/?view=week&date={today}"),
        ("calendar, month, own departments", "editor", f"/posts/calendar/?date={today}"),
        ("review page", "coordinator", f"/approvals/posts/{probe.post_id}/"),
        ("deliveries", "coordinator", "/publishing/deliveries/"),
        ("deliveries, problems", "coordinator", "/publishing/deliveries/?status=problems"),
        ("post detail", "editor", f"/posts/{probe.post_id}/"),
        ("start page, Redaktion", "editor", "/"),
        ("start page, Fachbereichsleitung", "head", "/"),
        ("start page, Koordination", "coordinator", "/"),
        ("start page, Pressestelle", "press", "/"),
        ("start page, Administration", "admin", "/"),
    ]


# --- in-process measurements ---------------------------------------------------------------------------


@dataclass
class Prepared:
    """One database of one size, with the logged-in clients and the pages to measure."""

    size: int
    name: str
    probe: Probe
    clients: dict[str, Client]
    requests: list[tuple[str, str, str, str, dict]]  # page, who, method, url, data


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


def prepare(size: int, base: str) -> Prepared:
    """A fresh database ``<name>_<size>``: migrated, seeded, clients logged in."""
    name = f"{base}_{size}"
    with admin_connection() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    use_database(name)
    call_command("migrate", verbosity=0)
    probe = seed(size)
    clients = {}
    for who, user in probe.users.items():
        clients[who] = Client()
        clients[who].force_login(user)
    requests = [(page, who, "get", url, {}) for page, who, url in pages(probe)]
    live = {
        "text": LIVE_CHECK_TEXT,
        "channels": [str(pk) for pk in probe.channel_ids],
        "department": str(probe.department_id),
    }
    requests += [
        (
            "live check /etiquette/check/ (htmx)",
            "editor",
            "post",
            "/etiquette/check/",
            {"text": LIVE_CHECK_TEXT, "channels": ["x", "mastodon", "facebook"]},
        ),
        ("editor live panel /posts/check/ (htmx)", "editor", "post", "/posts/check/", live),
    ]
    return Prepared(size, name, probe, clients, requests)


def send(prepared: Prepared, who: str, method: str, url: str, data: dict):
    response = (
        getattr(prepared.clients[who], method)(url, data, HTTP_HX_REQUEST="true")
        if method == "post"
        else (prepared.clients[who].get(url))
    )
    assert response.status_code == 200, (prepared.size, url, response.status_code)
    return response


def measure_interleaved(prepared: list[Prepared], runs: int) -> dict[int, list[Result]]:
    """Query counts once; then ``runs`` rounds, each visiting every size in turn and timing every page
    once, so that a burst of load from other processes on the shared machine hits all sizes alike. The
    live checks get four times as many samples (their p95 is a target)."""
    counts: dict[tuple[int, int], int] = {}
    timings: dict[tuple[int, int], list[float]] = {}
    for item in prepared:
        use_database(item.name)
        for index, (_page, who, method, url, data) in enumerate(item.requests):
            send(item, who, method, url, data)  # warm-up: templates, caches, the connection
            with CaptureQueriesContext(connection) as queries:
                send(item, who, method, url, data)
            counts[item.size, index] = len(queries.captured_queries)  # before the next request clears it
            timings[item.size, index] = []
    for round_number in range(runs):
        order = prepared if round_number % 2 == 0 else list(reversed(prepared))
        for item in order:
            use_database(item.name)
            send(item, "coordinator", "get", "/accounts/password/done/", {})  # connect before timing
            for index, (_page, who, method, url, data) in enumerate(item.requests):
                repeat = 4 if method == "post" else 1
                for _ in range(repeat):
                    start = time.perf_counter()
                    send(item, who, method, url, data)
                    timings[item.size, index].append((time.perf_counter() - start) * 1000)
    results: dict[int, list[Result]] = {}
    for item in prepared:
        results[item.size] = [
            Result(
                page,
                who,
                url,
                item.size,
                counts[item.size, index],
                statistics.median(timings[item.size, index]),
                p95(timings[item.size, index]),
                timings[item.size, index],
            )
            for index, (page, who, _method, url, _data) in enumerate(item.requests)
        ]
    return results


def p95(timings: list[float]) -> float:
    ordered = sorted(timings)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


# --- real processes: gunicorn over HTTP, memory ----------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The fields after the command name (which may contain spaces) start with the state.
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)


def process_env(tmp: Path) -> dict[str, str]:
    db = connection.settings_dict
    url = (
        f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "landkreis_social.settings",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": url,
        "LANDKREIS_2FA_REQUIRED": "false",
        "DJANGO_HTTPS": "false",
        "DJANGO_STATIC_ROOT": str(tmp / "static"),
        "LANDKREIS_VAR_DIR": str(tmp / "var"),
        "DJANGO_LOG_LEVEL": "WARNING",
    }


def gunicorn_and_memory(probe: Probe, runs: int, size: int) -> tuple[list[Result], dict[str, str]]:
    import requests

    from landkreis_social.testing import redis_reachable, test_redis_url

    tmp = Path(tempfile.mkdtemp(prefix="ls-bench-"))
    env = process_env(tmp)
    if redis_reachable(test_redis_url()):
        env["REDIS_URL"] = env["CELERY_BROKER_URL"] = test_redis_url()
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], env=env, cwd=ROOT, check=True
    )
    port = free_port()
    log = (tmp / "gunicorn.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "landkreis_social.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    results, memory = [], {}
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(base + "/health/", timeout=5)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError((tmp / "gunicorn.log").read_text()[-3000:]) from None
                time.sleep(0.2)
        sessions = {}
        for who, user in probe.users.items():
            client = Client()
            client.force_login(user)  # a real session row; gunicorn reads the same database
            session = requests.Session()
            session.cookies.set(
                settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value
            )
            sessions[who] = session
        for page, who, url in pages(probe):
            session = sessions[who]
            response = session.get(base + url, allow_redirects=False, timeout=30)
            assert response.status_code == 200, (url, response.status_code, response.text[:500])
            timings = []
            for _ in range(runs):
                start = time.perf_counter()
                response = session.get(base + url, allow_redirects=False, timeout=30)
                timings.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, (url, response.status_code)
            results.append(Result(page, who, url, size, 0, statistics.median(timings), p95(timings), timings))
        workers = children(server.pid)
        memory["gunicorn master"] = f"{rss_kib(server.pid) / 1024:.0f} MiB"
        memory["gunicorn worker (each, after the pages above)"] = " / ".join(
            f"{rss_kib(pid) / 1024:.0f} MiB" for pid in workers
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    memory.update(celery_memory(env, tmp))
    shutil.rmtree(tmp, ignore_errors=True)
    return results, memory


def celery_memory(env: dict[str, str], tmp: Path) -> dict[str, str]:
    """Start a Celery worker (prefork, 2 children), let it run heartbeat tasks, read its memory."""
    if "CELERY_BROKER_URL" not in env:
        return {"celery worker": "not measured (no Redis at REDIS_URL)"}
    from celery import Celery

    queue = f"bench-{uuid.uuid4().hex[:8]}"
    log = (tmp / "worker.log").open("wb")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "landkreis_social",
            "worker",
            "-Q",
            queue,
            "--concurrency=2",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
        ],
        env={**env, "CELERY_TASK_DEFAULT_QUEUE": queue},
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while b" ready." not in (tmp / "worker.log").read_bytes():
            if time.monotonic() > deadline or worker.poll() is not None:
                raise RuntimeError((tmp / "worker.log").read_text()[-3000:])
            time.sleep(0.2)
        app = Celery("bench", broker=env["CELERY_BROKER_URL"])  # only sends; the worker has the tasks
        for number in range(20):
            app.send_task("landkreis_social.tasks.heartbeat", args=[f"bench-{number}"], queue=queue)
        deadline = time.monotonic() + 60
        while (tmp / "worker.log").read_bytes().count(b"succeeded") < 20:
            if time.monotonic() > deadline:
                raise RuntimeError((tmp / "worker.log").read_text()[-3000:])
            time.sleep(0.2)
        pool = children(worker.pid)
        return {
            "celery worker main process": f"{rss_kib(worker.pid) / 1024:.0f} MiB",
            "celery pool process (each, after 20 tasks)": " / ".join(
                f"{rss_kib(pid) / 1024:.0f} MiB" for pid in pool
            ),
        }
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()


# --- the report ------------------------------------------------------------------------------------------


def database_version() -> str:
    """Asked while the benchmark database exists."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        return cursor.fetchone()[0].split(",")[0]


def machine(database: str) -> str:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        match = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        cpu = match.group(1).strip() if match else cpu
    return f"{cpu}, {os.cpu_count()} cores (shared); Python {platform.python_version()}; {database}"


def verdicts(row: list[Result], floor: Result) -> str:
    """Against the targets (smallest vs largest size, and the floor); with a middle size also the ratio
    to it – the pages are full (25 rows, full calendar days) from there on, at 100 posts often not."""
    small, large = row[0], row[-1]
    notes = []
    if any(r.queries != small.queries for r in row):
        notes.append("queries " + " → ".join(str(r.queries) for r in row))
    if large.median > 2 * small.median:
        notes.append(f"{large.median / small.median:.1f}× the small size (target ≤ 2×)")
    if large.median > 5 * floor.median:
        notes.append(f"{large.median / floor.median:.1f}× the floor (target ≤ 5×)")
    verdict = "meets targets" if not notes else "MISSES: " + "; ".join(notes)
    if len(row) > 2:
        verdict += f" ({large.median / row[-2].median:.1f}× the {row[-2].size:,} size)"
    return verdict


def report(
    by_size: dict[int, list[Result]], http: list[Result], memory: dict[str, str], runs: int, database: str
) -> str:
    sizes = sorted(by_size)
    large = sizes[-1]
    lines = [
        f"Measured {datetime.now():%Y-%m-%d} on {machine(database)}.",
        f"Server time in-process (Django test client, production middleware): {runs} interleaved rounds, "
        f"each timing every page once at every size (the live checks {4 * runs} times) after a warm-up. "
        f"Data: `seed_scale` with {DEPARTMENTS} departments and {STAFF} staff, then `VACUUM ANALYZE`. "
        f"Load average while measuring: {os.getloadavg()[0]:.1f} (other work on the machine).",
        "",
        "| page | as | "
        + " | ".join(f"queries @ {s:,}" for s in sizes)
        + " | "
        + " | ".join(f"median @ {s:,}" for s in sizes)
        + f" | p95 @ {large:,} | verdict |",
        "|---|---|" + "---:|" * (2 * len(sizes) + 1) + "---|",
    ]
    floor = {s: by_size[s][0] for s in sizes}
    for index, result in enumerate(by_size[large]):
        row = [by_size[s][index] for s in sizes]
        if index == 0:
            verdict = "(the floor)"
        elif result.url.endswith("check/"):
            verdict = (
                "meets target" if result.p95 <= 50 else f"MISSES: p95 {result.p95:.0f} ms (target ≤ 50 ms)"
            )
            if row[0].queries != result.queries:
                verdict += f"; queries {row[0].queries} → {result.queries}"
        else:
            verdict = verdicts(row, floor[large])
        lines.append(
            f"| {result.page} | {result.who} | "
            + " | ".join(str(r.queries) for r in row)
            + " | "
            + " | ".join(f"{r.median:.1f} ms" for r in row)
            + f" | {result.p95:.1f} ms | {verdict} |"
        )
    if http:
        lines += [
            "",
            f"The same pages through gunicorn (2 sync workers, production settings, Redis cache) over HTTP "
            f"on 127.0.0.1 at {large:,} posts, {runs} requests each (wall time seen by the client):",
            "",
            "| page | as | median | p95 |",
            "|---|---|---:|---:|",
        ]
        lines += [f"| {r.page} | {r.who} | {r.median:.1f} ms | {r.p95:.1f} ms |" for r in http]
    if memory:
        lines += ["", "Resident memory (RSS):", "", "| process | RSS |", "|---|---:|"]
        lines += [f"| {name} | {value} |" for name, value in memory.items()]
    return "\n".join(lines)


def write_docs(text: str) -> None:
    body = DOCS.read_text() if DOCS.exists() else f"# Benchmarks\n\n{START}\n{END}\n"
    if START not in body:
        body += f"\n{START}\n{END}\n"
    before, rest = body.split(START, 1)
    _old, after = rest.split(END, 1)
    DOCS.write_text(f"{before}{START}\n{text}\n{END}{after}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 10_000, 100_000])
    parser.add_argument("--runs", type=int, default=25)
    parser.add_argument("--no-docs", action="store_true", help="print only; leave docs/benchmarks.md alone")
    parser.add_argument("--no-processes", action="store_true", help="skip gunicorn and the memory check")
    parser.add_argument("--keep", action="store_true", help="keep the databases <name>_<size>")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("note: PostgreSQL is not reachable, measuring SQLite", file=sys.stderr)

    setup_test_environment()  # the test client's host name; e-mail stays in memory
    base = connection.settings_dict["NAME"]
    sizes = sorted(args.sizes)
    prepared: list[Prepared] = []
    http, memory = [], {}
    try:
        for size in sizes:
            print(f"size {size}:", file=sys.stderr)
            prepared.append(prepare(size, base))
        database = database_version()
        print(f"measuring, {args.runs} rounds …", file=sys.stderr)
        by_size = measure_interleaved(prepared, args.runs)
        if not args.no_processes:
            use_database(prepared[-1].name)
            http, memory = gunicorn_and_memory(prepared[-1].probe, args.runs, sizes[-1])
    finally:
        connection.close()
        if not args.keep:
            with admin_connection() as admin:
                for item in prepared:
                    admin.execute(f'DROP DATABASE IF EXISTS "{item.name}" WITH (FORCE)')
    text = report(by_size, http, memory, args.runs, database)
    print(text)
    if not args.no_docs:
        write_docs(text)
        print(f"\nwritten to {DOCS.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
