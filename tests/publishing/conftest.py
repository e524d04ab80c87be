"""Helpers for the publishing tests: adapters wired to the fake servers, a test image."""

from __future__ import annotations

import pytest
from PIL import Image

from channels.networks import registry
from channels.networks.base import ChannelConfig, MediaItem

ALT_TEXT = "Ein rotes Rechteck auf weißem Grund, das als Testbild dient."


def make_adapter(fake, *, timeout: float = 2.0, sessions: list | None = None, **overrides):
    """The real adapter of ``fake``'s network, configured like a channel pointing at the fake."""
    kwargs = fake.channel_kwargs()
    config = ChannelConfig(
        credentials=dict(kwargs["credentials"]),
        account=kwargs["account"],
        base_url=kwargs["base_url"],
        channel_id=1,
        timeout=timeout,
        on_session_change=sessions.append if sessions is not None else None,
    )
    for key, value in overrides.items():
        setattr(config, key, value)
    return registry.get(kwargs["kind"])(config)


@pytest.fixture
def image(tmp_path) -> MediaItem:
    path = tmp_path / "rechteck.png"
    Image.new("RGB", (64, 32), "red").save(path)
    return MediaItem(
        path=str(path),
        mime_type="image/png",
        alt_text=ALT_TEXT,
        public_url="https://media.landkreis.example/rechteck.png",
    )


# Fixtures of the delivery tests (tests/publishing/test_delivery_*.py).
from .delivery_support import beat_process, guide, live_channels, role_groups, write_post  # noqa: E402, F401
