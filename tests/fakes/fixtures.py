"""pytest fixtures for the fake network servers (registered in tests/conftest.py).

Each fixture starts its fake on a free port of 127.0.0.1 for one test and stops it afterwards. A
Celery worker in another process reaches it through ``fake.base_url`` (put it in
``Channel.base_url``); the test reads ``fake.created`` / ``fake.requests`` afterwards.
"""

from __future__ import annotations

import pytest

from .bluesky import FakeBluesky
from .graph import FakeFacebook, FakeInstagram
from .mastodon import FakeMastodon
from .x import FakeX


def _serve(fake):
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def fake_x():
    yield from _serve(FakeX())


@pytest.fixture
def fake_mastodon():
    yield from _serve(FakeMastodon())


@pytest.fixture
def fake_facebook():
    yield from _serve(FakeFacebook())


@pytest.fixture
def fake_instagram():
    yield from _serve(FakeInstagram())


@pytest.fixture
def fake_bluesky():
    yield from _serve(FakeBluesky())


@pytest.fixture
def fake_networks(fake_x, fake_mastodon, fake_facebook, fake_instagram, fake_bluesky):
    """All five fakes, by network kind."""
    return {
        "x": fake_x,
        "mastodon": fake_mastodon,
        "facebook": fake_facebook,
        "instagram": fake_instagram,
        "bluesky": fake_bluesky,
    }


@pytest.fixture
def fake_mastodon_inbox():
    from .mastodon import FakeMastodonInbox

    yield from _serve(FakeMastodonInbox())


@pytest.fixture
def fake_bluesky_inbox():
    from .bluesky import FakeBlueskyInbox

    yield from _serve(FakeBlueskyInbox())


@pytest.fixture
def fake_facebook_inbox():
    from .graph import FakeFacebookInbox

    yield from _serve(FakeFacebookInbox())


@pytest.fixture
def fake_instagram_inbox():
    from .graph import FakeInstagramInbox

    yield from _serve(FakeInstagramInbox())


@pytest.fixture
def fake_x_inbox():
    from .x import FakeXInbox

    yield from _serve(FakeXInbox())
