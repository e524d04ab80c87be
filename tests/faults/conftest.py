"""Private PostgreSQL and Redis for the fault tests, and the app's processes on top of them.

The fault tests stop and restart the database and the broker. They must never do that to the machine's
shared PostgreSQL and Redis (other test runs use them), so each test session starts its own:

- ``private_postgres``: a PostgreSQL 15 cluster made with ``initdb`` under /tmp on a free port (run as the
  ``postgres`` OS user when the tests run as root), migrated once per session;
- ``private_redis``: ``redis-server --port <free> --save '' --appendonly no``, per test (it is restarted
  empty, like the production Redis, which keeps nothing).

``app`` starts what production runs – a Celery worker (prefork), Celery beat and gunicorn – with
production settings (``DJANGO_DEBUG=false``) pointed at both, with the short timeouts of the delivery tests
(``tests/publishing/delivery_support.WORKER_ENV``) so that a lost lease is noticed in seconds. Tests talk
to the app over HTTP and read the database with plain SQL (psycopg), which keeps working code paths apart
from the test's own process.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from .scenario import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path(os.environ.get("LANDKREIS_PG_BIN", "/usr/lib/postgresql/15/bin"))
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def missing(reason: str):
    if IN_CI:
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, *, timeout: float, interval: float = 0.2, message: str = ""):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(message or f"not reached within {timeout} s")
        time.sleep(interval)


# --- PostgreSQL ----------------------------------------------------------------------------------------


@dataclass
class PrivatePostgres:
    data: Path
    socket_dir: Path
    port: int
    as_user: list[str]
    log: Path
    database: str = "landkreis"

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{self.database}"

    def pg_ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*self.as_user, str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), *args],
            capture_output=True,
            text=True,
            check=check,
            timeout=60,
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
        )
        self.pg_ctl("-o", options, "-w", "start")

    def stop(self) -> None:
        # "fast": what a restart by an administrator or a crash-restart looks like to the clients –
        # every open connection is cut.
        self.pg_ctl("-m", "fast", "-w", "stop")

    def is_up(self) -> bool:
        return self.query("SELECT 1") == [(1,)]

    def query(self, sql: str, params=None) -> list[tuple] | None:
        import psycopg

        try:
            with psycopg.connect(
                host="127.0.0.1", port=self.port, user="postgres", dbname=self.database, connect_timeout=2
            ) as conn:
                return conn.execute(sql, params).fetchall()
        except psycopg.OperationalError:
            return None


@pytest.fixture(scope="session")
def private_postgres(tmp_path_factory):
    if not (PG_BIN / "initdb").exists():
        missing(f"PostgreSQL server binaries not found in {PG_BIN} (apt-get install postgresql-15)")
    base = Path(tempfile.mkdtemp(prefix="ls-faults-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        postgres = pwd.getpwnam("postgres")
        os.chown(base, postgres.pw_uid, postgres.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    cluster = PrivatePostgres(
        data=base / "data", socket_dir=base, port=free_port(), as_user=as_user, log=base / "postgres.log"
    )
    subprocess.run(
        [
            *as_user,
            str(PG_BIN / "initdb"),
            "-D",
            str(cluster.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
        ],
        capture_output=True,
        check=True,
        timeout=120,
    )
    cluster.start()
    try:
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=cluster.port, user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(f"CREATE DATABASE {cluster.database}")
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            env=app_env(database_url=cluster.url, redis_url="redis://127.0.0.1:1/0", var=base / "var"),
            cwd=ROOT,
            check=True,
            capture_output=True,
            timeout=300,
        )
        yield cluster
    finally:
        cluster.pg_ctl("-m", "immediate", "stop", check=False)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def fresh_database(private_postgres):
    """An empty app database for each test (the migrated one copied as a template)."""
    import psycopg

    with psycopg.connect(
        host="127.0.0.1", port=private_postgres.port, user="postgres", dbname="postgres", autocommit=True
    ) as conn:
        conn.execute("DROP DATABASE IF EXISTS landkreis_test WITH (FORCE)")
        conn.execute(f"CREATE DATABASE landkreis_test TEMPLATE {private_postgres.database}")
    cluster = PrivatePostgres(**{**private_postgres.__dict__, "database": "landkreis_test"})
    yield cluster
    if private_postgres.query("SELECT 1") is None:  # a test left it stopped
        private_postgres.start()


# --- Redis ------------------------------------------------------------------------------------------------


@dataclass
class PrivateRedis:
    port: int
    log: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        wait_until(self.is_up, timeout=10, message="redis-server did not start")

    def stop(self) -> None:
        """Like a crash: SIGKILL, everything in it is gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def is_up(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_connect_timeout=0.5).ping())
        except redis.RedisError:
            return False


@pytest.fixture
def private_redis(tmp_path):
    if shutil.which("redis-server") is None:
        missing("redis-server not found (apt-get install redis-server)")
    server = PrivateRedis(port=free_port(), log=tmp_path / "redis.log")
    server.start()
    yield server
    server.stop()


# --- the app ------------------------------------------------------------------------------------------------


def app_env(*, database_url: str, redis_url: str, var: Path, **extra) -> dict[str, str]:
    from tests.publishing.delivery_support import WORKER_ENV

    return {
        **os.environ,
        **WORKER_ENV,
        "DJANGO_SETTINGS_MODULE": "landkreis_social.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_HTTPS": "false",
        "LANDKREIS_2FA_REQUIRED": "false",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "CELERY_TASK_DEFAULT_QUEUE": "celery",
        "LANDKREIS_VAR_DIR": str(var),
        "DJANGO_MEDIA_ROOT": str(var / "media"),
        "DJANGO_STATIC_ROOT": str(STATIC_ROOT),
        "DJANGO_LOG_LEVEL": "INFO",
        **{key: str(value) for key, value in extra.items()},
    }


STATIC_ROOT = Path(tempfile.gettempdir()) / f"ls-faults-static-{os.getpid()}"


@pytest.fixture(scope="session")
def collected_static():
    """gunicorn with production settings serves the hashed static files (whitenoise's manifest)."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        env=app_env(
            database_url="sqlite:///:memory:", redis_url="redis://127.0.0.1:1/0", var=STATIC_ROOT / "var"
        ),
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=300,
    )
    yield STATIC_ROOT
    shutil.rmtree(STATIC_ROOT, ignore_errors=True)


@dataclass
class App:
    env: dict[str, str]
    tmp: Path
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    web_port: int = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def scenario(self, *args: str) -> dict:
        result = subprocess.run(
            [sys.executable, "-m", "tests.faults.scenario", *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return json.loads(result.stdout.strip().splitlines()[-1])

    def _spawn(self, name: str, command: list[str]) -> subprocess.Popen:
        log = self.tmp / f"{name}.log"
        process = subprocess.Popen(
            command,
            env=self.env,
            cwd=ROOT,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        process.log_path = log
        self.processes[name] = process
        return process

    def log(self, name: str) -> str:
        return self.processes[name].log_path.read_text(errors="replace")

    def start_worker(self) -> subprocess.Popen:
        process = self._spawn(
            "worker",
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "landkreis_social",
                "worker",
                "--concurrency=2",
                "--pool=prefork",
                "--hostname=faults@%h",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
            ],
        )
        wait_until(lambda: " ready." in self.log("worker"), timeout=60, message="worker not ready")
        return process

    def start_beat(self) -> subprocess.Popen:
        return self._spawn(
            "beat",
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "landkreis_social",
                "beat",
                "--loglevel=INFO",
                "--schedule",
                str(self.tmp / "celerybeat-schedule"),
            ],
        )

    def start_web(self) -> subprocess.Popen:
        self.web_port = free_port()
        process = self._spawn(
            "web",
            [
                sys.executable,
                "-m",
                "gunicorn",
                "landkreis_social.wsgi",
                "-w",
                "2",
                "-b",
                f"127.0.0.1:{self.web_port}",
                "--timeout",
                "30",
            ],
        )
        wait_until(self._web_answers, timeout=60, message="gunicorn did not answer")
        return process

    def _web_answers(self) -> bool:
        import requests

        try:
            requests.get(self.base_url + "/health/", timeout=5)
        except (requests.ConnectionError, requests.Timeout):
            # A worker's first answer after boot took 8 s on a loaded two-core machine (imports, the
            # start checks): not up yet, ask again until the deadline.
            return False
        return True

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


@pytest.fixture
def app(fresh_database, private_redis, collected_static, tmp_path):
    application = App(
        env=app_env(database_url=fresh_database.url, redis_url=private_redis.url, var=tmp_path / "var"),
        tmp=tmp_path,
    )
    yield application
    application.stop_all()


def login(base_url: str, username: str, password: str = PASSWORD):
    """A requests session logged in through the real login form (CSRF token from the page)."""
    import re

    import requests

    session = requests.Session()
    page = session.get(base_url + "/accounts/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = session.post(
        base_url + "/accounts/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": base_url + "/accounts/login/"},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text[:2000]
    return session
