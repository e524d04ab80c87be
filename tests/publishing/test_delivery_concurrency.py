"""Two workers (one with processes, one with threads), 200 deliveries, every message sent twice: each
delivery is published exactly once (the fake servers count). A burst above a channel's posting limit
is spread out, not refused."""

from __future__ import annotations

from datetime import timedelta

import pytest

from posts.models import Post
from publishing import tasks
from publishing.models import Delivery, DeliveryAttempt

from .delivery_support import approved_posts_in_bulk, wait_for, worker_env

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("role_groups"),
]

Status = Delivery.Status


def test_two_workers_publish_200_deliveries_exactly_once_each(
    celery_worker_process, live_channels, fake_x, fake_mastodon, editor, department
):
    channels = live_channels(fake_x, fake_mastodon)
    # Both pools the deployment may use: processes (prefork) and threads (docker compose, make demo).
    celery_worker_process("w1", concurrency=2, env=worker_env())
    celery_worker_process("w2", concurrency=4, pool="threads", env=worker_env())

    posts = approved_posts_in_bulk(
        100, channels=list(channels.values()), author=editor, department=department
    )
    ids = list(Delivery.objects.values_list("pk", flat=True))
    assert len(ids) == 200
    for delivery_id in ids:  # a second message for every delivery (a redelivery, a duplicate sweep)
        tasks.enqueue(delivery_id)

    wait_for(
        lambda: Delivery.objects.filter(status=Status.PUBLISHED).count() == 200,
        timeout=90,
        interval=0.5,
        message=f"{Delivery.objects.exclude(status=Status.PUBLISHED).count()} deliveries not published",
    )
    # What the networks saw: one request and one post per delivery, nothing twice.
    assert fake_x.created_count == 100 and fake_mastodon.created_count == 100
    assert len(fake_x.requests_to(r"/2/tweets$", "POST")) == 100
    mastodon_keys = [r.header("idempotency-key") for r in fake_mastodon.requests_to(r"/statuses$", "POST")]
    assert len(mastodon_keys) == len(set(mastodon_keys)) == 100
    assert len({t["text"] for t in fake_x.created}) == 100
    # One claim per delivery, shared by both workers.
    assert DeliveryAttempt.objects.count() == 200
    assert set(Delivery.objects.values_list("attempt_count", flat=True)) == {1}
    workers = {w.split("@")[0] for w in DeliveryAttempt.objects.values_list("worker", flat=True)}
    assert workers == {"w1", "w2"}
    external = list(Delivery.objects.values_list("channel_id", "external_id"))
    assert len(set(external)) == 200
    assert Post.objects.filter(pk__in=[p.pk for p in posts], status=Post.Status.PUBLISHED).count() == 100


def test_a_burst_above_the_posting_limit_is_spread_out_not_refused(
    celery_worker_process, live_channels, fake_mastodon, editor, department
):
    channels = live_channels(fake_mastodon)
    # At most 3 posts in any 3 seconds on this Mastodon account (two workers: the count is shared).
    env = worker_env(LANDKREIS_RATE_LIMITS="mastodon=3/3")
    celery_worker_process("r1", concurrency=2, env=env)
    celery_worker_process("r2", concurrency=2, env=env)

    approved_posts_in_bulk(8, channels=[channels["mastodon"]], author=editor, department=department)

    wait_for(
        lambda: Delivery.objects.filter(status=Status.PUBLISHED).count() == 8,
        timeout=30,
        message="the burst was not published",
    )
    starts = sorted(DeliveryAttempt.objects.values_list("started_at", flat=True))
    assert len(starts) == 8  # nothing refused, nothing retried: every post went out at its first attempt
    for i, start in enumerate(starts):
        in_window = [s for s in starts[i:] if s - start < timedelta(seconds=3)]
        assert len(in_window) <= 3, f"more than 3 posts within 3 s from {start}: {in_window}"
    assert starts[-1] - starts[0] >= timedelta(seconds=6)  # 8 posts at 3 per 3 s: three windows
    assert fake_mastodon.created_count == 8
