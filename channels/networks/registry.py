"""The network adapters by kind. ``Channel.kind`` takes its choices from here."""

from __future__ import annotations

from importlib import import_module

from .base import NetworkAdapter

# Modules that define adapters, in the order the admin lists them.
ADAPTER_MODULES = ("facebook", "instagram", "mastodon", "bluesky", "x", "sandbox")

_ADAPTERS: dict[str, type[NetworkAdapter]] = {}


def register(adapter: type[NetworkAdapter]) -> type[NetworkAdapter]:
    """Class decorator used by each ``publishing/networks/<kind>.py``."""
    if adapter.kind in _ADAPTERS and _ADAPTERS[adapter.kind] is not adapter:
        raise ValueError(f"network kind {adapter.kind!r} registered twice")
    _ADAPTERS[adapter.kind] = adapter
    return adapter


def _load() -> dict[str, type[NetworkAdapter]]:
    if len(_ADAPTERS) < len(ADAPTER_MODULES):
        for name in ADAPTER_MODULES:
            import_module(f"{__package__}.{name}")
        # ADAPTER_MODULES order, not the order the modules happened to be imported in (a process that
        # imported the sandbox first listed it first, and the forms' choices moved).
        order = {kind: index for index, kind in enumerate(ADAPTER_MODULES)}
        ordered = sorted(_ADAPTERS.items(), key=lambda item: order.get(item[0], len(order)))
        _ADAPTERS.clear()
        _ADAPTERS.update(ordered)
    return _ADAPTERS


def get(kind: str) -> type[NetworkAdapter]:
    try:
        return _load()[kind]
    except KeyError:
        raise KeyError(f"unknown network kind {kind!r}") from None


def kinds() -> list[str]:
    return list(_load())


def choices() -> list[tuple[str, str]]:
    return [(kind, adapter.label) for kind, adapter in _load().items()]


def readers() -> list[str]:
    """The network kinds whose adapter can read comments, mentions or messages (the inbox)."""
    return [kind for kind, adapter in _load().items() if adapter.reads]


def interactions(kind: str):
    """What the county may do with citizens' items on this network (replies, moderation)."""
    return get(kind).interactions
