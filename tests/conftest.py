"""The shared cast and the service markers.

Markers ``postgres``, ``redis`` and ``browser`` name what a test needs. Without it the test is skipped
with a reason (and the session header says what is missing); with ``CI=true`` a missing service is an
error instead, so CI never passes by skipping.
"""

from __future__ import annotations

import os
import shutil

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

from landkreis_social.testing import redis_reachable, test_redis_url

# Fake network servers (real HTTP on 127.0.0.1) as fixtures: fake_x, fake_mastodon, fake_facebook,
# fake_instagram, fake_bluesky, fake_networks – see tests/fakes/.
pytest_plugins = ["tests.fakes.fixtures"]

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _service_status() -> dict[str, str | None]:
    """None when the service is there, else the reason it is not."""
    status: dict[str, str | None] = {}
    vendor = getattr(settings, "TEST_DATABASE_VENDOR", "sqlite")
    status["postgres"] = None if vendor == "postgresql" else "PostgreSQL is not reachable (DATABASE_URL)"
    status["redis"] = (
        None if redis_reachable(test_redis_url()) else f"Redis is not reachable at {test_redis_url()}"
    )
    try:
        import playwright  # noqa: F401

        browser_ok = shutil.which(CHROMIUM) or os.path.exists(CHROMIUM)
        status["browser"] = (
            None if browser_ok else f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        )
    except ImportError:
        status["browser"] = "the playwright package is not installed"
    return status


_STATUS: dict[str, str | None] | None = None


def service_status() -> dict[str, str | None]:
    global _STATUS
    if _STATUS is None:
        _STATUS = _service_status()
    return _STATUS


def pytest_report_header(config):
    lines = []
    for name, reason in service_status().items():
        if reason is None:
            lines.append(f"services: {name} available")
        else:
            verdict = "ERROR (CI=true)" if IN_CI else f"tests marked '{name}' are SKIPPED"
            lines.append(f"services: {name} missing – {reason} – {verdict}")
    return lines


def pytest_runtest_setup(item):
    for name, reason in service_status().items():
        if reason is not None and item.get_closest_marker(name):
            if IN_CI:
                pytest.fail(f"CI=true but {reason}", pytrace=False)
            pytest.skip(reason)


# --- The cast ----------------------------------------------------------------------------------------


@pytest.fixture
def make_user(db, django_user_model):
    def make(username: str, *, groups: tuple[str, ...] = (), superuser: bool = False, **extra):
        user = django_user_model.objects.create_user(
            username=username,
            password="demo-passwort",
            email=f"{username}@landkreis.example",
            first_name=extra.pop("first_name", username.capitalize()),
            is_superuser=superuser,
            is_staff=superuser,
            **extra,
        )
        for name in groups:
            # get_or_create: a transactional test before this one (real workers, browsers) flushed the
            # role groups that the data migration made.
            user.groups.add(Group.objects.get_or_create(name=name)[0])
        return user

    return make


@pytest.fixture
def department(db):
    from departments.services import department_create

    return department_create(actor=None, name="Gesundheitsamt", code="GA")


@pytest.fixture
def other_department(db):
    from departments.services import department_create

    return department_create(actor=None, name="Straßenverkehrsamt", code="SVA")


@pytest.fixture
def editor(make_user, department):
    from departments.services import membership_add

    user = make_user("redaktion")
    membership_add(actor=None, user=user, department=department, role="editor")
    return user


@pytest.fixture
def head(make_user, department):
    from departments.services import membership_add

    user = make_user("leitung")
    membership_add(actor=None, user=user, department=department, role="head")
    return user


@pytest.fixture
def outsider(make_user, other_department):
    """An editor of another department: must never see the first department's posts."""
    from departments.services import membership_add

    user = make_user("redaktion2")
    membership_add(actor=None, user=user, department=other_department, role="editor")
    return user


@pytest.fixture
def coordinator(make_user):
    return make_user("koordination", groups=("Koordination",))


@pytest.fixture
def press(make_user):
    return make_user("presse", groups=("Pressestelle",))


@pytest.fixture
def admin_user(make_user):
    return make_user("admin", groups=("Administration",), superuser=True)


@pytest.fixture
def cast(editor, head, outsider, coordinator, press, admin_user):
    return {
        "editor": editor,
        "head": head,
        "outsider": outsider,
        "coordinator": coordinator,
        "press": press,
        "admin": admin_user,
    }


# --- Real Celery worker processes ------------------------------------------------------------------


@pytest.fixture
def celery_worker_process(transactional_db, tmp_path):
    """Start real ``celery worker`` processes on Redis against the test database.

    Yields ``start(name="w1", concurrency=1, env=None) -> subprocess.Popen``; each worker listens on
    a queue unique to this test, and this process sends to the same queue, so parallel test runs on
    one Redis do not steal each other's messages. Workers are stopped (and killed if need be) after
    the test. The test itself needs the ``postgres`` and ``redis`` markers.
    """
    import subprocess
    import sys
    import time
    import uuid

    from django.db import connection

    from landkreis_social.celery import app

    queue = f"test-{uuid.uuid4().hex[:10]}"
    broker = test_redis_url()
    saved = {
        key: app.conf.get(key) for key in ("broker_url", "task_default_queue", "broker_transport_options")
    }
    app.conf.broker_url = broker
    app.conf.task_default_queue = queue
    app.conf.broker_transport_options = {"visibility_timeout": 600}
    _reset_broker_pools(app)

    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    processes: list[subprocess.Popen] = []

    def start(name: str = "w1", concurrency: int = 1, env: dict | None = None, pool: str = "prefork"):
        log = tmp_path / f"worker-{name}.log"
        worker_env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "landkreis_social.settings",
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": broker,
            "REDIS_URL": broker,
            "CELERY_TASK_DEFAULT_QUEUE": queue,
            **(env or {}),
        }
        handle = log.open("wb")
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
                f"--concurrency={concurrency}",
                f"--pool={pool}",
                f"--hostname={name}@%h",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
            ],
            env=worker_env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            cwd=str(settings.BASE_DIR),
        )
        proc.log_path = log
        processes.append(proc)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if b" ready." in log.read_bytes():
                return proc
            if proc.poll() is not None:
                raise RuntimeError(f"worker {name} exited early:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.1)
        raise RuntimeError(f"worker {name} did not become ready:\n{log.read_text(errors='replace')[-3000:]}")

    start.queue = queue
    start.broker = broker
    yield start

    for proc in processes:
        if proc.poll() is None:
            proc.terminate()
    for proc in processes:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    for key, value in saved.items():
        app.conf[key] = value
    _reset_broker_pools(app)


def _reset_broker_pools(app) -> None:
    """Forget the broker connections (and producers) of the previous broker URL.

    kombu keeps its connection and producer pools in process-wide registries keyed by the broker
    address; closing ``app.pool`` alone leaves a closed pool there that ``apply_async`` then uses
    ("Acquire on closed pool")."""
    from kombu import pools

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
