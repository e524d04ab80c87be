"""Marking findings in a text, HTML-safe."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .types import Finding, Severity

SEVERITY_RANK = {Severity.BLOCK: 3, Severity.WARN: 2, Severity.INFO: 1, Severity.OFF: 0}


def highlight_text(text: str, findings: Iterable[Finding], *, channel: str | None = None) -> SafeString:
    """``text`` HTML-escaped, with the ranges of ``findings`` wrapped in
    ``<mark class="finding finding-<severity>" data-rule="<codes>">``.

    Without ``channel`` the findings about the main text are marked (``in_variant`` false); with a
    channel, that channel's variant findings. Overlapping findings are split into flat segments: each
    segment gets one ``<mark>`` naming every rule that covers it and the most severe severity, so the
    HTML never nests or crosses. Ranges outside the text are ignored.
    """
    text = text or ""
    spans = [
        (f.start, f.end, f)
        for f in findings
        if f.start is not None
        and f.end is not None
        and 0 <= f.start < f.end <= len(text)
        and (f.in_variant and f.channel == channel if channel else not f.in_variant)
    ]
    if not spans:
        return mark_safe(escape(text))
    cuts = sorted({0, len(text)} | {s for s, _e, _f in spans} | {e for _s, e, _f in spans})
    parts = []
    for a, b in pairwise(cuts):
        covering = [f for s, e, f in spans if s <= a and b <= e]
        segment = escape(text[a:b])
        if not covering:
            parts.append(segment)
            continue
        worst = max((Severity(f.severity) for f in covering), key=SEVERITY_RANK.__getitem__)
        rules = " ".join(dict.fromkeys(f.rule for f in covering))
        parts.append(
            f'<mark class="finding finding-{worst.value}" data-rule="{escape(rules)}">{segment}</mark>'
        )
    return mark_safe("".join(parts))
