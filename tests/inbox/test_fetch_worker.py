"""Real worker and beat processes fetch the inbox; a worker killed mid-fetch loses nothing and
duplicates nothing: the cursor was committed with each page, the next worker goes on from there."""

from __future__ import annotations

import pytest

from inbox.models import ChannelInbox, InboxItem
from tests.publishing.delivery_support import kill_tree, wait_for, worker_env

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("role_groups"),
]

ENV = {
    "LANDKREIS_INBOX_FETCH_SECONDS": "1",
    "LANDKREIS_INBOX_FETCH_LEASE_SECONDS": "8",
    "LANDKREIS_NETWORK_TIMEOUT": "6",
    "LANDKREIS_DELIVERY_LEASE_SECONDS": "30",
}


def test_worker_killed_mid_fetch_every_item_exactly_once(
    celery_worker_process, beat_process, live_channels, fake_mastodon_inbox
):
    fake = fake_mastodon_inbox
    channel = live_channels(fake)["mastodon"]
    for number in range(150):  # four pages of 40
        fake.citizen_writes(f"Frage Nummer {number}", acct=f"buerger{number % 7}")
    fake.hold_from, fake.hold_seconds = 3, 30  # the third page hangs

    doomed = celery_worker_process("doomed", concurrency=2, env=worker_env(**ENV))
    beat_process(env=ENV)
    wait_for(
        lambda: fake.notification_calls >= 3, timeout=30, interval=0.05, message="no third page requested"
    )
    kill_tree(doomed)

    # Two pages were committed with their cursor before the worker died.
    assert InboxItem.objects.count() == 80
    cursor_after_two_pages = ChannelInbox.objects.get(channel=channel).cursor
    assert cursor_after_two_pages

    fake.release()
    celery_worker_process("survivor", concurrency=2, env=worker_env(**ENV))
    wait_for(
        lambda: InboxItem.objects.count() >= 150, timeout=60, message=f"{InboxItem.objects.count()} items"
    )
    fake.citizen_writes("Nachzügler")
    wait_for(
        lambda: InboxItem.objects.count() >= 151, timeout=30, message="the next beat round did not fetch"
    )

    assert InboxItem.objects.count() == 151
    assert InboxItem.objects.values("network_id").distinct().count() == 151
    texts = set(InboxItem.objects.values_list("text", flat=True))
    assert {f"Frage Nummer {n}" for n in range(150)} <= texts
    # The survivor went on after the committed cursor: no page before it was read a second time.
    min_ids = [int(r.value("min_id")) for r in fake.requests_to(r"/notifications$")]
    assert min_ids.count(0) == 1
    state = ChannelInbox.objects.get(channel=channel)
    assert state.lease_until is None and state.failures == 0
