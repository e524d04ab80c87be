"""Facebook adapter. (Skeleton: limits and length counting; publishing is completed in publishing part 1.)"""

from __future__ import annotations

from . import textlength
from .base import NetworkAdapter, NetworkLimits
from .registry import register


@register
class FacebookAdapter(NetworkAdapter):
    kind = "facebook"
    label = "Facebook"
    limits = NetworkLimits(
        max_length=63206, alt_text_max=None, requires_media=False, posts_per_window=(200, 3600)
    )

    @classmethod
    def count_length(cls, text: str) -> int:
        return textlength.codepoints(text)
