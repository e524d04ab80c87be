"""Mastodon: mentions (with the thread's root from the status context) and direct messages reach the
inbox through the adapter; paging, cursor, 429 with reset, 5xx, timeouts, malformed answers."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from channels.models import Channel
from inbox import fetching
from inbox.models import ChannelInbox, InboxItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def mastodon(fake_mastodon_inbox, live_channels):
    channel = live_channels(fake_mastodon_inbox)["mastodon"]
    return fake_mastodon_inbox, channel


def fetch(channel):
    # A run ends with its lease released; tests may run again at once.
    ChannelInbox.objects.filter(channel=channel).update(next_fetch_at=None)
    return fetching.fetch_channel(channel.pk)


def test_comment_on_a_county_post_goes_to_the_posts_department(mastodon, published_on, department):
    fake, channel = mastodon
    post, status_id = published_on(channel, fake)
    fake.citizen_writes(
        '<p>Gibt es auch Termine am Samstag? <a href="https://x.example">Link</a></p>', in_reply_to=status_id
    )

    result = fetch(channel)

    assert result.status == "ok" and result.created == 1
    item = InboxItem.objects.get()
    assert item.kind == InboxItem.Kind.COMMENT
    assert item.post_id == post.pk and item.department_id == department.pk
    assert item.text == "Gibt es auch Termine am Samstag? Link"
    assert item.author_handle == "@erika" and item.author_name == "Erika Muster"
    assert item.author_url == "https://social.example/@erika"
    assert item.due_at is not None and item.state == InboxItem.State.NEW


def test_reply_in_a_thread_finds_the_root_through_the_context(mastodon, published_on, department):
    fake, channel = mastodon
    post, status_id = published_on(channel, fake)
    first = fake.citizen_writes("Erste Frage", in_reply_to=status_id)
    fake.citizen_writes("@erika ich weiß es auch nicht", in_reply_to=first["id"], acct="max", name="Max")

    fetch(channel)

    reply = InboxItem.objects.exclude(network_id=first["id"]).get()
    assert reply.kind == InboxItem.Kind.REPLY
    assert reply.post_id == post.pk and reply.department_id == department.pk
    assert reply.parent.network_id == first["id"]
    assert reply.conversation_key == InboxItem.objects.get(network_id=first["id"]).conversation_key
    assert fake.requests_to(r"/context$")


def test_mention_without_post_and_direct_message_go_to_triage(mastodon):
    fake, channel = mastodon
    fake.citizen_writes("@landkreis die Ampel an der B71 ist kaputt")
    fake.citizen_writes("Ich habe eine private Frage", visibility="direct", acct="jan", name="Jan")

    fetch(channel)

    kinds = dict(InboxItem.objects.values_list("kind", "department"))
    assert kinds == {InboxItem.Kind.MENTION: None, InboxItem.Kind.DIRECT: None}
    assert InboxItem.objects.get(kind=InboxItem.Kind.DIRECT).conversation_key.startswith("dm:")


def test_paging_and_cursor_every_item_once(mastodon, settings):
    fake, channel = mastodon
    for number in range(95):
        fake.citizen_writes(f"Frage {number}")

    first = fetch(channel)
    assert first.pages == 3 and first.created == 95
    cursor = json.loads(ChannelInbox.objects.get(channel=channel).cursor)
    assert int(cursor["n"]) == max(int(n["id"]) for n in fake.notifications)

    fake.citizen_writes("Noch eine")
    second = fetch(channel)
    assert second.created == 1 and second.seen == 1
    assert InboxItem.objects.count() == 96
    # The second run started after the cursor: it did not read the 95 again.
    last = fake.requests_to(r"/notifications$")[-1]
    assert int(last.value("min_id")) == int(cursor["n"])


def test_rate_limit_backs_off_until_the_reset_and_keeps_the_cursor(mastodon):
    fake, channel = mastodon
    fake.citizen_writes("Hallo")
    fake.rate_limit(reset_in=120, path=r"/notifications$")

    result = fetch(channel)

    assert result.status == "retry"
    state = ChannelInbox.objects.get(channel=channel)
    assert state.cursor == "" and state.failures == 1 and state.lease_until is None
    assert (state.next_fetch_at - timezone.now()).total_seconds() >= 110
    assert not InboxItem.objects.exists()
    # Before the reset the channel is not read again.
    assert fetching.fetch_channel(channel.pk).status == "busy"
    assert fetch(channel).created == 1
    assert ChannelInbox.objects.get(channel=channel).failures == 0


@pytest.mark.parametrize("problem", ["500", "timeout", "malformed"])
def test_temporary_errors_back_off_and_the_next_run_catches_up(mastodon, problem, settings):
    fake, channel = mastodon
    settings.PUBLISHING_NETWORK_TIMEOUT = 1.0
    fake.citizen_writes("Hallo")
    if problem == "500":
        fake.fail(500, path=r"/notifications$")
    elif problem == "timeout":
        fake.slow(3.0, path=r"/notifications$")
    else:
        fake.malformed_notifications = 1

    result = fetch(channel)

    assert result.status == "retry", result
    state = ChannelInbox.objects.get(channel=channel)
    assert state.failures == 1 and state.last_error and state.next_fetch_at > timezone.now()
    assert not InboxItem.objects.exists()
    assert fetch(channel).created == 1


def test_revoked_token_stops_the_channel(mastodon):
    fake, channel = mastodon
    fake.unauthorized(path=r"/verify_credentials$")

    result = fetch(channel)

    assert result.status == "credentials"
    channel.refresh_from_db()
    assert channel.needs_attention
    assert fetch(channel).status == "skipped"  # not read again until the credentials are fixed


def test_nothing_personal_in_the_log(mastodon, caplog, published_on):
    fake, channel = mastodon
    _post, status_id = published_on(channel, fake)
    fake.citizen_writes("Meine Telefonnummer ist 0171 2345678", in_reply_to=status_id, name="Geheim Name")
    fake.fail(500, path=r"/context$")  # not needed for a comment – but an error later must not leak either
    with caplog.at_level("DEBUG"):
        fetch(channel)
    assert "0171" not in caplog.text and "Geheim" not in caplog.text
    assert InboxItem.objects.count() == 1
    assert Channel.objects.get(pk=channel.pk).attention_since is None


def test_the_first_read_skips_old_history_later_reads_do_not(mastodon, settings):
    fake, channel = mastodon
    settings.INBOX_BACKFILL_DAYS = 14
    old = fake.citizen_writes("Vor einem Monat")
    old["created_at"] = "2020-01-01T10:00:00.000Z"
    fake.citizen_writes("Gestern")

    assert fetch(channel).created == 1
    assert InboxItem.objects.get().text == "Gestern"
    late = fake.citizen_writes("Nachgereicht")
    late["created_at"] = "2020-01-02T10:00:00.000Z"  # after the first read, nothing is skipped
    assert fetch(channel).created == 1
