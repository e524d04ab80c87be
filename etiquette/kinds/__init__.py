"""The registry of rule kinds: one small class per kind, one module per topic.

``Rule.kind`` takes its choices from here, and the engine looks kinds up by name. Like the network
adapters (``channels.networks.registry``), nothing else branches on a rule's kind.
"""

from __future__ import annotations

from importlib import import_module

from .base import RuleKind

# Modules that define kinds, in the order the admin lists them.
KIND_MODULES = (
    "length",
    "alt_text",
    "media",
    "personal_data",
    "hashtags",
    "emoji",
    "unicode",
    "readability",
    "plain_language",
    "gender",
    "tone",
    "neutrality",
    "press",
    "links",
    "commercial",
    "schedule",
    "replies",
)

_KINDS: dict[str, type[RuleKind]] = {}
_loaded = False


def register(kind: type[RuleKind]) -> type[RuleKind]:
    """Class decorator used by each kind."""
    if kind.kind in _KINDS and _KINDS[kind.kind] is not kind:
        raise ValueError(f"rule kind {kind.kind!r} registered twice")
    _KINDS[kind.kind] = kind
    return kind


def _load() -> dict[str, type[RuleKind]]:
    global _loaded
    if not _loaded:
        for name in KIND_MODULES:
            import_module(f"{__package__}.{name}")
        _loaded = True
    return _KINDS


def get(kind: str) -> type[RuleKind]:
    try:
        return _load()[kind]
    except KeyError:
        raise KeyError(f"unknown rule kind {kind!r}") from None


def kinds() -> list[str]:
    return list(_load())


def choices() -> list[tuple[str, str]]:
    return [(name, f"{name} – {kind.label}") for name, kind in _load().items()]
