"""Helpers shared by the test settings, the test suite and the benchmarks: find the services."""

import os
import socket
from urllib.parse import urlsplit

DEFAULT_TEST_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/landkreis_social"
DEFAULT_TEST_REDIS_URL = "redis://127.0.0.1:6379/0"


def test_database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else DEFAULT_TEST_DATABASE_URL


def test_redis_url() -> str:
    return os.environ.get("REDIS_URL") or DEFAULT_TEST_REDIS_URL


def _port_open(url: str, default_port: int, timeout: float = 1.0) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), timeout):
            return True
    except OSError:
        return False


def postgres_reachable(url: str) -> bool:
    if not _port_open(url, 5432):
        return False
    import psycopg

    parts = urlsplit(url)
    try:
        # Connect to the maintenance database: the test database itself is created by the test run.
        with psycopg.connect(
            host=parts.hostname,
            port=parts.port or 5432,
            user=parts.username or "postgres",
            password=parts.password or None,
            dbname="postgres",
            connect_timeout=2,
        ):
            return True
    except psycopg.Error:
        return False


def redis_reachable(url: str) -> bool:
    if not _port_open(url, 6379):
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False
