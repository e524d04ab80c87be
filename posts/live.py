"""The editor's live panel: counters and previews per channel, the etiquette findings, the highlighted text.

One module for the editor (``posts.views``) and the review page (``approvals.views``): the first render
and every htmx check build the same context.
"""

from __future__ import annotations

from etiquette import engine
from etiquette.types import Finding, Severity

from . import selectors
from .models import Media, Post


def _check(post_like) -> list[Finding]:
    return sorted(engine.check(post_like), key=Finding.sort_key)


def live_context(*, department, text, link, channels, variants, media, planned_at, thumbnails=()) -> dict:
    """What the editor's live panel shows; the same for the first render and every htmx check."""
    reports = selectors.channel_reports(channels, text, variants, link)
    post_like = selectors.build_post_like(
        text=text,
        link=link,
        channels=channels,
        variants=variants,
        media=media,
        planned_at=planned_at,
        department=department,
    )
    findings = _check(post_like)
    return {
        "reports": reports,
        "findings": findings,
        "text": text,
        "blocking_count": sum(1 for f in findings if f.severity == Severity.BLOCK),
        "warning_count": sum(1 for f in findings if f.severity == Severity.WARN),
        "too_long": [r for r in reports if r.over],
        "link": link,
        "thumbnails": list(thumbnails),
        "department": department,
        "has_text": bool(text.strip()),
    }


def live_from_post(post: Post) -> dict:
    """The live panel for a stored post (the editor's first render, the review page)."""
    media = list(post.media.all())
    return live_context(
        department=post.department,
        text=post.text,
        link=post.link,
        channels=list(post.channels.order_by("name")),
        variants=selectors.variants_of(post),
        media=[selectors.media_like(m) for m in media],
        planned_at=post.planned_at,
        thumbnails=[m for m in media if m.kind == Media.Kind.IMAGE],
    )
