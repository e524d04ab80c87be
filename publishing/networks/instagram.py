"""Instagram adapter. (Skeleton: limits and length counting; publishing is completed in publishing part 1.)"""

from __future__ import annotations

from . import textlength
from .base import NetworkAdapter, NetworkLimits
from .registry import register


@register
class InstagramAdapter(NetworkAdapter):
    kind = "instagram"
    label = "Instagram"
    limits = NetworkLimits(
        max_length=2200, alt_text_max=1000, requires_media=True, posts_per_window=(50, 86400)
    )

    @classmethod
    def count_length(cls, text: str) -> int:
        return textlength.codepoints(text)
