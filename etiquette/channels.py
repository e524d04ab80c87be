"""The networks the etiquette knows: the publishing adapters plus networks without an adapter yet.

Length counting comes from the adapter (``channels.networks.registry``); LinkedIn and Threads have
no adapter, so their texts are counted in code points and their limits live in the ``length`` rule's
parameters only.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from channels.networks import registry

# Networks the rules may name although publishing has no adapter for them (yet).
EXTRA_CHANNELS: dict[str, str] = {"linkedin": "LinkedIn", "threads": "Threads"}


@lru_cache(maxsize=1)
def _kinds() -> tuple[str, ...]:
    kinds = list(registry.kinds())
    kinds += [kind for kind in EXTRA_CHANNELS if kind not in kinds]
    return tuple(kinds)


def channel_kinds() -> list[str]:
    return list(_kinds())


def channel_choices() -> list[tuple[str, str]]:
    return [(kind, channel_label(kind)) for kind in _kinds()]


def channel_label(kind: str | None) -> str:
    if not kind:
        return ""
    try:
        return registry.get(kind).label
    except KeyError:
        return EXTRA_CHANNELS.get(kind, kind)


def count_length(kind: str, text: str) -> int:
    """The text's length the way the network counts it (code points where there is no adapter)."""
    try:
        adapter = registry.get(kind)
    except KeyError:
        return len(unicodedata.normalize("NFC", text))
    return adapter.count_length(text)


def adapter_max_length(kind: str) -> int | None:
    try:
        return registry.get(kind).limits.max_length
    except KeyError:
        return None


def adapter_alt_text_max(kind: str) -> int | None:
    try:
        return registry.get(kind).limits.alt_text_max
    except KeyError:
        return None


def adapter_max_hashtags(kind: str) -> int | None:
    try:
        return registry.get(kind).limits.max_hashtags
    except KeyError:
        return None
