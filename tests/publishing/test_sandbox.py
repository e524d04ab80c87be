"""The sandbox channel publishes into the local feed page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from channels import services
from channels.adapters import adapter_for
from channels.models import SandboxPost
from channels.networks.base import ErrorKind, MediaItem, PostContent, PublishError


@pytest.fixture
def sandbox(db, admin_user, department):
    channel = services.channel_create(
        actor=admin_user, kind="sandbox", name="Sandbox", departments=[department]
    )
    phase = services.phase_create(
        actor=admin_user, order=0, name="Phase 0", channels=[channel], departments=[department]
    )
    services.phase_activate(actor=admin_user, phase=phase)
    channel.refresh_from_db()
    return channel


def test_published_test_post_appears_in_the_feed_with_its_permalink(client, sandbox, editor):
    ref = adapter_for(sandbox).publish(
        PostContent(
            text="Testbeitrag: Die Kreisverwaltung ist am Freitag geschlossen.", link="https://www.lk-row.de"
        )
    )
    post = SandboxPost.objects.get()
    assert ref.external_id == str(post.pk)
    assert ref.url.endswith(reverse("publishing:sandbox_post", args=[post.pk]))
    client.force_login(editor)
    feed = client.get(reverse("publishing:sandbox")).content.decode()
    assert "Testbeitrag: Die Kreisverwaltung ist am Freitag geschlossen." in feed
    assert reverse("publishing:sandbox_post", args=[post.pk]) in feed
    assert 'href="https://www.lk-row.de"' in feed  # the link is clickable
    detail = client.get(reverse("publishing:sandbox_post", args=[post.pk]))
    assert detail.status_code == 200
    assert "Testbeitrag" in detail.content.decode()


def test_image_is_shown_with_its_alt_text(client, sandbox, editor, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "bild.png").write_bytes(b"\x89PNG")
    item = MediaItem(
        path=str(tmp_path / "bild.png"), mime_type="image/png", alt_text="Das Kreishaus im Schnee"
    )
    adapter_for(sandbox).publish(PostContent(text="Mit Bild", media=(item,)))
    client.force_login(editor)
    html = client.get(reverse("publishing:sandbox")).content.decode()
    assert 'alt="Das Kreishaus im Schnee"' in html
    # Uploads are private: the image comes through a view behind the login, not from /media/.
    post = SandboxPost.objects.get(text="Mit Bild")
    url = f"/publishing/sandbox/{post.pk}/media/?n=0"
    assert f'src="{url}"' in html and "/media/bild.png" not in html
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"\x89PNG"
    assert client.get(f"/publishing/sandbox/{post.pk}/media/?n=1").status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_the_same_idempotency_key_makes_one_post(sandbox):
    content = PostContent(text="nur einmal", idempotency_key="delivery-3")
    first = adapter_for(sandbox).publish(content)
    second = adapter_for(sandbox).publish(content)
    assert first == second
    assert SandboxPost.objects.count() == 1


def test_deleted_post_leaves_the_feed(client, sandbox, editor):
    adapter = adapter_for(sandbox)
    ref = adapter.publish(PostContent(text="gleich wieder weg"))
    adapter.delete(ref.external_id)
    client.force_login(editor)
    assert "gleich wieder weg" not in client.get(reverse("publishing:sandbox")).content.decode()
    with pytest.raises(PublishError) as caught:
        adapter.delete("999999")
    assert caught.value.kind is ErrorKind.PERMANENT


def test_feed_needs_a_login(client, sandbox):
    assert client.get(reverse("publishing:sandbox")).status_code == 302


def test_feed_query_count_does_not_grow_with_the_posts(
    client, sandbox, editor, django_assert_max_num_queries
):
    adapter = adapter_for(sandbox)
    adapter.publish(PostContent(text="eins"))
    client.force_login(editor)
    client.get(reverse("publishing:sandbox"))
    with django_assert_max_num_queries(10) as captured:
        client.get(reverse("publishing:sandbox"))
    baseline = len(captured.captured_queries)
    for number in range(15):
        adapter.publish(PostContent(text=f"Beitrag {number}"))
    with django_assert_max_num_queries(baseline):
        html = client.get(reverse("publishing:sandbox")).content.decode()
    assert "Beitrag 14" in html
