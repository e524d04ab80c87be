"""A worker killed mid-flight, a flushed broker: the database and the sweep bring every delivery to a
safe end – never a second post on a network without idempotency, exactly one on Mastodon."""

from __future__ import annotations

import time

import pytest
import redis

from audit.models import AuditEvent
from notifications.models import Notification
from posts.models import Post
from publishing.models import Delivery, DeliveryAttempt

from .delivery_support import approved_posts_in_bulk, kill_tree, statuses, wait_for, worker_env

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("role_groups"),
]

Status = Delivery.Status

# The networks take longer than the worker lives: long enough a network timeout that the request is
# still in flight when the worker is killed, and the shortest lease the settings allow for it.
CRASH_ENV = {"LANDKREIS_NETWORK_TIMEOUT": "3", "LANDKREIS_DELIVERY_LEASE_SECONDS": "12"}


def test_a_worker_killed_while_sending_never_publishes_twice(
    celery_worker_process,
    beat_process,
    live_channels,
    fake_x,
    fake_mastodon,
    editor,
    department,
    coordinator,
):
    channels = live_channels(fake_x, fake_mastodon)
    # Both networks create the post, then hold the answer back (the worker dies meanwhile).
    fake_x.slow(30, path=r"/2/tweets$")
    fake_mastodon.slow(30, path=r"/statuses$")
    doomed = celery_worker_process("doomed", concurrency=2, env=worker_env(**CRASH_ENV))
    (post,) = approved_posts_in_bulk(
        1, channels=list(channels.values()), author=editor, department=department
    )

    wait_for(
        lambda: fake_x.created_count == 1 and fake_mastodon.created_count == 1,
        timeout=15,
        interval=0.05,
        message="the requests did not reach the fake networks",
    )
    assert set(statuses(post).values()) == {Status.SENDING}
    kill_tree(doomed)

    # A new worker and the sweep take over once the lease has expired.
    celery_worker_process("survivor", concurrency=2, env=worker_env(**CRASH_ENV))
    beat_process(env=CRASH_ENV)
    wait_for(
        lambda: statuses(post) == {"x": Status.UNCERTAIN, "mastodon": Status.PUBLISHED},
        timeout=40,
        message=f"after the crash: {statuses(post)}",
    )

    # X has no idempotency: the tweet was made once and is never sent again by itself.
    assert fake_x.created_count == 1
    assert len(fake_x.requests_to(r"/2/tweets$", "POST")) == 1
    x = Delivery.objects.get(post=post, channel=channels["x"])
    assert list(x.attempts.values_list("outcome", flat=True)) == [DeliveryAttempt.Outcome.LOST]
    assert Notification.objects.filter(
        kind=Notification.Kind.DELIVERY_UNCERTAIN, recipient=coordinator, post=post
    ).exists()
    # Mastodon: sent again with the same Idempotency-Key; the server answered with the first status.
    mastodon = Delivery.objects.get(post=post, channel=channels["mastodon"])
    requests = fake_mastodon.requests_to(r"/statuses$", "POST")
    assert len(requests) == 2
    assert {r.header("idempotency-key") for r in requests} == {str(mastodon.pk)}
    assert fake_mastodon.created_count == 1
    assert mastodon.external_id == fake_mastodon.created[0]["id"]
    assert list(mastodon.attempts.order_by("number").values_list("outcome", flat=True)) == [
        DeliveryAttempt.Outcome.LOST,
        DeliveryAttempt.Outcome.PUBLISHED,
    ]
    assert AuditEvent.objects.filter(post_id=post.pk, verb="delivery.lease_expired").count() == 2
    # Partly published: a person checks X (the post page offers "mark published" and "send anyway").
    assert Post.objects.get(pk=post.pk).status == Post.Status.PARTIALLY_FAILED


def test_deliveries_queued_before_the_broker_was_flushed_are_still_published(
    celery_worker_process, beat_process, live_channels, fake_mastodon, fake_facebook, editor, department
):
    channels = live_channels(fake_mastodon, fake_facebook)
    broker = redis.Redis.from_url(celery_worker_process.broker)
    posts = approved_posts_in_bulk(10, channels=list(channels.values()), author=editor, department=department)
    assert broker.llen(celery_worker_process.queue) == 20  # queued when the approvals committed

    broker.flushdb()  # this test's own Redis database only (never FLUSHALL: the Redis is shared)
    assert broker.llen(celery_worker_process.queue) == 0

    celery_worker_process("after-flush", concurrency=2, env=worker_env())
    beat_process()
    wait_for(
        lambda: Delivery.objects.filter(status=Status.PUBLISHED).count() == 20,
        timeout=40,
        message=f"not all published after the flush: {Delivery.objects.exclude(status=Status.PUBLISHED).count()} left",
    )
    assert fake_mastodon.created_count == 10 and fake_facebook.created_count == 10
    assert len(fake_mastodon.requests_to(r"/statuses$", "POST")) == 10
    assert Post.objects.filter(pk__in=[p.pk for p in posts], status=Post.Status.PUBLISHED).count() == 10


def test_a_killed_worker_is_noticed_after_a_renewal_period_not_the_whole_lease(
    celery_worker_process, beat_process, live_channels, fake_mastodon, editor, department
):
    """The lease stays 300 s, but a living worker renews it every second (period 3 s): while it sends,
    the delivery is not taken over; after kill -9 another worker sends again with the key within
    seconds instead of five minutes (issue 14)."""
    env = {
        "LANDKREIS_NETWORK_TIMEOUT": "30",
        "LANDKREIS_DELIVERY_LEASE_SECONDS": "300",
        "LANDKREIS_DELIVERY_LEASE_RENEW_SECONDS": "3",
    }
    channels = live_channels(fake_mastodon)
    fake_mastodon.slow(60, path=r"/statuses$")
    doomed = celery_worker_process("doomed", concurrency=1, env=worker_env(**env))
    beat_process(env=env)
    (post,) = approved_posts_in_bulk(1, channels=[channels["mastodon"]], author=editor, department=department)
    wait_for(lambda: fake_mastodon.created_count == 1, timeout=15, interval=0.05, message="no request")
    time.sleep(6)  # two renewal periods: a worker that renews keeps its delivery
    delivery = Delivery.objects.get(post=post)
    assert delivery.status == Status.SENDING and delivery.attempt_count == 1
    kill_tree(doomed)
    killed = time.monotonic()
    celery_worker_process("survivor", concurrency=1, env=worker_env(**env))
    wait_for(
        lambda: statuses(post) == {"mastodon": Status.PUBLISHED}, timeout=40, message=f"{statuses(post)}"
    )
    assert time.monotonic() - killed < 25  # 3 s lease + sweep + a worker's start, not 300 s
    assert fake_mastodon.created_count == 1
    assert list(Delivery.objects.get(post=post).attempts.values_list("outcome", flat=True)) == [
        DeliveryAttempt.Outcome.LOST,
        DeliveryAttempt.Outcome.PUBLISHED,
    ]
