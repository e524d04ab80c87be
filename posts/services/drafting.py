"""Drafting: creating, changing and autosaving a post (a submitted post that changes gets a new revision)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from channels.models import Channel
from departments.models import Department

from .. import selectors
from ..media import ProcessedMedia
from ..models import Post
from ..signals import post_revised
from .common import (
    EDITABLE_FIELDS,
    _check_channels,
    _check_planned_at,
    _etiquette_check,
    _locked,
    _media_files_delete,
    _media_store,
    _revision_add,
    _set_variants,
)

# --- drafting ------------------------------------------------------------------------------------------


@transaction.atomic
def post_create(
    *,
    actor,
    department: Department,
    title: str,
    text: str = "",
    link: str = "",
    channels: Iterable[Channel] = (),
    variants: dict[int, str] | None = None,
    planned_at: datetime | None = None,
    press_relevant: bool = False,
    media_new: Iterable[tuple[ProcessedMedia, dict]] = (),
    responsible=None,
) -> Post:
    """A new draft of ``department`` by ``actor`` (who must be a member allowed to draft there).

    ``responsible``: the person who answers for the post when ``actor`` is a service user (another
    system's posts); the four-eyes rule keeps them from deciding on it like the author."""
    if not selectors.may_draft_in(actor, department):
        raise PermissionDenied(_("You may not write posts for this department."))
    channels = _check_channels(department, channels)
    _check_planned_at(planned_at)
    post = Post.objects.create(
        department=department,
        author=actor,
        responsible=responsible,
        title=title,
        text=text,
        link=link,
        planned_at=planned_at,
        press_relevant=press_relevant,
        status=Post.Status.DRAFT,
    )
    post.channels.set(channels)
    _set_variants(post, variants or {}, channels)
    for position, (item, details) in enumerate(media_new):
        _media_store(actor=actor, post=post, item=item, details=details, position=position)
    audit_record(
        actor=actor,
        verb="post.created",
        obj=post,
        post_id=post.pk,
        after={
            "department": department.code,
            "title": title,
            "channels": [c.name for c in channels],
            "planned_at": planned_at,
            "press_relevant": press_relevant,
            "media": len(list(post.media.all())),
            **({"responsible": responsible.get_username()} if responsible is not None else {}),
        },
    )
    return post


@transaction.atomic
def post_update(
    *,
    actor,
    post: Post,
    channels: Iterable[Channel] | None = None,
    variants: dict[int, str] | None = None,
    media_changes: dict[int, dict] | None = None,
    media_removed: Iterable[int] = (),
    media_new: Iterable[tuple[ProcessedMedia, dict]] = (),
    verb: str = "post.changed",
    **fields,
) -> Post:
    """Save the editor's changes as one change (one audit event, and one revision once submitted).

    ``fields``: any of title, text, link, planned_at, press_relevant. ``media_changes`` maps a medium's
    id to new values of alt_text, credit, shows_people, consent. Called by the editor; Koordination
    edits posts in review this way. Editing an approved or scheduled post sends it back to review
    (status ``in_review``) – approvals opens the new review there.
    """
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"cannot change {sorted(unknown)} here")
    post = _locked(post)
    if not selectors.can_edit(actor, post):
        raise selectors.PostLocked(_("This post is locked while it is being reviewed."))
    if "planned_at" in fields and fields["planned_at"] != post.planned_at:
        _check_planned_at(fields["planned_at"])

    before, after = {}, {}
    for name, value in fields.items():
        if getattr(post, name) != value:
            before[name], after[name] = getattr(post, name), value
            setattr(post, name, value)

    current_channels = list(post.channels.all())
    if channels is not None:
        channels = list(channels)
        new_ids = {c.pk for c in channels}
        old_ids = {c.pk for c in current_channels}
        if new_ids != old_ids:
            _check_channels(post.department, [c for c in channels if c.pk not in old_ids])
            before["channels"] = sorted(c.name for c in current_channels)
            after["channels"] = sorted(c.name for c in channels)
            post.channels.set(channels)
        current_channels = channels
    if variants is not None:
        for name, (old, new) in _set_variants(post, variants, current_channels).items():
            before[f"variant:{name}"], after[f"variant:{name}"] = old, new

    media_by_id = {m.pk: m for m in post.media.all()}
    for media_id in media_removed:
        media = media_by_id.pop(int(media_id), None)
        if media is not None:
            before[f"media:{media.pk}"], after[f"media:{media.pk}"] = str(media), None
            _media_files_delete(media)
            media.delete()
    for media_id, values in (media_changes or {}).items():
        media = media_by_id.get(int(media_id))
        if media is None:
            continue
        changed = [
            k
            for k in ("alt_text", "credit", "shows_people", "consent")
            if k in values and getattr(media, k) != values[k]
        ]
        if changed:
            before[f"media:{media.pk}"] = {k: getattr(media, k) for k in changed}
            for k in changed:
                setattr(media, k, values[k])
            after[f"media:{media.pk}"] = {k: getattr(media, k) for k in changed}
            media.save(update_fields=changed)
    position = max((m.position for m in media_by_id.values()), default=-1) + 1
    for offset, (item, details) in enumerate(media_new):
        media = _media_store(actor=actor, post=post, item=item, details=details, position=position + offset)
        after[f"media:{media.pk}"] = str(media)

    if not after:
        return post
    post.save(update_fields=[*[k for k in fields if k in after], "updated_at"])
    audit_record(actor=actor, verb=verb, obj=post, post_id=post.pk, before=before, after=after)
    if post.status in Post.SUBMITTED:
        revision = _revision_add(actor=actor, post=post, reason="changed")
        if post.status in (Post.Status.APPROVED, Post.Status.SCHEDULED):
            # A review is tied to the revision it saw: an approved post that changes is reviewed again.
            old_status = post.status
            post.status = Post.Status.IN_REVIEW
            post.save(update_fields=["status", "updated_at"])
            audit_record(
                actor=actor,
                verb="post.returned_to_review",
                obj=post,
                post_id=post.pk,
                before={"status": old_status},
                after={"status": post.status, "revision": revision.number},
            )
            # approvals opens a new review (approvals.workflow).
            post_revised.send(
                sender=Post,
                actor=actor,
                post=post,
                revision=revision,
                findings=_etiquette_check(post),
                reopened=True,
            )
        else:
            # In review: the open review moves to the new revision (checked again, the author is told).
            post_revised.send(
                sender=Post, actor=actor, post=post, revision=revision, findings=None, reopened=False
            )
    return post


@transaction.atomic
def post_autosave(*, actor, post: Post, variants: dict[int, str] | None = None, **fields) -> Post:
    """Autosave of the editor (a few seconds after typing stops): drafts only, never a revision.

    The view passes only the fields whose values were valid; ``variants`` are the texts of the post's
    current channels. The audit event names the changed fields without their content (the content is
    in ``post.changed`` when the person saves).
    """
    post = _locked(post)
    if post.status not in Post.AUTHOR_EDITABLE or not selectors.can_edit(actor, post):
        raise selectors.PostLocked(_("Only drafts are saved automatically."))
    changed = [
        name for name, value in fields.items() if name in EDITABLE_FIELDS and getattr(post, name) != value
    ]
    for name in changed:
        setattr(post, name, fields[name])
    if variants is not None:
        changed += [f"variant:{name}" for name in _set_variants(post, variants, list(post.channels.all()))]
    if not changed:
        return post
    post.save(update_fields=[*[n for n in changed if n in EDITABLE_FIELDS], "updated_at"])
    audit_record(actor=actor, verb="post.autosaved", obj=post, post_id=post.pk, after={"fields": changed})
    return post
