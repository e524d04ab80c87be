"""Helpers for the inbox tests: live channels on the fake servers, a post the app published there."""

from __future__ import annotations

import pytest
from django.db import transaction

from channels.networks.base import PostContent
from publishing.models import Delivery
from tests.publishing.conftest import make_adapter
from tests.publishing.delivery_support import (  # noqa: F401 - fixtures
    approved_posts_in_bulk,
    beat_process,
    guide,
    live_channels,
    role_groups,
    write_post,
)


@pytest.fixture
def published_on(editor, department):
    """``published_on(channel, fake, text=…)``: a county post the app published on ``fake`` – an
    approved post whose delivery to ``channel`` is published with the id the fake gave it."""

    def make(
        channel,
        fake=None,
        *,
        text: str = "Neue Impftermine ab Montag.",
        title: str = "Impftermine",
        external_id="",
    ):
        post = approved_posts_in_bulk(1, channels=[channel], author=editor, department=department)[0]
        post.title = title
        post.save(update_fields=["title"])
        if not external_id:
            external_id = make_adapter(fake).publish(PostContent(text=text)).external_id if fake else "1"
        with transaction.atomic():
            Delivery.objects.filter(post=post, channel=channel).update(
                status=Delivery.Status.PUBLISHED, external_id=external_id
            )
        return post, external_id

    return make
