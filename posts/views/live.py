"""The live panel for form data (the editor's htmx checks); the stored post's panel is posts.live."""

from __future__ import annotations

import contextlib

from django.core.exceptions import ValidationError

from .. import selectors
from ..forms import TEXT_MAX_LENGTH, PostForm
from ..live import live_context
from ..models import Media, Post

# --- the live panel: posts.live (the same module for the editor and the review page) -------------------


def _live_from_data(data, *, department, post: Post | None, channel_list) -> dict:
    """The live panel for what is in the editor right now (unsaved form data; nothing is stored)."""
    text = data.get("text", "")[:TEXT_MAX_LENGTH]
    by_id = {str(c.pk): c for c in channel_list}
    channels = [by_id[value] for value in data.getlist("channels") if value in by_id]
    variants = {c.pk: data.get(f"variant_{c.pk}", "")[:TEXT_MAX_LENGTH] for c in channel_list}
    planned_at = None
    with contextlib.suppress(ValidationError):
        planned_at = PostForm.base_fields["planned_at"].clean(data.get("planned_at", ""))
    link = data.get("link", "").strip()[:2000]
    media_items, thumbnails = [], []
    if post is not None:
        saved = {str(m.pk): m for m in post.media.all()}
        total = data.get("media-TOTAL_FORMS", "0")
        count = int(total) if total.isdigit() else 0
        overridden = set()
        for index in range(min(count, 100)):
            prefix = f"media-{index}-"
            medium = saved.get(data.get(prefix + "id", ""))
            if medium is None:
                continue
            overridden.add(str(medium.pk))
            if data.get(prefix + "DELETE"):
                continue
            media_items.append(
                selectors.media_like(
                    medium,
                    alt_text=data.get(prefix + "alt_text", ""),
                    credit=data.get(prefix + "credit", ""),
                    shows_people=bool(data.get(prefix + "shows_people")),
                    consent=bool(data.get(prefix + "consent")),
                )
            )
            if medium.kind == Media.Kind.IMAGE:
                thumbnails.append(medium)
        for pk, medium in saved.items():
            if pk not in overridden:
                media_items.append(selectors.media_like(medium))
                if medium.kind == Media.Kind.IMAGE:
                    thumbnails.append(medium)
    return live_context(
        department=department,
        text=text,
        link=link,
        channels=channels,
        variants=variants,
        media=media_items,
        planned_at=planned_at,
        thumbnails=thumbnails,
    )
