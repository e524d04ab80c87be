"""Spike alert: more than LANDKREIS_INBOX_SPIKE_PER_HOUR new items within an hour on one post notify
Koordination once per post and hour."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from inbox import spikes
from inbox.models import InboxItem, SpikeAlert

pytestmark = pytest.mark.django_db


def comments(channel, post, department, n, *, ago=timedelta(minutes=10)):
    now = timezone.now()
    for number in range(n):
        InboxItem.objects.create(
            channel=channel,
            network_id=f"s{post.pk}-{number}-{ago.total_seconds()}",
            kind=InboxItem.Kind.COMMENT,
            text="Warum?",
            received_at=now - ago,
            conversation_key=f"s{number}",
            department=department,
            post=post,
            due_at=now,
            remind_at=now,
            clock_starts_at=now,
        )


def test_koordination_is_told_once_per_hour(
    fake_mastodon,
    live_channels,
    published_on,
    department,
    coordinator,
    settings,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    settings.INBOX_SPIKE_PER_HOUR = 5
    channel = live_channels(fake_mastodon)["mastodon"]
    post, _id = published_on(channel)
    comments(channel, post, department, 5)
    comments(channel, post, department, 10, ago=timedelta(hours=2))  # older: not counted
    assert spikes.spikes_alert() == 0
    comments(channel, post, department, 1, ago=timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert spikes.spikes_alert() == 1
        assert spikes.spikes_alert() == 0  # the same hour: once
    assert SpikeAlert.objects.get().count == 6
    (mail,) = [m for m in mailoutbox if coordinator.email in m.to]
    assert "6" in mail.subject and "Warum?" not in mail.body
