"""Mastodon adapter. (Skeleton: limits and length counting; publishing is completed in publishing part 1.)"""

from __future__ import annotations

from . import textlength
from .base import NetworkAdapter, NetworkLimits
from .registry import register


@register
class MastodonAdapter(NetworkAdapter):
    kind = "mastodon"
    label = "Mastodon"
    limits = NetworkLimits(
        max_length=500, alt_text_max=1500, requires_media=False, posts_per_window=(300, 300)
    )

    @classmethod
    def count_length(cls, text: str) -> int:
        return textlength.mastodon(text)
