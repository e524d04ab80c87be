"""A reviewer approves the warning at the very moment its all-clear arrives (real threads, real row
locks): the cancellation waits for the approval instead of deadlocking with it, then takes the now
approved warning back – it is never left approved after the all-clear."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from approvals import selectors
from approvals.models import Review
from approvals.services import step_approve
from integrations.services import feed_import
from posts.models import Post

from .test_feeds import ARS, make_source, nina, templates  # noqa: F401 – the fixtures

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _blocked_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        return cursor.fetchone()[0] > 0


def test_an_approval_racing_the_all_clear_ends_withdrawn(nina, make_source, coordinator):  # noqa: F811
    source = make_source("nina", nina.base_url, ARS, withdraw_on_cancel=True)
    nina.publish(ARS, "mow.R", version=1, msg_type="Alert", headline="Gasaustritt", description="Fenster zu.")
    (item,) = feed_import(source=source)
    step = selectors.queue_for(coordinator).get(review__post=item.post)
    reasons = {
        selectors.finding_key(f): "geprüft"
        for f in selectors.current_findings(item.post)
        if selectors.is_warning(f)
    }
    holding, release, errors = threading.Event(), threading.Event(), []

    def approve():
        try:
            with transaction.atomic():
                Review.objects.select_for_update().get(pk=step.review_id)  # step_approve's first lock
                holding.set()
                release.wait(15)
                step_approve(actor=coordinator, step=step, acknowledgements=reasons)
        except Exception as exc:
            errors.append(repr(exc))
            holding.set()
        finally:
            connection.close()

    def release_once_the_import_waits():
        try:
            for _ in range(300):
                if _blocked_on_a_lock():
                    break
                time.sleep(0.05)
        finally:
            release.set()
            connection.close()

    reviewer = threading.Thread(target=approve)
    reviewer.start()
    assert holding.wait(15) and not errors, errors
    watcher = threading.Thread(target=release_once_the_import_waits)
    watcher.start()
    nina.publish(ARS, "mow.R", version=2, msg_type="Cancel", headline="Gasaustritt", description="")
    (cancel,) = feed_import(source=source)  # no deadlock: one all-clear item
    reviewer.join(30)
    watcher.join(30)
    assert errors == []  # the reviewer's approval went through (no deadlock victim either)
    item.post.refresh_from_db()
    assert item.post.status == Post.Status.WITHDRAWN
    assert cancel.kind == "cancel" and cancel.post is not None
