"""Sandbox (lokaler Testkanal) adapter. (Skeleton: limits and length counting; publishing is completed in publishing part 1.)"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from . import textlength
from .base import NetworkAdapter, NetworkLimits
from .registry import register


@register
class SandboxAdapter(NetworkAdapter):
    kind = "sandbox"
    label = _("Sandbox (local test channel)")
    limits = NetworkLimits(max_length=5000, alt_text_max=2000, requires_media=False, posts_per_window=None)

    @classmethod
    def count_length(cls, text: str) -> int:
        return textlength.codepoints(text)
