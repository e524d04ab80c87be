"""Replying to and moderating citizens' items, per network, with the real client libraries over real
HTTP against the fake servers: success, refusal, 429 with the network's reset, timeouts – and what
each network does not allow is refused before anything is sent."""

from __future__ import annotations

import pytest

from channels.networks import registry
from channels.networks.base import ErrorKind, ItemRef, PostContent, PublishError

from .conftest import make_adapter

ANSWER = "Danke für Ihre Frage! Die Sprechzeiten stehen auf lk-row.de."


def citizen_item(kind: str, fake) -> ItemRef:
    """A citizen's comment/reply under a post the county published on ``fake``."""
    adapter = make_adapter(fake)
    if kind == "mastodon":
        return ItemRef(external_id="777", author_id="4242", author_handle="erika@social.example")
    if kind == "facebook":
        post = adapter.publish(PostContent(text="Neue Öffnungszeiten"))
        return ItemRef(external_id=fake.add_comment(post.external_id, "Gilt das auch samstags?"))
    if kind == "instagram":
        return ItemRef(external_id=fake.add_comment("17900000000000001", "Gilt das auch samstags?"))
    if kind == "bluesky":
        root = adapter.publish(PostContent(text="Neue Öffnungszeiten"))
        uri, cid = fake.add_post("Gilt das auch samstags?", reply_to=root.external_id)
        return ItemRef(external_id=uri, cid=cid, root_id=root.external_id)
    if kind == "x":
        root = adapter.publish(PostContent(text="Neue Öffnungszeiten"))
        return ItemRef(external_id=fake.add_tweet("Gilt das auch samstags?", in_reply_to=root.external_id))
    raise AssertionError(kind)


# network -> (fixture, path of the reply request, path of the hide request or None, of the delete request)
NETWORKS = {
    "mastodon": ("fake_mastodon", r"/api/v1/statuses$", None, None),
    "facebook": ("fake_facebook", r"/\d+_\d+/comments$", r"/v21\.0/\d+_\d+$", r"/v21\.0/\d+_\d+$"),
    "instagram": ("fake_instagram", r"/\d+/replies$", r"/v21\.0/\d+$", r"/v21\.0/\d+$"),
    "bluesky": ("fake_bluesky", r"createRecord$", r"putRecord$", None),
    "x": ("fake_x", r"/2/tweets$", r"/hidden$", None),
}


@pytest.fixture(params=sorted(NETWORKS))
def network(request):
    kind = request.param
    fixture, reply_path, hide_path, delete_path = NETWORKS[kind]
    fake = request.getfixturevalue(fixture)
    return kind, fake, reply_path, hide_path, delete_path


def error_of(call) -> PublishError:
    with pytest.raises(PublishError) as caught:
        call()
    return caught.value


def test_capabilities_are_declared_per_network_in_the_registry():
    got = {kind: registry.interactions(kind) for kind in NETWORKS}
    assert {kind: i.moderation for kind, i in got.items()} == {
        "mastodon": ("report",),
        "facebook": ("hide", "unhide", "delete"),
        "instagram": ("hide", "unhide", "delete"),
        "bluesky": ("hide", "unhide"),
        "x": ("hide", "unhide"),
    }
    assert all(i.reply for i in got.values())
    assert [kind for kind, i in got.items() if i.reply_deduplicates] == ["mastodon"]
    assert [kind for kind, i in got.items() if not i.reply_direct] == ["bluesky"]
    assert registry.interactions("sandbox").moderation == ("hide", "unhide", "delete")  # the demo channel
    # What is addressed to the author's account id instead of the item (ItemRef.author_id):
    needs = {
        kind: (
            i.needs_author_id("reply_direct", False),  # a direct answer to a public item
            i.needs_author_id("reply_direct", True),  # the answer to a direct message
            i.needs_author_id("report"),
        )
        for kind, i in got.items()
    }
    assert needs == {
        "mastodon": (False, False, True),  # DMs are statuses mentioning the author; reports name the account
        "facebook": (False, True, False),  # a comment gets a private reply by its id; Messenger: the PSID
        "instagram": (False, True, False),
        "bluesky": (False, False, False),
        "x": (True, True, False),  # every DM goes to the author's user id
    }


# --- replies -------------------------------------------------------------------------------------------


def test_reply_appears_in_the_thread_of_the_citizens_item(network):
    kind, fake, reply_path, _hide, _delete = network
    target = citizen_item(kind, fake)
    ref = make_adapter(fake).reply(target, PostContent(text=ANSWER, idempotency_key="reply-5"))
    assert ref.external_id
    (request,) = fake.requests_to(reply_path, "POST")[-1:]
    if kind == "mastodon":
        assert request.value("in_reply_to_id") == "777"
        assert request.value("status") == f"@erika@social.example {ANSWER}"
        assert request.value("visibility") == "public"
        assert request.header("idempotency-key") == "reply-5"
        assert fake.replies_to("777")[0]["id"] == ref.external_id
    elif kind == "facebook":
        reply = fake.comments[ref.external_id]
        assert reply["parent"] == target.external_id and reply["message"] == ANSWER and reply["by_page"]
        assert ref.url.endswith(f"comment_id={ref.external_id}")
    elif kind == "instagram":
        reply = fake.comments[ref.external_id]
        assert reply["parent"] == target.external_id and reply["text"] == ANSWER
    elif kind == "bluesky":
        record = fake.created[-1]["record"]
        assert record["text"] == ANSWER
        parent = record["reply"]["parent"]
        assert (parent["uri"], parent["cid"]) == (target.external_id, target.cid)
        assert record["reply"]["root"]["uri"] == target.root_id
        assert record["reply"]["root"]["cid"]  # read with getRecord: the caller did not know it
    elif kind == "x":
        assert request.json["reply"] == {"in_reply_to_tweet_id": target.external_id}
        assert ref.url == f"https://x.com/LandkreisTest/status/{ref.external_id}"


def test_refused_reply_is_permanent_with_the_networks_message(network):
    kind, fake, reply_path, _hide, _delete = network
    target = citizen_item(kind, fake)
    fake.fail(
        403 if kind == "x" else 422 if kind == "mastodon" else 400, path=reply_path, message="nope, refused"
    )
    error = error_of(lambda: make_adapter(fake).reply(target, PostContent(text=ANSWER)))
    assert error.kind is ErrorKind.PERMANENT, error
    assert "refused" in error.message


def test_rate_limited_reply_is_retryable_after_the_networks_reset(network):
    kind, fake, reply_path, _hide, _delete = network
    target = citizen_item(kind, fake)
    fake.rate_limit(reset_in=120, path=reply_path)
    error = error_of(lambda: make_adapter(fake).reply(target, PostContent(text=ANSWER)))
    assert error.kind is ErrorKind.RETRYABLE
    assert error.retry_after is not None and 90 <= error.retry_after <= 125, error.retry_after


def test_reply_timing_out_is_uncertain_except_on_mastodon_with_its_idempotency_key(network):
    kind, fake, reply_path, _hide, _delete = network
    target = citizen_item(kind, fake)
    content = PostContent(text=ANSWER, idempotency_key="reply-9")
    fake.slow(2.0, path=reply_path)
    error = error_of(lambda: make_adapter(fake, timeout=0.6).reply(target, content))
    if kind == "mastodon":
        assert error.kind is ErrorKind.RETRYABLE, error
        again = make_adapter(fake).reply(target, content)  # the repeat finds the status already made
        assert [status["id"] for status in fake.replies_to("777")] == [again.external_id]
    else:
        assert error.kind is ErrorKind.UNCERTAIN, error


def test_connection_refused_before_sending_is_retryable(network):
    kind, fake, *_paths = network
    target = citizen_item(kind, fake)
    fake.stop()
    error = error_of(lambda: make_adapter(fake).reply(target, PostContent(text=ANSWER)))
    assert error.kind is ErrorKind.RETRYABLE, error


# --- hiding --------------------------------------------------------------------------------------------


def hidden_on(kind, fake, target) -> bool:
    if kind == "facebook":
        return fake.comments[target.external_id]["is_hidden"]
    if kind == "instagram":
        return fake.comments[target.external_id]["hidden"]
    if kind == "bluesky":
        return target.external_id in fake.hidden_replies(target.root_id)
    if kind == "x":
        return fake.tweets[target.external_id]["hidden"]
    raise AssertionError(kind)


def test_hide_and_unhide_where_the_network_allows_it(network):
    kind, fake, _reply, hide_path, _delete = network
    target = citizen_item(kind, fake)
    adapter = make_adapter(fake)
    if hide_path is None:
        error = error_of(lambda: adapter.hide(target))
        assert error.kind is ErrorKind.PERMANENT
        assert "nicht möglich" in error.message
        assert fake.requests == [] or not fake.requests_to(r"hidden|putRecord")
        return
    adapter.hide(target)
    assert hidden_on(kind, fake, target)
    adapter.hide(target)  # twice is harmless
    assert hidden_on(kind, fake, target)
    adapter.unhide(target)
    assert not hidden_on(kind, fake, target)


def test_hiding_rate_limited_is_retryable_and_a_timeout_too(network):
    kind, fake, _reply, hide_path, _delete = network
    if hide_path is None:
        pytest.skip("no hiding on this network")
    target = citizen_item(kind, fake)
    fake.rate_limit(reset_in=60, path=hide_path, method="PUT" if kind == "x" else "POST")
    error = error_of(lambda: make_adapter(fake).hide(target))
    assert error.kind is ErrorKind.RETRYABLE and error.retry_after is not None
    fake.slow(2.0, path=hide_path)
    error = error_of(lambda: make_adapter(fake, timeout=0.6).hide(target))
    assert error.kind is ErrorKind.RETRYABLE, error  # hiding again is harmless


def test_x_refuses_to_hide_replies_in_other_peoples_conversations(fake_x):
    foreign = fake_x.add_tweet("Ein fremder Thread")
    target = ItemRef(external_id=fake_x.add_tweet("Antwort darin", in_reply_to=foreign))
    error = error_of(lambda: make_adapter(fake_x).hide(target))
    assert error.kind is ErrorKind.PERMANENT and error.status_code == 403


def test_bluesky_hides_only_in_the_countys_threads_and_keeps_earlier_hidden_replies(fake_bluesky):
    foreign_root, _cid = fake_bluesky.add_post("Ein fremder Thread")
    uri, cid = fake_bluesky.add_post("Antwort darin", reply_to=foreign_root)
    error = error_of(lambda: make_adapter(fake_bluesky).hide(ItemRef(uri, cid=cid, root_id=foreign_root)))
    assert error.kind is ErrorKind.PERMANENT
    assert not fake_bluesky.requests_to(r"putRecord$")
    first = citizen_item("bluesky", fake_bluesky)
    second_uri, _ = fake_bluesky.add_post("Noch eine", reply_to=first.root_id)
    adapter = make_adapter(fake_bluesky)
    adapter.hide(first)
    adapter.hide(ItemRef(second_uri, root_id=first.root_id))
    assert fake_bluesky.hidden_replies(first.root_id) == [first.external_id, second_uri]
    # The second update named the threadgate's CID (swapRecord): no lost update.
    assert fake_bluesky.requests_to(r"putRecord$")[-1].json["swapRecord"]


def test_instagram_refuses_a_reply_to_a_hidden_comment(fake_instagram):
    target = citizen_item("instagram", fake_instagram)
    adapter = make_adapter(fake_instagram)
    adapter.hide(target)
    error = error_of(lambda: adapter.reply(target, PostContent(text=ANSWER)))
    assert error.kind is ErrorKind.PERMANENT and "top-level" in error.message


# --- deleting and reporting ----------------------------------------------------------------------------


def test_delete_where_the_network_allows_it(network):
    kind, fake, _reply, _hide, delete_path = network
    target = citizen_item(kind, fake)
    adapter = make_adapter(fake)
    if delete_path is None:
        error = error_of(lambda: adapter.delete_comment(target))
        assert error.kind is ErrorKind.PERMANENT and "nicht möglich" in error.message
        assert not fake.requests_to(r".", "DELETE")
        return
    adapter.delete_comment(target)
    if kind == "facebook":
        assert fake.deleted == [target.external_id]
    else:
        assert fake.deleted_comments == [target.external_id]
        error = error_of(lambda: adapter.delete_comment(target))  # gone: Meta refuses
        assert error.kind is ErrorKind.PERMANENT


def test_delete_rate_limited_or_timing_out_is_retryable(network):
    kind, fake, _reply, _hide, delete_path = network
    if delete_path is None:
        pytest.skip("no deleting on this network")
    target = citizen_item(kind, fake)
    fake.rate_limit(reset_in=60, path=delete_path, method="DELETE")
    error = error_of(lambda: make_adapter(fake).delete_comment(target))
    assert error.kind is ErrorKind.RETRYABLE and error.retry_after is not None
    fake.slow(2.0, path=delete_path, method="DELETE")
    error = error_of(lambda: make_adapter(fake, timeout=0.6).delete_comment(target))
    assert error.kind is ErrorKind.RETRYABLE


def test_mastodon_reports_to_the_instance_admins(fake_mastodon):
    target = citizen_item("mastodon", fake_mastodon)
    report_id = make_adapter(fake_mastodon).report(target, comment="Beleidigung (Netiquette 3)", forward=True)
    (report,) = fake_mastodon.reports
    assert report["id"] == report_id
    assert report["account_id"] == "4242" and report["status_ids"] == ["777"]
    assert report["comment"] == "Beleidigung (Netiquette 3)" and report["forward"]
    fake_mastodon.rate_limit(reset_in=60, path=r"/reports/?$")
    error = error_of(lambda: make_adapter(fake_mastodon).report(target))
    assert error.kind is ErrorKind.RETRYABLE


def test_reporting_is_refused_where_the_network_offers_no_report(fake_facebook):
    error = error_of(lambda: make_adapter(fake_facebook).report(ItemRef("1_2")))
    assert error.kind is ErrorKind.PERMANENT
    assert fake_facebook.requests == []


# --- direct messages -----------------------------------------------------------------------------------


def test_direct_answers(network):
    kind, fake, *_paths = network
    target = citizen_item(kind, fake)
    adapter = make_adapter(fake)
    content = PostContent(text="Bitte schicken Sie uns Ihr Aktenzeichen per Nachricht.")
    if kind == "bluesky":
        error = error_of(lambda: adapter.reply(target, content, direct=True))
        assert error.kind is ErrorKind.PERMANENT and "nicht möglich" in error.message
        return
    if kind == "x":
        target = ItemRef(target.external_id, author_id="987654321")
    ref = adapter.reply(target, content, direct=True)
    assert ref.external_id
    if kind == "mastodon":
        (request,) = fake.requests_to(r"/api/v1/statuses$", "POST")
        assert request.value("visibility") == "direct"
        assert request.value("status").startswith("@erika@social.example ")
    elif kind in ("facebook", "instagram"):
        (message,) = fake.messages
        assert message["recipient"] == {"comment_id": target.external_id}  # a private reply
        assert message["text"] == content.text
    elif kind == "x":
        (dm,) = fake.dms
        assert dm["participant_id"] == "987654321" and dm["text"] == content.text


def test_a_direct_message_is_answered_as_a_direct_message(fake_facebook):
    target = ItemRef("m_mid.123", author_id="5550001", direct=True)
    make_adapter(fake_facebook).reply(target, PostContent(text="Gern, hier die Antwort."))
    (message,) = fake_facebook.messages
    assert message["recipient"] == {"id": "5550001"}
    assert not fake_facebook.requests_to(r"/comments$")


def test_facebook_allows_one_private_reply_per_comment(fake_facebook):
    target = citizen_item("facebook", fake_facebook)
    adapter = make_adapter(fake_facebook)
    adapter.reply(target, PostContent(text="Erste Nachricht"), direct=True)
    error = error_of(lambda: adapter.reply(target, PostContent(text="Zweite Nachricht"), direct=True))
    assert error.kind is ErrorKind.PERMANENT


def test_instagram_answers_a_direct_message_to_the_senders_scoped_id(fake_instagram):
    target = ItemRef("ig_mid.1", author_id="17841455555555555", direct=True)
    make_adapter(fake_instagram).reply(target, PostContent(text="Gern, hier die Antwort."))
    (message,) = fake_instagram.messages
    assert message["recipient"] == {"id": "17841455555555555"}


@pytest.mark.parametrize(
    ("kind", "action", "target", "path"),
    [
        ("x", "reply", ItemRef("1234"), r"/dm_conversations/"),
        ("facebook", "reply", ItemRef("m_mid.1", direct=True), r"/messages$"),
        ("instagram", "reply", ItemRef("ig_mid.1", direct=True), r"/messages$"),
        ("mastodon", "report", ItemRef("777", author_handle="erika@social.example"), r"/reports"),
    ],
)
def test_without_the_authors_account_id_nothing_is_sent_and_the_refusal_says_why(
    fake_networks, kind, action, target, path
):
    fake = fake_networks[kind]
    adapter = make_adapter(fake)
    if action == "report":
        error = error_of(lambda: adapter.report(target, comment="Beleidigung"))
    else:
        error = error_of(lambda: adapter.reply(target, PostContent(text=ANSWER), direct=True))
    assert error.kind is ErrorKind.PERMANENT and not error.retryable
    assert "Konto-ID" in error.message and "unbekannt" in error.message
    assert not fake.requests_to(path)
