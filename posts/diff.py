"""The differences between two revisions, word by word (difflib), for the revision page.

The page marks insertions with ``<ins>`` and deletions with ``<del>`` and says "added"/"removed" in
words for screen readers, so nothing depends on colour.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy as _

_TOKENS = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)

FIELD_LABELS = {
    "title": _("Internal title"),
    "text": _("Text"),
    "link": _("Link"),
    "channels": _("Channels"),
    "variants": _("Own texts per channel"),
    "planned_at": _("Planned publication"),
    "press_relevant": _("Press-relevant"),
    "media": _("Media"),
}


@dataclass(frozen=True)
class Piece:
    op: str  # "equal", "insert", "delete"
    text: str


@dataclass(frozen=True)
class FieldDiff:
    name: str
    label: str
    pieces: list[Piece]
    changed: bool


def tokens(text: str) -> list[str]:
    return _TOKENS.findall(text)


def diff_text(old: str, new: str) -> list[Piece]:
    a, b = tokens(old), tokens(new)
    pieces: list[Piece] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(Piece("equal", "".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            pieces.append(Piece("delete", "".join(a[i1:i2])))
        if op in ("insert", "replace"):
            pieces.append(Piece("insert", "".join(b[j1:j2])))
    return pieces


def _as_text(name: str, value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if name == "channels":
        return ", ".join(value)
    if name == "planned_at":
        return datetime.fromisoformat(value).strftime("%d.%m.%Y %H:%M")
    if name == "variants":
        return "\n".join(f"{channel}: {text}" for channel, text in sorted(value.items()))
    if name == "media":
        lines = []
        for item in value:
            lines.append(
                f"{item.get('name')} – {_('alternative text')}: {item.get('alt_text') or '—'}; "
                f"{_('credit')}: {item.get('credit') or '—'}; "
                f"{_('people')}: {_('yes') if item.get('shows_people') else _('no')}; "
                f"{_('consent')}: {_('yes') if item.get('consent') else _('no')}"
            )
        return "\n".join(lines)
    return str(value)


def diff_snapshots(old: dict, new: dict) -> list[FieldDiff]:
    result = []
    for name, label in FIELD_LABELS.items():
        before, after = _as_text(name, old.get(name)), _as_text(name, new.get(name))
        result.append(FieldDiff(name, str(label), diff_text(before, after), before != after))
    return result


def field_text(name: str, value) -> str:
    """A snapshot field as the reader sees it (for messages that quote a change)."""
    return _as_text(name, value)
