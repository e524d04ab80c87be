"""The delivery services without a worker: creation on approval, the claim, the sweep, rescheduling,
retry, "mark published", withdrawal, and the post status that follows the deliveries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import AuditEvent
from channels import services
from channels.models import Channel, RolloutPhase
from notifications.models import Notification
from posts.models import Post
from posts.services import post_reschedule
from publishing import delivery_services, tasks
from publishing.models import Delivery, DeliveryAttempt

from .delivery_support import approved_posts_in_bulk, submit_and_approve

Status = Delivery.Status


@pytest.fixture(autouse=True)
def _settings(settings, tmp_path):
    settings.PUBLISHING_NETWORK_TIMEOUT = 1.0
    settings.PUBLISHING_RATE_LIMITS = {"x": (1000, 60), "mastodon": (1000, 60), "facebook": (1000, 60)}
    settings.MEDIA_ROOT = tmp_path / "media"


def run(delivery) -> str:
    return tasks.run_delivery(delivery.pk, worker="test@host:1")


# --- creation ----------------------------------------------------------------------------------------------


def test_approval_creates_one_delivery_per_live_channel_and_skips_the_others(
    live_channels, write_post, coordinator, admin_user, fake_x, fake_mastodon, fake_facebook
):
    channels = live_channels(fake_x, fake_mastodon, fake_facebook)
    post = write_post(channels.values())

    # Facebook is switched off while the post is in review: no delivery for it, and the audit says so.
    post = submit_and_approve(
        post,
        by=coordinator,
        before_approval=lambda: services.channel_disable(actor=admin_user, channel=channels["facebook"]),
    )

    deliveries = {d.channel.kind: d for d in Delivery.objects.filter(post=post).select_related("channel")}
    assert set(deliveries) == {"x", "mastodon"}
    assert all(d.status == Status.PENDING and d.due_at <= timezone.now() for d in deliveries.values())
    skipped = AuditEvent.objects.get(post_id=post.pk, verb="deliveries.channels_skipped")
    assert skipped.after == {"channels": [channels["facebook"].name]}
    assert AuditEvent.objects.filter(post_id=post.pk, verb="delivery.created", actor=coordinator).count() == 2
    # One delivery per post and channel, whatever happens.
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(post=post, channel=channels["x"], due_at=timezone.now())


def test_a_scheduled_post_is_due_at_its_planned_time(live_channels, write_post, coordinator, fake_mastodon):
    channels = live_channels(fake_mastodon)
    planned = timezone.now() + timedelta(days=2)
    post = submit_and_approve(write_post(channels.values()), by=coordinator, planned_at=planned)

    delivery = Delivery.objects.get(post=post)
    assert post.status == Post.Status.SCHEDULED
    assert delivery.due_at == delivery.next_attempt_at == planned
    assert run(delivery) == "nothing to do"  # a message too early finds nothing due
    assert fake_mastodon.requests == []
    assert not delivery_services.due_deliveries(timezone.now()).exists()
    assert delivery_services.due_deliveries(planned + timedelta(seconds=1)).filter(pk=delivery.pk).exists()

    # Koordination moves it to an earlier time: the delivery follows.
    earlier = timezone.now() + timedelta(hours=3)
    post_reschedule(actor=coordinator, post=post, planned_at=earlier)
    delivery.refresh_from_db()
    assert delivery.due_at == earlier


def test_an_edited_approved_post_waits_for_its_new_approval(
    live_channels, write_post, coordinator, fake_mastodon
):
    from posts.services import post_update

    channels = live_channels(fake_mastodon)
    planned = timezone.now() + timedelta(days=2)
    post = submit_and_approve(write_post(channels.values()), by=coordinator, planned_at=planned)
    delivery = Delivery.objects.get(post=post)

    post_update(actor=coordinator, post=post, text=post.text + " Neu: auch samstags.")
    post.refresh_from_db()
    assert post.status == Post.Status.IN_REVIEW
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert run(delivery) == "nothing to do"  # never the unapproved text
    assert not delivery_services.due_deliveries(timezone.now()).exists()
    assert fake_mastodon.requests == []


# --- the claim ------------------------------------------------------------------------------------------------


def test_only_one_claim_wins(live_channels, fake_mastodon, editor, department):
    channels = live_channels(fake_mastodon)
    (post,) = approved_posts_in_bulk(1, channels=[channels["mastodon"]], author=editor, department=department)
    delivery = Delivery.objects.get(post=post)

    first = delivery_services.delivery_claim(delivery_id=delivery.pk, worker="a")
    second = delivery_services.delivery_claim(delivery_id=delivery.pk, worker="b")

    assert isinstance(first, delivery_services.Claim) and second is None
    delivery.refresh_from_db()
    assert delivery.status == Status.SENDING and delivery.worker == "a" and delivery.attempt_count == 1
    assert delivery.lease_until > timezone.now()
    assert first.content.idempotency_key == str(delivery.pk)
    assert DeliveryAttempt.objects.get().outcome == DeliveryAttempt.Outcome.RUNNING


def test_the_rate_limit_counts_attempts_in_the_window_and_names_when_a_slot_frees(
    live_channels, fake_mastodon, editor, department, settings
):
    settings.PUBLISHING_RATE_LIMITS = {"mastodon": (2, 60)}
    channels = live_channels(fake_mastodon)
    posts = approved_posts_in_bulk(3, channels=[channels["mastodon"]], author=editor, department=department)
    deliveries = [Delivery.objects.get(post=p) for p in posts]

    assert run(deliveries[0]) == Status.PUBLISHED
    assert run(deliveries[1]) == Status.PUBLISHED
    first_start = DeliveryAttempt.objects.order_by("started_at").first().started_at
    assert run(deliveries[2]) == "rate limited"
    deliveries[2].refresh_from_db()
    assert deliveries[2].status == Status.PENDING and deliveries[2].attempt_count == 0
    assert deliveries[2].next_attempt_at == first_start + timedelta(seconds=60)
    assert fake_mastodon.created_count == 2


# --- the sweep ------------------------------------------------------------------------------------------------


def _claimed(channels, kind, *, editor, department):
    (post,) = approved_posts_in_bulk(1, channels=[channels[kind]], author=editor, department=department)
    delivery = Delivery.objects.get(post=post)
    assert delivery_services.delivery_claim(delivery_id=delivery.pk, worker="gone@host:9")
    return delivery


def test_the_sweep_turns_expired_leases_into_uncertain_or_a_safe_retry(
    live_channels, fake_x, fake_mastodon, editor, department, coordinator
):
    channels = live_channels(fake_x, fake_mastodon)
    x = _claimed(channels, "x", editor=editor, department=department)
    mastodon = _claimed(channels, "mastodon", editor=editor, department=department)
    assert delivery_services.deliveries_sweep().expired == 0  # leases still running

    # After the lease (and its renewals) ended, well within Mastodon's key window (an hour later the key
    # may be forgotten: test_delivery_faults.py::test_a_lost_mastodon_worker_…).
    later = timezone.now() + timedelta(minutes=10)
    result = delivery_services.deliveries_sweep(now=later)

    assert result.expired == 2
    x.refresh_from_db()
    mastodon.refresh_from_db()
    assert x.status == Status.UNCERTAIN and x.next_attempt_at is None
    assert mastodon.status == Status.RETRYING and mastodon.pk in result.queued  # same key, safe
    assert x.attempts.get().outcome == DeliveryAttempt.Outcome.LOST
    assert (
        Notification.objects.filter(kind=Notification.Kind.DELIVERY_UNCERTAIN, recipient=coordinator).count()
        == 1
    )
    assert delivery_services.deliveries_sweep(now=later).expired == 0  # done once


def test_the_sweep_queues_due_deliveries_once_per_requeue_interval(
    live_channels, fake_mastodon, editor, department, admin_user, settings
):
    settings.PUBLISHING_REQUEUE_SECONDS = 120
    channels = live_channels(fake_mastodon)
    posts = approved_posts_in_bulk(3, channels=[channels["mastodon"]], author=editor, department=department)
    Delivery.objects.update(enqueued_at=None)  # as if the approval's messages never reached the broker
    now = timezone.now()

    first = delivery_services.deliveries_sweep(now=now)
    assert sorted(first.queued) == sorted(Delivery.objects.values_list("pk", flat=True))
    assert delivery_services.deliveries_sweep(now=now + timedelta(seconds=30)).queued == []
    assert len(delivery_services.deliveries_sweep(now=now + timedelta(seconds=121)).queued) == 3
    # A switched-off channel's deliveries wait (and are not queued) until it is on again.
    services.channel_disable(actor=admin_user, channel=channels["mastodon"])
    assert delivery_services.deliveries_sweep(now=now + timedelta(seconds=300)).queued == []
    assert run(Delivery.objects.get(post=posts[0])) == "nothing to do"


# --- people: retry, mark published, withdraw ----------------------------------------------------------------


def test_only_the_coordination_retries_and_marks_published(
    live_channels, fake_x, editor, department, coordinator, head
):
    channels = live_channels(fake_x)
    (post,) = approved_posts_in_bulk(1, channels=[channels["x"]], author=editor, department=department)
    delivery = Delivery.objects.get(post=post)
    fake_x.slow(2.0, path=r"/2/tweets$")
    assert run(delivery) == Status.UNCERTAIN

    for user in (editor, head):
        with pytest.raises(PermissionDenied):
            delivery_services.delivery_retry(actor=user, delivery=delivery)
        with pytest.raises(PermissionDenied):
            delivery_services.delivery_mark_published(
                actor=user, delivery=delivery, url="https://x.com/l/status/1"
            )
    with pytest.raises(ValidationError) as error:
        delivery_services.delivery_mark_published(actor=coordinator, delivery=delivery, url="kein Link")
    assert error.value.message_dict["url"] == ["Das ist keine Webadresse (sie sollte mit https:// beginnen)."]

    url = f"https://x.com/LandkreisTest/status/{fake_x.created[0]['id']}"
    delivery_services.delivery_mark_published(actor=coordinator, delivery=delivery, url=url)
    delivery.refresh_from_db()
    assert delivery.status == Status.PUBLISHED and delivery.external_url == url
    assert Post.objects.get(pk=post.pk).status == Post.Status.PUBLISHED
    event = AuditEvent.objects.get(verb="delivery.marked_published")
    assert event.actor_id == coordinator.pk and event.after["url"] == url
    with pytest.raises(ValidationError):  # published: nothing to retry
        delivery_services.delivery_retry(actor=coordinator, delivery=delivery)


def test_withdrawal_needs_a_reason_stops_what_is_not_sent_and_deletes_what_is(
    live_channels, fake_x, fake_mastodon, editor, department, coordinator
):
    channels = live_channels(fake_x, fake_mastodon)
    (post,) = approved_posts_in_bulk(
        1, channels=list(channels.values()), author=editor, department=department
    )
    x = Delivery.objects.get(post=post, channel=channels["x"])
    mastodon = Delivery.objects.get(post=post, channel=channels["mastodon"])
    assert run(x) == Status.PUBLISHED  # Mastodon has not gone out yet

    with pytest.raises(ValidationError) as error:
        delivery_services.deliveries_withdraw_for_post(actor=coordinator, post=post, reason="   ")
    assert error.value.message_dict["reason"] == ["Bitte geben Sie den Grund für das Zurückziehen an."]
    with pytest.raises(PermissionDenied):
        delivery_services.deliveries_withdraw_for_post(actor=editor, post=post, reason="Falsch")

    delivery_services.deliveries_withdraw_for_post(
        actor=coordinator, post=post, reason="Die Zahlen waren falsch."
    )

    mastodon.refresh_from_db()
    x.refresh_from_db()
    assert mastodon.status == Status.WITHDRAWN and mastodon.attempt_count == 0
    assert x.status == Status.WITHDRAWING
    assert tasks.run_withdrawal(x.pk, worker="test") == Status.WITHDRAWN
    assert fake_x.deleted == [fake_x.created[0]["id"]]
    assert fake_mastodon.requests == []
    assert Post.objects.get(pk=post.pk).status == Post.Status.WITHDRAWN
    assert run(mastodon) == "nothing to do"


def test_a_delivery_withdrawn_while_it_is_sent_is_deleted_once_it_is_published(
    live_channels, fake_mastodon, editor, department, coordinator
):
    channels = live_channels(fake_mastodon)
    (post,) = approved_posts_in_bulk(1, channels=[channels["mastodon"]], author=editor, department=department)
    delivery = Delivery.objects.get(post=post)
    claim = delivery_services.delivery_claim(delivery_id=delivery.pk, worker="w")

    delivery_services.deliveries_withdraw_for_post(actor=coordinator, post=post, reason="Termin abgesagt.")
    from channels.adapters import adapter_for

    ref = adapter_for(claim.channel).publish(claim.content)  # the network call that was under way
    result = delivery_services.delivery_record_outcome(
        claim=claim, ref=ref, error=None, duration_ms=5, deduplicates=True
    )

    assert result.status == Status.WITHDRAWING and result.withdraw
    assert tasks.run_withdrawal(delivery.pk, worker="w") == Status.WITHDRAWN
    assert fake_mastodon.deleted == [ref.external_id]


def test_a_refused_deletion_waits_for_a_person_and_can_be_retried(
    live_channels, fake_x, editor, department, coordinator
):
    channels = live_channels(fake_x)
    (post,) = approved_posts_in_bulk(1, channels=[channels["x"]], author=editor, department=department)
    delivery = Delivery.objects.get(post=post)
    assert run(delivery) == Status.PUBLISHED
    delivery_services.deliveries_withdraw_for_post(actor=coordinator, post=post, reason="Falsche Uhrzeit.")
    fake_x.fail(
        403, path=r"/2/tweets/\d+$", method="DELETE", message="You are not allowed to delete this Tweet."
    )

    assert tasks.run_withdrawal(delivery.pk, worker="w") == Status.WITHDRAWING
    delivery.refresh_from_db()
    assert delivery.next_attempt_at is None and "not allowed to delete" in delivery.last_error
    assert tasks.run_withdrawal(delivery.pk, worker="w") == "nothing to do"  # no automatic repeat

    delivery_services.delivery_retry(actor=coordinator, delivery=delivery)
    assert tasks.run_withdrawal(delivery.pk, worker="w") == Status.WITHDRAWN
    assert fake_x.deleted == [delivery.external_id]


def test_a_channel_removed_from_the_rollout_keeps_its_deliveries_waiting(
    live_channels, fake_mastodon, editor, department, admin_user
):
    channels = live_channels(fake_mastodon)
    (post,) = approved_posts_in_bulk(1, channels=[channels["mastodon"]], author=editor, department=department)
    delivery = Delivery.objects.get(post=post)
    RolloutPhase.objects.update(status=RolloutPhase.Status.PLANNED)
    assert run(delivery) == "nothing to do"
    RolloutPhase.objects.update(status=RolloutPhase.Status.ACTIVE)
    assert Channel.objects.get(pk=channels["mastodon"].pk).enabled
    assert run(delivery) == Status.PUBLISHED


def test_backoff_is_full_jitter_within_bounds_and_honours_retry_after(settings):
    settings.PUBLISHING_RETRY_BASE_SECONDS = 10
    settings.PUBLISHING_RETRY_MAX_SECONDS = 100
    for attempt, ceiling in ((1, 10), (2, 20), (3, 40), (5, 100), (9, 100)):
        waits = [delivery_services.backoff_seconds(attempt) for _ in range(300)]
        assert min(waits) >= 1 and max(waits) <= ceiling
        assert max(waits) - min(waits) > ceiling / 3  # spread out, not a fixed step
    assert all(delivery_services.backoff_seconds(1, retry_after=500) >= 500 for _ in range(50))


def test_a_rate_limit_wait_longer_than_a_countdown_is_left_to_the_sweep_at_once(
    live_channels, fake_mastodon, editor, department, settings
):
    """The limiter's wait path: a slot that frees in more than PUBLISHING_MAX_COUNTDOWN_SECONDS is not
    queued, so the delivery must not look queued (issue 14)."""
    settings.PUBLISHING_RATE_LIMITS = {"mastodon": (1, 600)}
    channels = live_channels(fake_mastodon)
    posts = approved_posts_in_bulk(2, channels=[channels["mastodon"]], author=editor, department=department)
    first, second = (Delivery.objects.get(post=p) for p in posts)
    assert run(first) == Status.PUBLISHED
    assert run(second) == "rate limited"
    second.refresh_from_db()
    assert second.enqueued_at is None
    assert delivery_services.deliveries_sweep(now=second.next_attempt_at + timedelta(seconds=1)).queued == [
        second.pk
    ]
