"""The author's account id on the network (``InboxItem.author_network_id``): read with every item where
the network delivers it, handed to the actions that address the author rather than the item – an X
direct message to a mention's author, the answer to a Messenger message, a Mastodon report – deleted
with the item, never logged, never shown. Without it those actions are refused clearly (no 500).

Everything runs through the fetch and the reply/moderation services against the fake servers."""

from __future__ import annotations

import json
import logging
import time
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from etiquette.selectors import netiquette_clause
from inbox import fetching, moderation, replying, services
from inbox.models import ChannelInbox, DepartmentReplySetting, InboxItem, ModerationAction, Reply

pytestmark = pytest.mark.django_db
ANSWER = "Danke für Ihre Nachricht. Wir melden uns morgen mit den Einzelheiten bei Ihnen."


def fetch(channel):
    ChannelInbox.objects.filter(channel=channel).update(next_fetch_at=None)
    result = fetching.fetch_channel(channel.pk)
    assert result.status == "ok", result
    return result


def to_department(item, department):
    """Routed to the cast's department (as Koordination's triage would), replies going out at once."""
    InboxItem.objects.filter(pk=item.pk).update(department=department)
    DepartmentReplySetting.objects.update_or_create(
        department=department, defaults={"replies_need_approval": False}
    )
    item.refresh_from_db()
    return item


def send_now(actor, item, *, direct=False):
    reply = replying.reply_submit(actor=actor, item=item, text=ANSWER, direct=direct)
    assert reply.status == Reply.Status.APPROVED
    status = replying.reply_send(reply.pk)
    reply.refresh_from_db()
    return status, reply


# --- the fetch stores the id, per network ----------------------------------------------------------


def test_mastodon_stores_the_account_id_of_mentions_and_direct_messages(fake_mastodon_inbox, live_channels):
    fake = fake_mastodon_inbox
    channel = live_channels(fake)["mastodon"]
    mention = fake.citizen_writes("@landkreis die Ampel ist kaputt")
    dm = fake.citizen_writes("Eine private Frage", visibility="direct", acct="jan", name="Jan")
    fetch(channel)
    stored = dict(InboxItem.objects.values_list("network_id", "author_network_id"))
    assert stored == {mention["id"]: mention["account"]["id"], dm["id"]: dm["account"]["id"]}
    assert mention["account"]["id"] != dm["account"]["id"] and all(stored.values())


def test_x_stores_the_mentions_author_id(fake_x_inbox, live_channels):
    fake = fake_x_inbox
    channel = live_channels(fake)["x"]
    ChannelInbox.objects.filter(pk=fetching.channel_inbox_for(channel).pk).update(
        reading_enabled=True, monthly_read_budget=100
    )
    tweet = fake.citizen_mentions("@LandkreisTest Ampel defekt", username="erika_m")
    fetch(channel)
    item = InboxItem.objects.get()
    assert item.author_network_id == tweet["author_id"] and item.author_handle == "@erika_m"


def test_facebook_keeps_no_commenters_id_nothing_needs_it(fake_facebook_inbox, live_channels, published_on):
    fake = fake_facebook_inbox
    channel = live_channels(fake)["facebook"]
    _post, post_id = published_on(channel, fake)
    with_from = fake.citizen_comments(post_id, "Gilt das auch für Kinder?")
    without = fake.citizen_comments(post_id, "Und für Rentner?", with_from=False)
    fetch(channel)
    stored = dict(InboxItem.objects.values_list("network_id", "author_network_id"))
    # Graph names the commenter, but a private reply goes by the comment's id: store the minimum.
    assert with_from["from"]["id"] and stored == {with_from["id"]: "", without["id"]: ""}


def test_facebook_reads_messenger_messages_with_the_senders_psid(fake_facebook_inbox, live_channels):
    fake = fake_facebook_inbox
    channel = live_channels(fake)["facebook"]
    message = fake.citizen_messages("Wann hat die Zulassungsstelle geöffnet?", name="Erika Muster")
    fetch(channel)
    item = InboxItem.objects.get()
    assert item.kind == InboxItem.Kind.DIRECT and item.department_id is None  # triage
    assert item.network_id == message["id"] and item.text == message["message"]
    assert item.author_network_id == fake.psid_of("Erika Muster") == message["from"]["id"]
    assert item.conversation_key == f"dm:{fake.conversations[message['from']['id']]['id']}"
    (request,) = fake.requests_to(r"/conversations$")
    assert request.value("platform") == "messenger"
    fake.citizen_messages("Noch eine Frage", name="Erika Muster")
    assert fetch(channel).created == 1  # only the new one (cursor), same conversation
    assert InboxItem.objects.values("conversation_key").distinct().count() == 1


def test_a_channel_read_before_messenger_was_read_does_not_import_its_old_messages(
    fake_facebook_inbox, live_channels
):
    fake = fake_facebook_inbox
    channel = live_channels(fake)["facebook"]
    fake.citizen_messages("Eine alte Frage von letzter Woche", age=3 * 86400)
    state = fetching.channel_inbox_for(channel)
    ChannelInbox.objects.filter(pk=state.pk).update(  # the cursor as comments-only reading left it
        cursor=json.dumps({"since": int(time.time()) - 86400}), last_success_at=timezone.now()
    )
    assert fetch(channel).created == 0
    new = fake.citizen_messages("Eine neue Frage")
    assert fetch(channel).created == 1 and InboxItem.objects.get().network_id == new["id"]


def test_facebook_without_messenger_access_still_reads_comments(
    fake_facebook_inbox, live_channels, published_on, caplog
):
    fake = fake_facebook_inbox
    channel = live_channels(fake)["facebook"]
    _post, post_id = published_on(channel, fake)
    fake.citizen_comments(post_id, "Gilt das auch für Kinder?")
    fake.citizen_messages("Hallo?")
    fake.fail(403, path=r"/conversations$", message="(#230) Requires pages_messaging permission")
    with caplog.at_level(logging.WARNING):
        assert fetch(channel).created == 1
    assert InboxItem.objects.get().kind == InboxItem.Kind.COMMENT
    assert "Messenger not readable" in caplog.text
    assert fetch(channel).created == 1  # access granted later: the message arrives then


def test_instagram_keeps_no_igsid_of_comments(fake_instagram_inbox, live_channels, published_on):
    fake = fake_instagram_inbox
    channel = live_channels(fake)["instagram"]
    fake.created.append({"id": "17900000001"})
    _post, media_id = published_on(channel, external_id="17900000001")
    top = fake.citizen_comments(media_id, "Schönes Foto!", username="erika.m")
    fetch(channel)
    assert top["from"]["id"] and InboxItem.objects.get().author_network_id == ""  # nothing needs it


def test_bluesky_keeps_no_did_nothing_needs_it(fake_bluesky_inbox, live_channels):
    fake = fake_bluesky_inbox
    channel = live_channels(fake)["bluesky"]
    note = fake.citizen_writes("@landkreis.test Die Straße ist gesperrt")
    fetch(channel)
    item = InboxItem.objects.get()
    assert note["author"]["did"].startswith("did:plc:") and item.author_network_id == ""


# --- the actions that need it ------------------------------------------------------------------------


def test_x_answers_a_mention_by_direct_message_to_its_author(
    fake_x_inbox, live_channels, editor, department, caplog
):
    fake = fake_x_inbox
    channel = live_channels(fake)["x"]
    ChannelInbox.objects.filter(pk=fetching.channel_inbox_for(channel).pk).update(
        reading_enabled=True, monthly_read_budget=100
    )
    tweet = fake.citizen_mentions("@LandkreisTest Mein Antrag hängt, an wen wende ich mich?")
    with caplog.at_level(logging.DEBUG):
        fetch(channel)
        item = to_department(InboxItem.objects.get(), department)
        status, reply = send_now(editor, item, direct=True)
    assert status == Reply.Status.PUBLISHED, reply.last_error
    (dm,) = fake.dms
    assert dm["participant_id"] == tweet["author_id"] and dm["text"] == ANSWER
    assert reply.external_id == dm["dm_event_id"]
    assert not fake.requests_to(r"/2/tweets$", "POST")  # not a public reply
    assert tweet["author_id"] not in caplog.text  # never logged
    events = AuditEvent.objects.filter(verb__startswith="reply.")
    assert all(tweet["author_id"] not in f"{e.before}{e.after}{e.comment}" for e in events)


def test_messenger_message_is_answered_as_a_message_to_the_sender(
    fake_facebook_inbox, live_channels, editor, department, client, caplog
):
    fake = fake_facebook_inbox
    channel = live_channels(fake)["facebook"]
    message = fake.citizen_messages("Wann hat die Zulassungsstelle geöffnet?")
    psid = message["from"]["id"]
    with caplog.at_level(logging.DEBUG):
        fetch(channel)
        item = to_department(InboxItem.objects.get(), department)
        status, reply = send_now(editor, item)  # a direct message is answered as one
    assert status == Reply.Status.PUBLISHED, reply.last_error
    assert reply.direct
    (sent,) = fake.messages
    assert sent["recipient"] == {"id": psid} and sent["text"] == ANSWER
    request = fake.requests_to(r"/messages$", "POST")[-1]
    assert request.value("messaging_type") == "RESPONSE"
    assert psid not in caplog.text
    # The page's own answer is in the conversation now; it is not read back as a citizen's message.
    assert fetch(channel).created == 0
    client.force_login(editor)
    assert psid not in client.get(f"/inbox/{item.pk}/").content.decode()  # never shown


def test_mastodon_report_names_the_account_and_the_status(
    fake_mastodon_inbox, live_channels, coordinator, caplog
):
    fake = fake_mastodon_inbox
    channel = live_channels(fake)["mastodon"]
    status = fake.citizen_writes("@landkreis Ihr seid doch alle Idioten!", acct="troll@other.example")
    with caplog.at_level(logging.DEBUG):
        fetch(channel)
        item = InboxItem.objects.get()
        record = moderation.item_moderate(
            actor=coordinator,
            item=item,
            action="report",
            clause=netiquette_clause("respekt"),
            reason="Beleidigung",
        )
    assert record.succeeded
    (report,) = fake.reports
    assert report["account_id"] == status["account"]["id"] and report["status_ids"] == [status["id"]]
    assert report["comment"].startswith("1. ") and report["comment"].endswith(": Beleidigung")
    assert status["account"]["id"] not in caplog.text


# --- erased with the item ----------------------------------------------------------------------------


def test_the_id_goes_with_the_item_and_the_evidence_does_not_keep_it(
    fake_mastodon_inbox, live_channels, coordinator
):
    fake = fake_mastodon_inbox
    channel = live_channels(fake)["mastodon"]
    status = fake.citizen_writes("@landkreis Ihr seid doch alle Idioten!", acct="troll@other.example")
    fetch(channel)
    item = InboxItem.objects.get()
    account_id = status["account"]["id"]
    moderation.item_moderate(
        actor=coordinator, item=item, action="report", clause=netiquette_clause("respekt"), reason="x"
    )
    services.item_close(actor=coordinator, item=item, resolution="no_answer_needed", reason="gemeldet")
    InboxItem.objects.filter(pk=item.pk).update(closed_at=timezone.now() - timedelta(days=400))

    assert services.items_delete_expired() == 1

    assert not InboxItem.objects.filter(author_network_id=account_id).exists()
    (evidence,) = ModerationAction.objects.values()  # kept for its own period, without the id
    assert evidence["item_id"] is None
    assert all(account_id != value for value in evidence.values())


# --- without the id: a clear refusal, nothing sent ---------------------------------------------------


def test_x_direct_reply_without_the_id_is_refused_before_anything_is_sent(
    fake_x_inbox, live_channels, editor, department
):
    from .test_replies import make_item

    channel = live_channels(fake_x_inbox)["x"]
    item = to_department(
        make_item(channel, department, kind=InboxItem.Kind.MENTION, text="Hallo"), department
    )
    assert item.author_network_id == ""  # read before the id was stored
    with pytest.raises(ValidationError) as caught:
        replying.reply_submit(actor=editor, item=item, text=ANSWER, direct=True)
    assert "Konto-ID" in " ".join(caught.value.message_dict["direct"])
    assert not Reply.objects.exists() and fake_x_inbox.requests == []
    # A public reply is still possible.
    status, _reply = send_now(editor, item)
    assert status == Reply.Status.PUBLISHED


def test_messenger_reply_without_the_id_is_refused_on_the_page_not_a_500(
    fake_facebook_inbox, live_channels, editor, department, client
):
    from .test_replies import make_item

    channel = live_channels(fake_facebook_inbox)["facebook"]
    item = to_department(
        make_item(channel, department, network_id="m_1", kind=InboxItem.Kind.DIRECT, text="Hallo"), department
    )
    client.force_login(editor)
    # The page offers no reply box that could not work and says why.
    page = client.get(f"/inbox/{item.pk}/").content.decode()
    assert 'id="reply-box"' not in page and 'id="direct-unavailable"' in page and "Konto-ID" in page
    # A submission from an older page is refused (422), the page says why, nothing is sent.
    response = client.post(f"/inbox/{item.pk}/reply/", {"text": ANSWER})
    assert response.status_code == 422
    assert 'id="direct-unavailable"' in response.content.decode()
    assert not Reply.objects.exists() and not fake_facebook_inbox.requests_to(r"/messages$")


def test_an_x_mention_without_the_id_offers_only_the_public_reply(
    fake_x_inbox, live_channels, editor, department, client
):
    from .test_replies import make_item

    channel = live_channels(fake_x_inbox)["x"]
    item = to_department(
        make_item(channel, department, kind=InboxItem.Kind.MENTION, text="Hallo"), department
    )
    client.force_login(editor)
    page = client.get(f"/inbox/{item.pk}/").content.decode()
    assert (
        'id="reply-box"' in page and 'id="id_reply_direct"' not in page and 'id="direct-unavailable"' in page
    )
    item.author_network_id = "2244994945"
    item.save(update_fields=["author_network_id"])
    page = client.get(f"/inbox/{item.pk}/").content.decode()
    assert 'id="id_reply_direct"' in page and 'id="direct-unavailable"' not in page


def test_mastodon_report_without_the_id_is_refused_and_recorded_not_a_500(
    fake_mastodon, live_channels, coordinator, client
):
    from .test_replies import make_item

    item = make_item(live_channels(fake_mastodon)["mastodon"], None, text="Ihr Idioten")
    client.force_login(coordinator)
    response = client.post(
        f"/inbox/{item.pk}/moderate/",
        {"action": "report", "clause": netiquette_clause("respekt").pk, "reason": "Beleidigung"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    # Reporting is not offered for this item, and the page says why.
    assert 'id="report-unavailable"' in html and "Konto-ID" in html
    assert 'value="report"' not in html
    assert fake_mastodon.reports == [] and not fake_mastodon.requests_to(r"/reports")
    assert not ModerationAction.objects.filter(succeeded=True).exists()


def test_the_admin_does_not_show_the_id_either(fake_mastodon_inbox, live_channels, admin_user, client):
    from accounts.testing import force_login_verified

    fake = fake_mastodon_inbox
    status = fake.citizen_writes("@landkreis Hallo", acct="erika")
    fetch(live_channels(fake)["mastodon"])
    item = InboxItem.objects.get()
    force_login_verified(client, admin_user)
    page = client.get(f"/admin/inbox/inboxitem/{item.pk}/change/")
    assert page.status_code == 200 and "@erika" in page.content.decode()  # the handle is there …
    assert status["account"]["id"] not in page.content.decode()  # … the account id is not
