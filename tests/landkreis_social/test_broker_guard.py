"""The worker survives losing Redis while a message is unacknowledged (kombu 5.7.0 race, see
``landkreis_social.celery._guard_redis_close_without_client``): closing the channel then asks for a
Redis client of a connection that is already gone – that must be a connection error Celery ignores and
reconnects after, not an ``AttributeError`` that stops the consumer for good."""

from __future__ import annotations

import pytest
import redis
from kombu import Connection
from kombu.common import ignore_errors

import landkreis_social.celery  # noqa: F401 – installs the guard, as every worker does
from landkreis_social.testing import test_redis_url as redis_url

pytestmark = pytest.mark.redis


def test_a_channel_whose_connection_is_gone_raises_a_connection_error_that_celery_ignores():
    connection = Connection(redis_url())
    try:
        channel = connection.default_channel
        transport_client = channel.connection.client
        channel.connection.client = None  # what the race leaves behind
        with pytest.raises(redis.exceptions.ConnectionError):
            channel._connparams()
        # Celery closes the lost connection inside ignore_errors (restoring the unacknowledged
        # messages on the way): now nothing escapes.
        with ignore_errors(connection):
            channel.qos.restore_unacked()
        channel.connection.client = transport_client
    finally:
        connection.release()
