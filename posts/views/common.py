"""Shared by the posts views."""

from __future__ import annotations

PAGE_SIZE = 25
AUTOSAVE_FIELDS = ("title", "text", "link", "planned_at", "press_relevant")


def _int_param(value) -> int:
    return int(value) if isinstance(value, str) and value.isdigit() else 0
