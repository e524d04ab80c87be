"""The three server errors an outside probe found (issue 14), each as the request that caused it.

The fuzzing (``test_fuzz_forms.py``) sends these classes of input too: extreme dates, deeply nested JSON
and ids of objects that belong to another post.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from posts.models import Media


@pytest.mark.parametrize(
    "query",
    [
        "?date=9999-12-31",
        "?date=9999-12-31&view=week",
        "?date=9999-12-27&view=week",
        "?date=0001-01-01&view=week",
        "?date=0001-01-01",
    ],
)
def test_calendar_at_the_ends_of_the_date_range_is_no_server_error(client, editor, query):
    client.force_login(editor)
    response = client.get(reverse("posts:calendar") + query)
    assert response.status_code == 200


def test_deeply_nested_media_json_is_an_error_not_a_crash(client, editor):
    client.force_login(editor)
    response = client.post(
        reverse("etiquette:check"),
        {"text": "Guten Tag", "media": "[" * 5000},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code in (200, 400)
    assert "media" in response.content.decode()


def test_editor_with_the_media_id_of_another_post_changes_nothing(client, editor, post_with_image, draft):
    client.force_login(editor)
    image = post_with_image.media.order_by("position").first()
    before = (image.alt_text, image.credit)
    data = {
        "title": draft.title,
        "text": draft.text,
        "channels": list(draft.channels.values_list("pk", flat=True)),
        "media-TOTAL_FORMS": "1",
        "media-INITIAL_FORMS": "1",
        "media-MIN_NUM_FORMS": "0",
        "media-MAX_NUM_FORMS": "1000",
        "media-0-id": image.pk,
        "media-0-alt_text": "Übernommen",
        "media-0-credit": "fremd",
        "action": "save",
    }
    response = client.post(reverse("posts:edit", args=[draft.pk]), data)
    assert response.status_code in (200, 302, 422)
    image.refresh_from_db()
    assert (image.alt_text, image.credit) == before
    assert not Media.objects.filter(post=draft).exists()
