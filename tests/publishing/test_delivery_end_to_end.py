"""Approve → a real Celery worker publishes on a fake Mastodon, X and Facebook through the real client
libraries; scheduled posts wait for their time; a withdrawal deletes the post on every network."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from posts.models import Post
from publishing import delivery_services
from publishing.models import Delivery, DeliveryAttempt

from .delivery_support import statuses, submit_and_approve, wait_for, worker_env

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("role_groups"),
]


def test_an_approved_post_is_published_on_every_channel_exactly_once(
    celery_worker_process, live_channels, write_post, coordinator, fake_mastodon, fake_x, fake_facebook
):
    channels = live_channels(fake_mastodon, fake_x, fake_facebook)
    celery_worker_process("e2e", concurrency=2, env=worker_env())
    post = write_post(channels.values())

    post = submit_and_approve(post, by=coordinator)

    wait_for(
        lambda: Post.objects.get(pk=post.pk).status == Post.Status.PUBLISHED,
        timeout=30,
        message=f"post not published: {statuses(post)}",
    )
    deliveries = {d.channel.kind: d for d in Delivery.objects.filter(post=post).select_related("channel")}
    assert set(deliveries) == {"mastodon", "x", "facebook"}
    assert fake_mastodon.created_count == fake_x.created_count == fake_facebook.created_count == 1
    for kind, fake in (("mastodon", fake_mastodon), ("x", fake_x), ("facebook", fake_facebook)):
        delivery = deliveries[kind]
        assert delivery.status == Delivery.Status.PUBLISHED
        assert delivery.external_id == str(fake.created[0]["id"])
        assert delivery.external_url.startswith("http")
        assert delivery.attempt_count == 1
        attempt = delivery.attempts.get()
        assert attempt.outcome == DeliveryAttempt.Outcome.PUBLISHED
        assert attempt.duration_ms is not None and attempt.finished_at >= attempt.started_at
        assert attempt.worker.startswith("e2e@")
    # What went over the wire: the post's text with its link, and Mastodon's idempotency key.
    status_request = fake_mastodon.requests_to(r"/api/v1/statuses$", "POST")[0]
    assert status_request.header("idempotency-key") == str(deliveries["mastodon"].pk)
    assert "https://www.lk-row.de/impfen" in status_request.value("status")
    assert "Gesundheitsamt" in fake_x.created[0]["text"]
    # Audited: every delivery's creation and outcome, and the post's way to "published".
    verbs = list(AuditEvent.objects.filter(post_id=post.pk).values_list("verb", flat=True))
    assert verbs.count("delivery.created") == 3 and verbs.count("delivery.published") == 3
    # Three channels: "publishing" with the first outcome, "published" with the last.
    assert verbs.count("post.publishing") == 1 and verbs.count("post.published") == 1
    assert verbs.index("post.publishing") < verbs.index("post.published")
    post.refresh_from_db()
    assert post.published_at is not None


def test_a_scheduled_post_is_not_sent_before_its_time(
    celery_worker_process, beat_process, live_channels, write_post, coordinator, fake_mastodon
):
    channels = live_channels(fake_mastodon)
    celery_worker_process("scheduled", env=worker_env())
    beat_process()
    planned = timezone.now() + timedelta(seconds=6)
    post = write_post(channels.values())

    post = submit_and_approve(post, by=coordinator, planned_at=planned)

    assert post.status == Post.Status.SCHEDULED
    delivery = Delivery.objects.get(post=post)
    assert delivery.due_at == planned and delivery.status == Delivery.Status.PENDING
    # Until the planned time: nothing on the network, although worker and sweep are running.
    while timezone.now() < planned - timedelta(seconds=0.5):
        assert fake_mastodon.requests_to(r"/api/v1/statuses") == []
        delivery.refresh_from_db()
        assert delivery.status == Delivery.Status.PENDING
        assert Post.objects.get(pk=post.pk).status == Post.Status.SCHEDULED
        time.sleep(0.2)
    wait_for(
        lambda: Delivery.objects.get(pk=delivery.pk).status == Delivery.Status.PUBLISHED,
        timeout=15,
        message="the scheduled post was not published after its time",
    )
    delivery.refresh_from_db()
    assert delivery.published_at >= planned
    # Late by less than the sweep interval (1 s here) plus the time the network took.
    assert delivery.published_at - planned < timedelta(seconds=3)
    assert fake_mastodon.created_count == 1


def test_withdrawing_deletes_the_post_on_every_network(
    celery_worker_process, live_channels, write_post, coordinator, fake_mastodon, fake_x
):
    channels = live_channels(fake_mastodon, fake_x)
    celery_worker_process("withdraw", env=worker_env())
    post = submit_and_approve(write_post(channels.values()), by=coordinator)
    wait_for(lambda: Post.objects.get(pk=post.pk).status == Post.Status.PUBLISHED, timeout=30)

    delivery_services.deliveries_withdraw_for_post(
        actor=coordinator, post=post, reason="Der Termin wurde abgesagt; die Meldung ist falsch."
    )

    wait_for(
        lambda: set(statuses(post).values()) == {Delivery.Status.WITHDRAWN},
        timeout=20,
        message=f"not withdrawn: {statuses(post)}",
    )
    assert fake_mastodon.deleted == [fake_mastodon.created[0]["id"]]
    assert fake_x.deleted == [fake_x.created[0]["id"]]
    assert Post.objects.get(pk=post.pk).status == Post.Status.WITHDRAWN
    events = AuditEvent.objects.filter(post_id=post.pk, verb="delivery.withdrawn")
    assert events.count() == 2
    assert all(e.actor_id == coordinator.pk for e in events)
    requested = AuditEvent.objects.filter(post_id=post.pk, verb="delivery.withdraw_requested")
    assert {e.comment for e in requested} == {"Der Termin wurde abgesagt; die Meldung ist falsch."}
