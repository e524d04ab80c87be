"""X (Twitter) adapter. (Skeleton: limits and length counting; publishing is completed in publishing part 1.)"""

from __future__ import annotations

from . import textlength
from .base import NetworkAdapter, NetworkLimits
from .registry import register


@register
class XAdapter(NetworkAdapter):
    kind = "x"
    label = "X (Twitter)"
    limits = NetworkLimits(
        max_length=280, alt_text_max=1000, requires_media=False, posts_per_window=(100, 86400)
    )

    @classmethod
    def count_length(cls, text: str) -> int:
        return textlength.x_weighted(text)
