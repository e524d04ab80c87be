"""What the apps above posts add to it, registered in their ``AppConfig.ready`` (posts imports none of them).

No model imports here: apps import this module while Django loads them.
"""

from __future__ import annotations

from collections.abc import Callable

# Who else may edit a post in review (approvals: the reviewer of the open step).
_review_editors: list[Callable] = []
# What the calendar prefetches for its entries (publishing: the deliveries per channel).
_calendar_prefetches: list[Callable] = []


def register_review_editor(rule: Callable) -> None:
    """``rule(user, post) -> bool``: may ``user`` edit ``post`` while it is in review?"""
    if rule not in _review_editors:
        _review_editors.append(rule)


def is_review_editor(user, post) -> bool:
    return any(rule(user, post) for rule in _review_editors)


def register_calendar_prefetch(prefetch: Callable) -> None:
    """``prefetch(queryset) -> queryset`` for the calendar's posts."""
    if prefetch not in _calendar_prefetches:
        _calendar_prefetches.append(prefetch)


def calendar_queryset(queryset):
    for prefetch in _calendar_prefetches:
        queryset = prefetch(queryset)
    return queryset
