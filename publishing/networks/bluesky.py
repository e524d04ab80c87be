"""Bluesky adapter. (Skeleton: limits and length counting; publishing is completed in publishing part 1.)"""

from __future__ import annotations

from . import textlength
from .base import NetworkAdapter, NetworkLimits
from .registry import register


@register
class BlueskyAdapter(NetworkAdapter):
    kind = "bluesky"
    label = "Bluesky"
    limits = NetworkLimits(
        max_length=300, alt_text_max=2000, requires_media=False, posts_per_window=(1500, 3600)
    )

    @classmethod
    def count_length(cls, text: str) -> int:
        return textlength.graphemes(text)
