"""PostgreSQL goes away while a worker publishes: the worker recovers and every delivery completes once.

A private PostgreSQL (``conftest.private_postgres``) is stopped with ``pg_ctl -m fast`` – every open
connection is cut, as in a restart or a failover – in the middle of a batch of deliveries to a fake
Mastodon that answers slowly, and started again a few seconds later. Meanwhile the web answers
``/health/`` with 503 and names the database. Afterwards the same worker process (not a new one) publishes
the rest: deliveries whose outcome was lost while the database was away are sent again with the same
``Idempotency-Key`` after their lease, so Mastodon keeps one status per delivery.
"""

from __future__ import annotations

import time

import pytest
import requests

from .conftest import login, wait_until

POSTS = 16

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]


def delivery_states(database) -> dict[str, int] | None:
    rows = database.query("SELECT status, count(*) FROM publishing_delivery GROUP BY status")
    return None if rows is None else dict(rows)


def test_worker_recovers_after_a_database_restart_and_every_delivery_completes_once(
    app, fresh_database, fake_mastodon
):
    app.scenario("setup", "--mastodon-url", fake_mastodon.base_url, "--mastodon-token", fake_mastodon.token)
    app.scenario("approve", "--posts", str(POSTS))
    fake_mastodon.slow(0.6, path=r"/statuses$", times=POSTS * 3)  # the batch takes a while
    worker = app.start_worker()
    app.start_beat()
    app.start_web()
    started = time.monotonic()
    session = login(app.base_url, "redaktion")

    wait_until(
        lambda: (delivery_states(fresh_database) or {}).get("published", 0) >= 3,
        timeout=30,
        message="the worker did not start publishing",
    )
    fresh_database.stop()
    try:
        health = requests.get(app.base_url + "/health/", timeout=10)
        assert health.status_code == 503
        assert health.json()["database"] == "unavailable" and health.json()["broker"] == "ok"
        time.sleep(3)  # the worker's tasks meet the missing database meanwhile
        assert worker.poll() is None, "the worker died with the database"
    finally:
        fresh_database.start()

    states = wait_until(
        lambda: (s := delivery_states(fresh_database)) and s.get("published", 0) == POSTS and s,
        timeout=45,
        interval=0.5,
        message=f"not every delivery published after the restart: {delivery_states(fresh_database)}",
    )
    assert states == {"published": POSTS}
    assert worker.poll() is None, "the worker was replaced, it did not recover"
    # Mastodon has exactly one status per delivery (repeated sends carried the same Idempotency-Key).
    assert fake_mastodon.created_count == POSTS
    assert len({item["idempotency_key"] for item in fake_mastodon.created}) == POSTS
    posts = fresh_database.query("SELECT status, count(*) FROM posts_post GROUP BY status")
    assert dict(posts) == {"published": POSTS}
    # The web recovered too: health is green again and a page that needs the database works.
    assert requests.get(app.base_url + "/health/", timeout=10).status_code == 200
    page = session.get(app.base_url + "/posts/", timeout=10)
    assert page.status_code == 200 and "Meldung 1" in page.text
    # Deliveries that were in flight while the database was away were attempted more than once.
    attempts = fresh_database.query(
        "SELECT count(*) FROM publishing_deliveryattempt WHERE operation = 'publish'"
    )[0][0]
    assert attempts >= POSTS
    assert time.monotonic() - started < 60, "the recovery took longer than a minute"


def sweep_failures(app) -> int:
    return sum(
        1
        for line in app.log("worker").splitlines()
        if "publishing.tasks.sweep" in line and "raised unexpected" in line
    )


def test_an_idle_worker_recovers_too(app, fresh_database, fake_mastodon):
    """Restarted while the worker only runs the sweep each second: no delivery task comes along to
    replace the broken connection, so the sweep itself must. Then new approvals are published."""
    app.scenario("setup", "--mastodon-url", fake_mastodon.base_url, "--mastodon-token", fake_mastodon.token)
    worker = app.start_worker()
    app.start_beat()
    wait_until(lambda: app.log("worker").count("publishing.tasks.sweep") >= 3, timeout=30)
    fresh_database.stop()
    time.sleep(2)
    fresh_database.start()
    time.sleep(4)  # a few sweeps meet the broken connection
    before = sweep_failures(app)
    time.sleep(4)
    assert sweep_failures(app) == before, (
        "the sweep keeps failing after the restart:\n" + app.log("worker")[-3000:]
    )
    app.scenario("approve", "--posts", "4")
    wait_until(
        lambda: (delivery_states(fresh_database) or {}).get("published", 0) == 4,
        timeout=30,
        message=f"new approvals not published: {delivery_states(fresh_database)}",
    )
    assert worker.poll() is None
    assert fake_mastodon.created_count == 4
