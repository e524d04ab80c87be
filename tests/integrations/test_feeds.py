"""Data feeds: each source's fake → posts; update → follow-up; cancel → Entwarnung (and withdrawal);
a repeated fetch → nothing new; urgent posts first in the queue."""

from __future__ import annotations

import pytest

from integrations.models import FeedItem, FeedSource, PostTemplate
from integrations.services import feed_import, template_save
from posts.models import Post
from tests.fakes.feeds import FakeDwd, FakeNina, FakePegel

ARS = "033570000000"  # Landkreis Rotenburg (Wümme)
WARNCELL = "103357000"
GAUGE = "0f7f5d0e-1c32-4c3b-9f1e-2d1f0a3b4c5d"


@pytest.fixture
def templates(admin_user, department, channels):
    def make(name, text):
        return template_save(
            actor=admin_user,
            template=PostTemplate(
                name=name,
                department=department,
                title="{{ headline|default('Warnung') }}",
                text=text,
                fields=[{"name": "headline"}, {"name": "description"}, {"name": "quelle", "required": True}],
            ),
            channels=[channels["mastodon"]],
        )

    return {
        "alert": make("Warnung", "Warnung: {{ headline }}. {{ description }} {{ quelle }}"),
        "update": make("Aktualisierung", "Aktualisierung: {{ headline }}. {{ description }} {{ quelle }}"),
        "cancel": make("Entwarnung", "Entwarnung: {{ headline }} ist aufgehoben. {{ quelle }}"),
    }


@pytest.fixture
def make_source(admin_user, integration, templates):
    from integrations.services import feed_source_save

    def make(kind, base_url, region, **extra):
        return feed_source_save(
            actor=admin_user,
            source=FeedSource(
                name=f"{kind} Landkreis",
                kind=kind,
                integration=integration,
                base_url=base_url,
                region=region,
                template=templates["alert"],
                update_template=templates["update"],
                cancel_template=templates["cancel"],
                attribution=extra.pop("attribution", "Quelle: Bundesamt für Bevölkerungsschutz"),
                enabled=extra.pop("enabled", True),
                **extra,
            ),
        )

    return make


@pytest.fixture
def nina():
    server = FakeNina().start()
    yield server
    server.stop()


def test_nina_alert_update_cancel_and_repeat(nina, make_source, coordinator):
    source = make_source("nina", nina.base_url, ARS)
    nina.publish(
        ARS,
        "mow.DE-NI-ROW-001",
        version=1,
        msg_type="Alert",
        headline="Großbrand in Zeven",
        description="Rauchentwicklung im Gewerbegebiet.",
    )
    (item,) = feed_import(source=source)
    post = item.post
    assert item.kind == "alert" and post.status == Post.Status.IN_REVIEW
    assert (
        post.text.startswith("Warnung: Großbrand in Zeven. Rauchentwicklung")
        and "Bundesamt für Bevölkerungsschutz" in post.text
    )
    assert post.author == source.integration.service_user and post.origin.template.name == "Warnung"
    assert feed_import(source=source) == []  # repeated fetch: nothing new

    nina.publish(
        ARS,
        "mow.DE-NI-ROW-001",
        version=2,
        msg_type="Update",
        headline="Großbrand in Zeven",
        description="Fenster geschlossen halten.",
    )
    (update,) = feed_import(source=source)
    assert update.kind == "update" and update.post.text.startswith("Aktualisierung: Großbrand")
    assert update.post.pk != post.pk

    nina.publish(
        ARS, "mow.DE-NI-ROW-001", version=3, msg_type="Cancel", headline="Großbrand in Zeven", description=""
    )
    (cancel,) = feed_import(source=source)
    assert cancel.kind == "cancel" and cancel.post.text.startswith(
        "Entwarnung: Großbrand in Zeven ist aufgehoben."
    )
    assert feed_import(source=source) == []
    assert FeedItem.objects.filter(source=source).count() == 3


def test_cancel_withdraws_the_published_original(nina, make_source, coordinator):
    from approvals.models import ReviewStep
    from approvals.services import step_approve

    source = make_source("nina", nina.base_url, ARS, withdraw_on_cancel=True)
    nina.publish(ARS, "mow.X", version=1, msg_type="Alert", headline="Bombenfund", description="Evakuierung.")
    (item,) = feed_import(source=source)
    from approvals.selectors import finding_key, is_warning

    step = ReviewStep.objects.get(review__post=item.post, status="open")
    reasons = {finding_key(f): "Amtliche Warnung" for f in step.review.findings if is_warning(f)}
    step_approve(actor=coordinator, step=step, revision=step.review.revision, acknowledgements=reasons)
    nina.publish(ARS, "mow.X", version=2, msg_type="Cancel", headline="Bombenfund", description="")
    feed_import(source=source)
    item.post.refresh_from_db()
    assert item.post.status == Post.Status.WITHDRAWN


def test_cancel_takes_the_original_back_from_review(nina, make_source, coordinator, client):
    """Cancelled while the warning still waits for approval: it leaves the queue and can no longer be
    approved by mistake; the Entwarnung is what is reviewed."""
    from approvals.models import Review, ReviewStep
    from approvals.selectors import queue_for
    from audit.models import AuditEvent
    from notifications.models import Notification

    source = make_source("nina", nina.base_url, ARS, withdraw_on_cancel=True)
    nina.publish(ARS, "mow.Z", version=1, msg_type="Alert", headline="Gasaustritt", description="Fenster zu.")
    (item,) = feed_import(source=source)
    assert Notification.objects.filter(post=item.post, kind="review_waiting", read_at__isnull=True).exists()
    nina.publish(ARS, "mow.Z", version=2, msg_type="Cancel", headline="Gasaustritt", description="")
    (cancel,) = feed_import(source=source)
    item.post.refresh_from_db()
    assert item.post.status == Post.Status.WITHDRAWN
    review = Review.objects.get(post=item.post)
    assert review.status == Review.Status.WITHDRAWN
    assert not review.steps.filter(status__in=[ReviewStep.Status.OPEN, ReviewStep.Status.WAITING]).exists()
    assert [step.review.post for step in queue_for(coordinator)] == [cancel.post]  # only the Entwarnung
    assert not Notification.objects.filter(
        post=item.post, kind="review_waiting", read_at__isnull=True
    ).exists()
    assert AuditEvent.objects.filter(verb="review.withdrawn", post_id=item.post.pk).exists()
    client.force_login(coordinator)
    assert client.get(f"/approvals/posts/{item.post.pk}/").status_code == 200  # the page still shows it


def test_urgent_feed_post_is_first_in_the_queue(nina, make_source, coordinator, api, make_token, post_body):
    from datetime import timedelta

    from django.utils import timezone

    from approvals.selectors import queue_for

    secret = make_token(rights=["draft", "submit"])
    api(secret).post(
        "/api/v1/posts/",
        post_body(submit=True, planned_at=(timezone.now() + timedelta(hours=2)).isoformat()),
        format="json",
    )
    api(secret).post("/api/v1/posts/", post_body(submit=True, title="ohne Zeit"), format="json")
    source = make_source("nina", nina.base_url, ARS)
    nina.publish(ARS, "mow.Y", version=1, msg_type="Alert", headline="Unwetter", description="Sturm.")
    (item,) = feed_import(source=source)
    assert queue_for(coordinator).first().review.post == item.post


def test_unreachable_source_keeps_its_error(make_source):
    source = make_source("nina", "http://127.0.0.1:9", ARS)
    assert feed_import(source=source) == []
    source.refresh_from_db()
    assert source.last_error.startswith("ConnectionError") and source.last_run_at


def test_dwd_warn_cell_alert_update_and_disappearance(make_source, templates):
    dwd = FakeDwd().start()
    try:
        source = make_source("dwd", dwd.base_url, WARNCELL, attribution="Quelle: Deutscher Wetterdienst")
        warning = {
            "type": 1,
            "level": 3,
            "start": 1765000000000,
            "end": 4102444800000,  # far ahead
            "regionName": "Kreis Rotenburg (Wümme)",
            "event": "STURMBÖEN",
            "headline": "Amtliche WARNUNG vor STURMBÖEN",
            "description": "Es treten Sturmböen mit Geschwindigkeiten um 70 km/h auf.",
            "instruction": "",
        }
        dwd.warnings = {WARNCELL: [warning], "109999999": [dict(warning, headline="anderswo")]}
        (item,) = feed_import(source=source)
        assert (
            item.kind == "alert"
            and "STURMBÖEN" in item.post.text
            and "Deutscher Wetterdienst" in item.post.text
        )
        assert feed_import(source=source) == []
        dwd.warnings = {WARNCELL: [dict(warning, level=4, headline="Amtliche UNWETTERWARNUNG vor ORKANBÖEN")]}
        (update,) = feed_import(source=source)
        assert update.kind == "update" and "ORKANBÖEN" in update.post.text
        dwd.warnings = {}
        (cancel,) = feed_import(source=source)
        assert cancel.kind == "cancel" and cancel.post.text.startswith("Entwarnung:")
        assert feed_import(source=source) == []
    finally:
        dwd.stop()


def test_pegelonline_threshold_crossing_and_falling_back(make_source):
    pegel = FakePegel().start()
    try:
        source = make_source(
            "pegelonline", pegel.base_url, GAUGE, threshold_cm=300, attribution="Quelle: PEGELONLINE (WSV)"
        )
        source.template.text = "Hochwasser: Der Pegel {{ pegel }} ({{ gewaesser }}) steht bei {{ stand|zahl(0) }} {{ einheit }} (Schwelle {{ schwelle }}). {{ quelle }}"
        source.template.save(update_fields=["text"])
        pegel.levels[GAUGE] = (250.0, "2026-12-05T10:00:00+01:00")
        assert feed_import(source=source) == []  # below the threshold
        pegel.levels[GAUGE] = (312.0, "2026-12-05T11:00:00+01:00")
        (item,) = feed_import(source=source)
        assert item.post.text.startswith(
            "Hochwasser: Der Pegel ROTENBURG (WÜMME) (WÜMME) steht bei 312 cm (Schwelle 300)."
        )
        pegel.levels[GAUGE] = (330.0, "2026-12-05T12:00:00+01:00")
        assert feed_import(source=source) == []  # still above: no new post
        pegel.levels[GAUGE] = (280.0, "2026-12-05T13:00:00+01:00")
        (cancel,) = feed_import(source=source)
        assert cancel.kind == "cancel" and cancel.external_id == item.external_id and cancel.post
        assert feed_import(source=source) == []
        pegel.levels[GAUGE] = (305.0, "2026-12-05T18:00:00+01:00")
        (again,) = feed_import(source=source)  # a new crossing is a new warning
        assert again.kind == "alert" and again.external_id != item.external_id
    finally:
        pegel.stop()


def test_beat_task_imports_enabled_sources_only(nina, make_source):
    from integrations.tasks import import_feeds

    enabled = make_source("nina", nina.base_url, ARS)
    disabled = make_source("dwd", "http://127.0.0.1:9", WARNCELL, enabled=False)
    nina.publish(ARS, "mow.Z", version=1, msg_type="Alert", headline="Test", description="Probealarm.")
    assert import_feeds() == 1
    disabled.refresh_from_db()
    assert disabled.last_run_at is None and enabled.items.count() == 1
