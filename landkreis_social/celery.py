"""The Celery application. Settings come from Django's settings (``CELERY_*``)."""

import os

from celery import Celery
from celery.signals import task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "landkreis_social.settings")

app = Celery("landkreis_social")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _make_broker_folders(sender, **kwargs):
    """kombu's filesystem transport (the embedded default) needs its folders to exist."""
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            os.makedirs(options[key], exist_ok=True)


def _guard_redis_close_without_client() -> None:
    """Work around a kombu race (5.7.0) that stalled a worker for good when Redis went away.

    When the broker connection is lost while a message is unacknowledged, Celery closes the
    connection; closing the channel restores the unacknowledged messages, which opens a new Redis
    client from ``connection.client`` – already ``None`` at that point. The ``AttributeError`` is not a
    connection error, so it escaped Celery's ``ignore_errors``: "Unrecoverable error: AttributeError(
    "'NoneType' object has no attribute 'hostname'")", and the worker hung without consuming (seen in
    tests/faults/test_redis_outage.py). Raised as Redis' ``ConnectionError`` instead, Celery ignores it
    and reconnects as it does for any lost connection; the message that could not be restored is not
    needed – the database knows what is due and the sweep queues it again."""
    from kombu.transport import redis as kombu_redis

    if getattr(kombu_redis.Channel, "_landkreis_guarded", False):
        return
    original = kombu_redis.Channel._connparams

    def _connparams(self, asynchronous=False):
        if self.connection is None or self.connection.client is None:
            raise kombu_redis.redis.exceptions.ConnectionError("the broker connection is already closed")
        return original(self, asynchronous=asynchronous)

    kombu_redis.Channel._connparams = _connparams
    kombu_redis.Channel._landkreis_guarded = True


_guard_redis_close_without_client()


@task_prerun.connect
def _replace_broken_database_connection(**kwargs):
    """What Django does before each request, before each task: a connection that failed (PostgreSQL
    restarted, the network dropped it) or outlived CONN_MAX_AGE is closed, and with CONN_HEALTH_CHECKS
    the next query checks a kept one first. Workers keep their connection across tasks
    (CELERY_DB_REUSE_MAX), so without this a pool process went on failing every task with "the
    connection is closed" after a database restart (tests/faults/test_postgres_restart.py). Not inside
    a transaction: tests run tasks inside theirs."""
    from django.db import close_old_connections, connections

    if not any(conn.in_atomic_block for conn in connections.all(initialized_only=True)):
        close_old_connections()
