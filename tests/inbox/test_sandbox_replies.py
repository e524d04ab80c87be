"""The demo's sandbox channel can be answered and moderated like a network: the reply is a comment by
the county in the sandbox's comment section (once per key), it is not read back into the inbox, and
hiding and deleting work there."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from etiquette.selectors import netiquette_clause
from inbox import fetching, moderation, replying, services
from inbox.models import InboxItem, Reply, SandboxComment

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings, monkeypatch):
    settings.PUBLISHING_NETWORK_TIMEOUT = 2
    call_command("seed_demo", "--force", stdout=open("/dev/null", "w"))  # noqa: SIM115
    monkeypatch.setattr(replying, "_queue", lambda reply: None)


def user(name):
    return get_user_model().objects.get(username=name)


def test_redaktion_answers_a_sandbox_comment_koordination_approves_it_appears_once(seeded):
    item = InboxItem.objects.filter(kind="comment").order_by("pk").first()
    reply = replying.reply_submit(
        actor=user("redaktion"), item=item, text="Danke, die Termine stehen auf lk-row.de."
    )
    replying.reply_approve(actor=user("koordination"), reply=reply)
    assert replying.reply_send(reply.pk) == Reply.Status.PUBLISHED
    reply.refresh_from_db()
    answer = SandboxComment.objects.get(by_county=True)
    assert answer.parent_id == int(item.network_id[1:]) and answer.text.startswith("Danke")
    assert reply.url.endswith(f"#comment-{answer.pk}")
    # A resend with the same key (the sweep after a lost worker) finds the same answer.
    Reply.objects.filter(pk=reply.pk).update(status=Reply.Status.APPROVED)
    assert replying.reply_send(reply.pk) == Reply.Status.PUBLISHED
    assert SandboxComment.objects.filter(by_county=True).count() == 1
    # The county's own answer is not read back as a citizen's comment; a citizen's next one is.
    before = InboxItem.objects.count()
    services.sandbox_comment_create(
        actor=user("koordination"),
        channel=item.channel,
        sandbox_post_id=answer.sandbox_post_id,
        author_handle="Gerda S.",
        text="Und am Samstag?",
    )
    fetching.fetch_channel(item.channel_id)
    assert InboxItem.objects.count() == before + 1
    assert not InboxItem.objects.filter(author_handle="@landkreis").exists()


def test_koordination_hides_a_sandbox_comment(seeded):
    item = InboxItem.objects.filter(kind="comment").order_by("pk").first()
    moderation.item_moderate(
        actor=user("koordination"),
        item=item,
        action="hide",
        clause=netiquette_clause("respekt"),
        reason="Test",
    )
    assert SandboxComment.objects.get(pk=int(item.network_id[1:])).hidden
    assert moderation.state(item) == "hidden"
