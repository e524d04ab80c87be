"""The pages: "Veröffentlichungen" (problems first, constant queries), a delivery's attempts and the
coordination's actions with German errors next to their fields, the post page, the calendar, the
channel admin."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from channels.models import Channel
from posts.models import Post
from publishing import tasks
from publishing.models import Delivery

from .delivery_support import approved_posts_in_bulk

Status = Delivery.Status


@pytest.fixture(autouse=True)
def _settings(settings, tmp_path):
    settings.PUBLISHING_NETWORK_TIMEOUT = 1.0
    settings.PUBLISHING_RATE_LIMITS = {"x": (1000, 60), "mastodon": (1000, 60)}
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def channels(live_channels, fake_x, fake_mastodon):
    return live_channels(fake_x, fake_mastodon)


def deliveries_in_every_state(channels, *, editor, department, n=1):
    """``n`` posts on X and Mastodon; the deliveries put into the states the page must tell apart."""
    posts = approved_posts_in_bulk(n, channels=list(channels.values()), author=editor, department=department)
    rows = list(Delivery.objects.filter(post__in=posts).order_by("pk"))
    states = [Status.PUBLISHED, Status.FAILED, Status.PENDING, Status.UNCERTAIN, Status.RETRYING]
    for index, delivery in enumerate(rows):
        status = states[index % len(states)]
        Delivery.objects.filter(pk=delivery.pk).update(
            status=status,
            last_error="X: Text abgelehnt" if status == Status.FAILED else "",
            external_url="https://social.example/@landkreis/1" if status == Status.PUBLISHED else "",
            next_attempt_at=timezone.now() + timedelta(minutes=5),
        )
    return rows


def test_the_deliveries_page_lists_problems_first(client, coordinator, channels, editor, department):
    deliveries_in_every_state(channels, editor=editor, department=department, n=5)
    client.force_login(coordinator)

    response = client.get(reverse("publishing:deliveries"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Veröffentlichungen</h1>" in html
    order = [
        s
        for s in ("fehlgeschlagen", "Ausgang unbekannt", "neuer Versuch geplant", "wartet", "veröffentlicht")
        if s in html
    ]
    positions = [
        html.index(f"delivery-status--{s}")
        for s in ("failed", "uncertain", "retrying", "pending", "published")
    ]
    assert positions == sorted(positions), order
    assert "Trotzdem erneut senden" in html and "Erneut versuchen" in html
    only_failed = client.get(reverse("publishing:deliveries") + "?status=failed").content.decode()
    assert "delivery-status--failed" in only_failed and "delivery-status--published" not in only_failed


@pytest.mark.parametrize("who", ["editor", "head", "press", "outsider"])
def test_the_deliveries_page_is_not_there_for_other_roles(client, cast, who, channels):
    client.force_login(cast[who])
    assert client.get(reverse("publishing:deliveries")).status_code == 404


def test_the_deliveries_page_takes_the_same_queries_for_5_and_60_deliveries(
    client, coordinator, channels, editor, department, django_assert_num_queries
):
    deliveries_in_every_state(channels, editor=editor, department=department, n=3)
    client.force_login(coordinator)
    url = reverse("publishing:deliveries")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    deliveries_in_every_state(channels, editor=editor, department=department, n=27)
    assert Delivery.objects.count() == 60
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_a_channel_needing_attention_is_named_on_the_page(client, coordinator, admin_user, channels):
    Channel.objects.filter(pk=channels["x"].pk).update(
        attention_since=timezone.now(), attention_message="X: Unauthorized"
    )
    client.force_login(coordinator)
    html = client.get(reverse("publishing:deliveries")).content.decode()
    assert 'id="channels-attention"' in html and "X: Unauthorized" in html
    client.force_login(admin_user)
    changelist = client.get(reverse("admin:channels_channel_changelist")).content.decode()
    assert "ja – seine Beiträge warten" in changelist


def test_the_channel_admin_list_does_not_query_per_row(
    client, admin_user, live_channels, fake_x, fake_mastodon, fake_facebook, django_assert_max_num_queries
):
    live_channels(fake_x)
    client.force_login(admin_user)
    url = reverse("admin:channels_channel_changelist")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    live_channels(fake_mastodon, fake_facebook)
    with django_assert_max_num_queries(len(one.captured_queries)):
        html = client.get(url).content.decode()
    assert html.count("ja – erhält Beiträge") == 3


def test_a_delivery_page_shows_the_attempts_to_whoever_may_see_the_post(
    client, channels, editor, outsider, department, fake_x
):
    (post,) = approved_posts_in_bulk(1, channels=[channels["x"]], author=editor, department=department)
    delivery = Delivery.objects.get(post=post)
    fake_x.fail(400, path=r"/2/tweets$", message="Your Tweet text is not allowed")
    tasks.run_delivery(delivery.pk, worker="w1@host:1")
    url = reverse("publishing:delivery", args=[delivery.pk])

    client.force_login(editor)
    html = client.get(url).content.decode()
    assert "Your Tweet text is not allowed" in html and "abgelehnt" in html
    assert "Als veröffentlicht markieren" not in html  # only the coordination acts
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert client.get(reverse("publishing:delivery", args=[999999])).status_code == 404


def test_retry_is_for_the_coordination_only(client, channels, editor, coordinator, department, fake_x):
    (post,) = approved_posts_in_bulk(1, channels=[channels["x"]], author=editor, department=department)
    delivery = Delivery.objects.get(post=post)
    fake_x.fail(400, path=r"/2/tweets$")
    tasks.run_delivery(delivery.pk, worker="w")
    url = reverse("publishing:delivery_retry", args=[delivery.pk])

    client.force_login(editor)
    assert client.post(url).status_code == 403
    client.force_login(coordinator)
    back = reverse("posts:detail", args=[post.pk]) + "#deliveries"
    response = client.post(url, {"next": back})
    assert response.status_code == 302 and response["Location"] == back
    delivery.refresh_from_db()
    assert delivery.status == Status.PENDING
    # "next" never leads off the site.
    fake_x.fail(400, path=r"/2/tweets$")
    tasks.run_delivery(delivery.pk, worker="w")
    response = client.post(url, {"next": "https://evil.example/"})
    assert response["Location"] == reverse("publishing:delivery", args=[delivery.pk])


def test_mark_published_keeps_the_input_and_says_in_german_what_is_wrong(
    client, channels, editor, coordinator, department, fake_x
):
    (post,) = approved_posts_in_bulk(1, channels=[channels["x"]], author=editor, department=department)
    delivery = Delivery.objects.get(post=post)
    fake_x.slow(2.0, path=r"/2/tweets$")
    assert tasks.run_delivery(delivery.pk, worker="w") == Status.UNCERTAIN
    client.force_login(coordinator)
    url = reverse("publishing:delivery_mark_published", args=[delivery.pk])

    for value, message in (
        ("", "Bitte fügen Sie die Adresse des Beitrags im Netzwerk ein."),
        ("x.com/status/12 <b>", "Das ist keine Webadresse (sie sollte mit https:// beginnen)."),
    ):
        response = client.post(url, {"url": value})
        assert response.status_code == 422
        html = response.content.decode()
        assert message in html
        assert 'aria-describedby="id_url_help id_url_error"' in html and 'aria-invalid="true"' in html
        if value:
            assert 'value="x.com/status/12 &lt;b&gt;"' in html  # what was typed stays
    delivery.refresh_from_db()
    assert delivery.status == Status.UNCERTAIN

    response = client.post(url, {"url": "https://x.com/LandkreisTest/status/1001"})
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == Status.PUBLISHED


def test_withdraw_asks_for_a_reason_then_withdraws(
    client, channels, editor, coordinator, outsider, department
):
    (post,) = approved_posts_in_bulk(
        1, channels=list(channels.values()), author=editor, department=department
    )
    for delivery in Delivery.objects.filter(post=post):
        assert tasks.run_delivery(delivery.pk, worker="w") == Status.PUBLISHED
    url = reverse("publishing:post_withdraw", args=[post.pk])

    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(editor)
    assert client.get(url).status_code == 403
    client.force_login(coordinator)
    page = client.get(url).content.decode()
    assert "wird im Netzwerk gelöscht" in page and '<label class="form-label" for="id_reason">' in page
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 422
    assert "Bitte geben Sie den Grund für das Zurückziehen an." in response.content.decode()
    assert Post.objects.get(pk=post.pk).status == Post.Status.PUBLISHED

    response = client.post(url, {"reason": "Die Veranstaltung fällt aus."})
    assert response.status_code == 302
    assert Post.objects.get(pk=post.pk).status == Post.Status.WITHDRAWN
    assert set(Delivery.objects.filter(post=post).values_list("status", flat=True)) == {Status.WITHDRAWING}


def test_the_post_page_shows_each_channels_state_with_a_link_and_the_coordinations_buttons(
    client, channels, editor, coordinator, department, fake_mastodon, fake_x
):
    (post,) = approved_posts_in_bulk(
        1, channels=list(channels.values()), author=editor, department=department
    )
    fake_x.fail(400, path=r"/2/tweets$", message="Text abgelehnt")
    for delivery in Delivery.objects.filter(post=post):
        tasks.run_delivery(delivery.pk, worker="w")
    url = reverse("posts:detail", args=[post.pk])

    client.force_login(editor)
    html = client.get(url).content.decode()
    assert 'id="deliveries"' in html and "Veröffentlichung je Kanal" in html
    mastodon_url = Delivery.objects.get(post=post, channel=channels["mastodon"]).external_url
    assert f'href="{mastodon_url}"' in html and "im Netzwerk ansehen" in html
    assert "Text abgelehnt" in html and "fehlgeschlagen" in html
    assert "Erneut versuchen" not in html and "Zurückziehen" not in html
    client.force_login(coordinator)
    html = client.get(url).content.decode()
    assert "Erneut versuchen" in html and reverse("publishing:post_withdraw", args=[post.pk]) in html


def test_the_calendar_shows_the_delivery_state_per_channel(client, channels, editor, department):
    (post,) = approved_posts_in_bulk(
        1, channels=list(channels.values()), author=editor, department=department
    )
    Delivery.objects.filter(post=post, channel=channels["x"]).update(status=Status.FAILED)
    Delivery.objects.filter(post=post, channel=channels["mastodon"]).update(status=Status.PUBLISHED)
    Post.objects.filter(pk=post.pk).update(status=Post.Status.PARTIALLY_FAILED, published_at=timezone.now())
    client.force_login(editor)
    html = client.get(reverse("posts:calendar") + "?view=week").content.decode()
    # Each channel as its network's icon, its name for screen readers, then the state.
    assert (
        f'#net-x"></use></svg><span class="visually-hidden">{channels["x"].name}: </span>fehlgeschlagen'
        in html
    )
    assert f"{channels['mastodon'].name}: </span>veröffentlicht" in html


def test_the_navigation_leads_the_coordination_to_deliveries_and_the_sandbox_feed(
    client, coordinator, editor
):
    client.force_login(coordinator)
    html = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("publishing:deliveries")}"' in html and ">Veröffentlichungen<" in html
    assert f'href="{reverse("publishing:sandbox")}"' in html and ">Sandbox-Feed<" in html
    client.force_login(editor)
    html = client.get(reverse("home")).content.decode()
    assert reverse("publishing:deliveries") not in html and reverse("publishing:sandbox") not in html
