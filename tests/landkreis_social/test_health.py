import pytest

from landkreis_social.celery import app as celery_app


@pytest.mark.django_db
def test_health_reports_database_and_broker(client):
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["broker"] == "ok"


@pytest.mark.django_db
def test_health_is_503_when_the_broker_is_unreachable(client):
    saved = celery_app.conf.broker_url
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    celery_app.pool.force_close_all()
    celery_app._pool = None
    try:
        response = client.get("/health/")
    finally:
        celery_app.conf.broker_url = saved
        celery_app.pool.force_close_all()
        celery_app._pool = None
    assert response.status_code == 503
    body = response.json()
    assert body["broker"] == "unavailable"
    assert body["database"] == "ok"


@pytest.mark.django_db
def test_health_reports_worker_heartbeats(client):
    from landkreis_social.tasks import heartbeat

    heartbeat("worker-a@host")
    body = client.get("/health/").json()
    assert "worker-a@host" in body["workers_last_seen_seconds"]
    assert body["workers_last_seen_seconds"]["worker-a@host"] < 5
