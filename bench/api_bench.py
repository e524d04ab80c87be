"""Benchmark: 1,000 posts created through the REST API, and the same through the service directly.

Runs against a throw-away test database (``test_<name>`` of ``DATABASE_URL``, PostgreSQL when
reachable) with the test settings. The API side sends real HTTP requests (``requests``, one connection
kept alive) to Django's threaded live server (``LiveServerThread``, the same WSGI handler as in
production minus gunicorn), each with a token and an ``Idempotency-Key``; the direct side calls
``integrations.services.api_post_create`` in the same process. Both create drafts with two channels.
Prints requests/s, median and p95 per post, and the ratio.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lk_api .venv/bin/python bench/api_bench.py [COUNT]
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "landkreis_social.settings_test")

import django

django.setup()

import requests  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.testcases import LiveServerThread, _StaticFilesHandler  # noqa: E402
from django.test.utils import setup_databases, setup_test_environment, teardown_databases  # noqa: E402

TEXT = "Ab Montag vergibt das Gesundheitsamt neue Termine. Mehr unter https://www.lk-row.de/impfen"


def summary(label: str, timings: list[float], total: float) -> dict:
    timings = sorted(timings)
    return {
        "label": label,
        "per_second": len(timings) / total,
        "median": statistics.median(timings),
        "p95": timings[int(len(timings) * 0.95) - 1],
    }


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from channels.models import Channel, RolloutPhase
    from departments.services import department_create
    from integrations.services import api_post_create, integration_create, token_create

    # Each request thread of the live server closes its connection at the end of the request, so the
    # test database can be dropped afterwards.
    settings.DATABASES["default"]["CONN_MAX_AGE"] = 0
    connection.settings_dict["CONN_MAX_AGE"] = 0
    setup_test_environment()
    old_config = setup_databases(verbosity=0, interactive=False)
    server = None
    try:
        User = get_user_model()
        admin = User.objects.create_superuser("admin", password="x" * 12)
        responsible = User.objects.create_user("leitung", password="x" * 12)
        department = department_create(actor=None, name="Gesundheitsamt", code="GA")
        phase = RolloutPhase.objects.create(order=0, name="Phase 0", status="active")
        channels = []
        for kind in ("mastodon", "facebook"):
            channel = Channel.objects.create(kind=kind, name=f"{kind} Landkreis", enabled=True)
            channel.departments.set([department])
            channels.append(channel)
        phase.channels.set(channels)
        integration = integration_create(
            actor=admin, name="Benchmark", responsible=responsible, departments=[department]
        )
        token, secret = token_create(
            actor=admin,
            integration=integration,
            label="bench",
            rights=["draft", "read"],
            departments=[department],
            rate_limit="1000000/minute",
        )

        # --- the service directly ---
        timings = []
        started = time.perf_counter()
        for index in range(count):
            t0 = time.perf_counter()
            api_post_create(
                actor=integration.service_user,
                token=token,
                department=department,
                title=f"Direkt {index}",
                text=TEXT,
                channels=channels,
            )
            timings.append((time.perf_counter() - t0) * 1000)
        direct = summary("service directly", timings, time.perf_counter() - started)

        # --- through the API (HTTP) ---
        connection.close()  # the server thread opens its own
        server = LiveServerThread("127.0.0.1", _StaticFilesHandler, connections_override={}, port=0)
        server.daemon = True
        server.start()
        server.is_ready.wait()
        if server.error:
            raise server.error
        url = f"http://127.0.0.1:{server.port}/api/v1/posts/"
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {secret}"
        body = {"department": "GA", "text": TEXT, "channels": [c.pk for c in channels]}
        timings = []
        started = time.perf_counter()
        for index in range(count):
            t0 = time.perf_counter()
            response = session.post(
                url, json={**body, "title": f"API {index}"}, headers={"Idempotency-Key": str(uuid.uuid4())}
            )
            timings.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 201, response.text
        api = summary("REST API (HTTP, Idempotency-Key)", timings, time.perf_counter() - started)

        print(f"Database: {connection.vendor}; {count} posts each; load average {os.getloadavg()[0]:.1f}\n")
        print("| path | posts/s | median ms | p95 ms |")
        print("|---|---:|---:|---:|")
        for row in (direct, api):
            print(f"| {row['label']} | {row['per_second']:.0f} | {row['median']:.1f} | {row['p95']:.1f} |")
        print(f"\nAPI / direct throughput: {api['per_second'] / direct['per_second']:.2f}")
    finally:
        if server is not None:
            server.terminate()
        connection.close()
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
