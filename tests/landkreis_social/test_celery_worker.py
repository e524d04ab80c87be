"""A real Celery worker process on the Redis broker runs a task that writes to PostgreSQL."""

import time

import pytest

from landkreis_social.celery import app
from landkreis_social.models import WorkerHeartbeat
from landkreis_social.tasks import heartbeat


@pytest.mark.postgres
@pytest.mark.redis
def test_worker_process_runs_a_task_that_writes_to_postgres(celery_worker_process):
    worker = celery_worker_process("integration")
    assert not WorkerHeartbeat.objects.filter(worker="sent-by-the-test").exists()

    with app.connection_for_write() as conn:
        heartbeat.apply_async(kwargs={"worker": "sent-by-the-test"}, connection=conn)

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if WorkerHeartbeat.objects.filter(worker="sent-by-the-test").exists():
            break
        time.sleep(0.2)
    log = worker.log_path.read_text(errors="replace")
    assert WorkerHeartbeat.objects.filter(worker="sent-by-the-test").exists(), log[-3000:]
    assert "landkreis_social.tasks.heartbeat" in log
    assert "redis://" in log
