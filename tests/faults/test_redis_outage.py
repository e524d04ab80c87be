"""Redis goes away and comes back empty: the web stays up, nothing is lost, every delivery completes once.

Redis is only the broker (and the cache): the database knows which deliveries are due. The private
Redis (``conftest.private_redis``) is killed in the middle of a batch – the messages in it are gone –
while the web keeps serving: ``/health/`` says 503 and names the broker, a logged-in page that needs only
the database still works, and approving posts still works (their deliveries cannot be queued and are left
to the sweep). Redis is started again, empty; the worker and beat reconnect by themselves and the sweep
queues everything due again.
"""

from __future__ import annotations

import time

import pytest
import requests

from .conftest import login, wait_until

FIRST, SECOND = 12, 4

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]


def delivery_states(database) -> dict[str, int]:
    return dict(database.query("SELECT status, count(*) FROM publishing_delivery GROUP BY status") or [])


def test_web_stays_up_without_redis_and_every_delivery_completes_once_it_is_back(
    app, fresh_database, private_redis, fake_mastodon
):
    app.scenario("setup", "--mastodon-url", fake_mastodon.base_url, "--mastodon-token", fake_mastodon.token)
    app.scenario("approve", "--posts", str(FIRST))
    fake_mastodon.slow(0.6, path=r"/statuses$", times=(FIRST + SECOND) * 3)
    worker = app.start_worker()
    beat = app.start_beat()
    app.start_web()
    session = login(app.base_url, "redaktion")
    wait_until(lambda: delivery_states(fresh_database).get("published", 0) >= 2, timeout=30)

    private_redis.stop()
    started = time.monotonic()
    health = requests.get(app.base_url + "/health/", timeout=15)
    assert health.status_code == 503
    assert health.json()["broker"] == "unavailable" and health.json()["database"] == "ok"
    page = session.get(app.base_url + "/posts/", timeout=15)
    assert page.status_code == 200 and "Meldung 1" in page.text  # the database is all it needs
    assert session.get(app.base_url + "/posts/calendar/", timeout=15).status_code == 200
    # Approving while the broker is down works; the deliveries wait in the database for the sweep.
    app.scenario("approve", "--posts", str(SECOND), "--first", str(FIRST + 1))
    assert fresh_database.query("SELECT count(*) FROM publishing_delivery")[0][0] == FIRST + SECOND
    time.sleep(2)
    assert worker.poll() is None and beat.poll() is None, "worker or beat died with the broker"
    assert time.monotonic() - started < 20, "the web was slow without the broker"

    private_redis.start()  # empty: every message that was in it is lost
    states = wait_until(
        lambda: (s := delivery_states(fresh_database)).get("published", 0) == FIRST + SECOND and s,
        timeout=50,
        interval=0.5,
        message=f"not every delivery published after Redis came back: {delivery_states(fresh_database)}",
    )
    assert states == {"published": FIRST + SECOND}
    assert worker.poll() is None, "the worker was replaced, it did not reconnect"
    assert fake_mastodon.created_count == FIRST + SECOND  # once each
    assert requests.get(app.base_url + "/health/", timeout=10).status_code == 200
    # The sweep, not a message, brought the deliveries that were approved while Redis was down.
    assert "queued" in app.log("worker")
