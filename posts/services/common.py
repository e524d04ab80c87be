"""Shared by the posts services: errors, locking, status and input checks, snapshots, revisions, media files."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from channels.models import Channel
from departments.models import Department
from etiquette import engine
from etiquette.selectors import has_acknowledged_current_guide
from etiquette.types import Finding

from .. import selectors
from ..media import ProcessedMedia
from ..models import Media, Post, PostVariant, Revision

# A planned time this close to now still counts as "now" (the form was filled in a minute ago).
PLANNED_AT_TOLERANCE = timedelta(minutes=2)

EDITABLE_FIELDS = ("title", "text", "link", "planned_at", "press_relevant")


class InvalidTransition(ValidationError):
    """The post is not in a state that allows this step."""


class SubmissionBlocked(ValidationError):
    """Submission refused; ``findings`` holds the etiquette findings (blocking ones among them)."""

    def __init__(self, message, findings: list[Finding] | None = None):
        super().__init__(message)
        self.findings = findings or []


# --- helpers -------------------------------------------------------------------------------------------


def _locked(post: Post) -> Post:
    # Only the post's row: locking its author and department too would make every transition wait for
    # all others of the same department (and deadlock with the publishing workers).
    return Post.objects.select_for_update(of=("self",)).select_related("department", "author").get(pk=post.pk)


def _check_status(post: Post, allowed: Iterable[str], step: str) -> None:
    if post.status not in set(allowed):
        raise InvalidTransition(
            _("“%(step)s” is not possible while the post is “%(status)s”.")
            % {"step": step, "status": post.get_status_display()},
            code="invalid_transition",
        )


def _check_channels(department: Department, channels: Iterable[Channel]) -> list[Channel]:
    channels = list(channels)
    allowed = set(selectors.editor_channels(department).values_list("pk", flat=True))
    unknown = [c for c in channels if c.pk not in allowed]
    if unknown:
        raise ValidationError(
            {
                "channels": _("%(department)s may not publish on: %(channels)s.")
                % {"department": department.name, "channels": ", ".join(str(c) for c in unknown)}
            },
            code="channel_not_allowed",
        )
    return channels


def _check_planned_at(planned_at: datetime | None) -> None:
    if planned_at is not None and planned_at < timezone.now() - PLANNED_AT_TOLERANCE:
        raise ValidationError(
            {"planned_at": _("The planned time is in the past. Choose a later time or leave it empty.")},
            code="planned_in_past",
        )


def _jsonable(value):
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def snapshot(post: Post) -> dict:
    """What a revision stores: everything that gets published, by name (ids would not diff well)."""
    channels = list(post.channels.order_by("name"))
    variants = {
        v.channel.name: v.text for v in post.variants.select_related("channel").order_by("channel__name")
    }
    return {
        "title": post.title,
        "text": post.text,
        "link": post.link,
        "channels": [c.name for c in channels],
        "variants": variants,
        "planned_at": _jsonable(timezone.localtime(post.planned_at)) if post.planned_at else None,
        "press_relevant": post.press_relevant,
        "media": [
            {
                "name": m.original_name or str(m.pk),
                "kind": m.kind,
                "alt_text": m.alt_text,
                "credit": m.credit,
                "shows_people": m.shows_people,
                "consent": m.consent,
            }
            for m in post.media.order_by("position", "pk")
        ],
    }


def _revision_add(*, actor, post: Post, reason: str) -> Revision:
    last = post.revisions.order_by("-number").first()
    current = snapshot(post)
    changed = []
    if last is not None:
        changed = sorted(key for key in current if current[key] != last.snapshot.get(key))
    return Revision.objects.create(
        post=post,
        number=(last.number + 1) if last else 1,
        created_by=actor if actor is not None and actor.is_authenticated else None,
        reason=reason,
        snapshot=current,
        changed_fields=changed,
    )


def _set_variants(post: Post, variants: dict[int, str], channels: list[Channel]) -> dict:
    """Store the variants of the post's channels; returns {channel name: (before, after)} of changes."""
    wanted = {c.pk: (variants.get(c.pk) or "").strip() for c in channels}
    existing = {v.channel_id: v for v in post.variants.all()}
    names = {c.pk: c.name for c in channels}
    changes = {}
    for channel_id, variant in list(existing.items()):
        if not wanted.get(channel_id):
            changes[names.get(channel_id, str(channel_id))] = (variant.text, "")
            variant.delete()
    for channel_id, text in wanted.items():
        if not text:
            continue
        variant = existing.get(channel_id)
        if variant is None:
            PostVariant.objects.create(post=post, channel_id=channel_id, text=text)
            changes[names[channel_id]] = ("", text)
        elif variant.text != text:
            changes[names[channel_id]] = (variant.text, text)
            variant.text = text
            variant.save(update_fields=["text"])
    return changes


def _media_store(*, actor, post: Post, item: ProcessedMedia, details: dict, position: int) -> Media:
    media = Media(
        post=post,
        kind=item.kind,
        mime_type=item.mime_type,
        size=item.size,
        width=item.width,
        height=item.height,
        original_name=item.original_name,
        position=position,
        uploaded_by=actor if actor is not None and actor.is_authenticated else None,
        alt_text=details.get("alt_text", ""),
        credit=details.get("credit", ""),
        shows_people=bool(details.get("shows_people")),
        consent=bool(details.get("consent")),
    )
    media.file.save(f"upload.{item.extension}", item.content, save=False)
    if item.thumbnail is not None:
        media.thumbnail.save("thumbnail.jpg", item.thumbnail, save=False)
    if item.captions is not None:
        media.captions.save(f"captions.{item.captions_extension}", item.captions, save=False)
    media.save()
    # If the transaction rolls back, the files stay on disk without a row (harmless, never served:
    # media are only served through a row). A cleanup command for orphans is not written yet.
    return media


def _media_files_delete(media: Media) -> None:
    names = [f.name for f in (media.file, media.thumbnail, media.captions) if f]
    storage = media.file.storage

    def delete():
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete)


def _etiquette_check(post: Post) -> list[Finding]:
    return sorted(engine.check(selectors.post_like_for(post)), key=Finding.sort_key)


def _has_acknowledged_guide(user) -> bool:
    return has_acknowledged_current_guide(user)
