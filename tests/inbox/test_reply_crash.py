"""A worker process killed while sending replies (real Celery worker and beat, Redis, PostgreSQL, the
fake networks): on Mastodon the reply exists once (sent again with the same Idempotency-Key), on
Facebook it is ``uncertain`` and never resent blindly."""

from __future__ import annotations

import pytest

from inbox import replying
from inbox.models import DepartmentReplySetting, Reply
from tests.publishing.delivery_support import kill_tree, wait_for, worker_env

from .test_replies import GOOD, make_item

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("role_groups"),
]
CRASH_ENV = {"LANDKREIS_NETWORK_TIMEOUT": "3", "LANDKREIS_DELIVERY_LEASE_SECONDS": "12"}


def test_a_worker_killed_while_sending_replies(
    celery_worker_process, beat_process, live_channels, fake_mastodon, fake_facebook, editor, department
):
    channels = live_channels(fake_mastodon, fake_facebook)
    DepartmentReplySetting.objects.create(department=department, replies_need_approval=False)
    mastodon_item = make_item(channels["mastodon"], department, network_id="777")
    comment = fake_facebook.add_comment("1234567890_55", "Gilt das auch samstags?")
    facebook_item = make_item(channels["facebook"], department, network_id=comment)
    # Both networks carry the reply out, then hold the answer back: the worker dies meanwhile.
    fake_mastodon.slow(30, path=r"/statuses$")
    fake_facebook.slow(30, path=r"/comments$")
    doomed = celery_worker_process("doomed", concurrency=2, env=worker_env(**CRASH_ENV))
    on_mastodon = replying.reply_submit(actor=editor, item=mastodon_item, text=GOOD)
    on_facebook = replying.reply_submit(actor=editor, item=facebook_item, text=GOOD)

    def page_replies():
        return [c for c in fake_facebook.comments.values() if c["by_page"]]

    wait_for(
        lambda: fake_mastodon.created_count == 1 and len(page_replies()) == 1,
        timeout=20,
        interval=0.05,
        message="the replies did not reach the fake networks",
    )
    assert set(Reply.objects.values_list("status", flat=True)) == {Reply.Status.SENDING}
    kill_tree(doomed)

    celery_worker_process("survivor", concurrency=2, env=worker_env(**CRASH_ENV))
    beat_process(env=CRASH_ENV)

    def outcome():
        return dict(Reply.objects.values_list("pk", "status"))

    wait_for(
        lambda: outcome() == {on_mastodon.pk: Reply.Status.PUBLISHED, on_facebook.pk: Reply.Status.UNCERTAIN},
        timeout=60,
        message=f"after the crash: {outcome()}",
    )
    # Mastodon: the same Idempotency-Key twice, one status.
    assert fake_mastodon.created_count == 1
    keys = {r.header("idempotency-key") for r in fake_mastodon.requests_to(r"/statuses$", "POST")}
    assert keys == {str(on_mastodon.key)} and len(fake_mastodon.requests_to(r"/statuses$", "POST")) == 2
    # Facebook: one request, one reply, nothing sent again.
    assert len(fake_facebook.requests_to(r"/comments$", "POST")) == 1 and len(page_replies()) == 1
