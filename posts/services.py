"""Every write to posts: drafting, media, comments, calendar feeds and the status transitions.

Each function is ``<entity>_<verb>``, keyword-only with ``actor`` first, runs in one transaction and
writes its audit event (``audit.services.audit_record``) in that transaction.

Who calls what
--------------
- The editor views: :func:`post_create`, :func:`post_update`, :func:`post_autosave`, :func:`post_submit`,
  :func:`post_comment_add`, the calendar page :func:`calendar_feed_renew` / :func:`calendar_feed_revoke`.
- approvals (review decisions): :func:`post_request_changes`, :func:`post_approve`, :func:`post_reject`,
  :func:`post_reschedule`, and hooks its review into :func:`post_submit` (and into :func:`post_update`,
  which sends an edited approved post back to review).
- publishing (deliveries): :func:`post_mark_publishing`, :func:`post_mark_published`,
  :func:`post_mark_failed`, :func:`post_withdraw`.

Every transition locks the row, checks the current status and refuses with
:class:`InvalidTransition` otherwise.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from channels.models import Channel
from departments import roles
from departments.models import Department
from etiquette import engine
from etiquette.selectors import has_acknowledged_current_guide
from etiquette.types import Finding, Severity

from . import selectors
from .media import ProcessedMedia
from .models import CalendarFeed, Comment, Media, Post, PostVariant, Revision
from .signals import post_rescheduled, post_revised, post_submitted

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
) -> Post:
    """A new draft of ``department`` by ``actor`` (who must be a member allowed to draft there)."""
    if not selectors.may_draft_in(actor, department):
        raise PermissionDenied(_("You may not write posts for this department."))
    channels = _check_channels(department, channels)
    _check_planned_at(planned_at)
    post = Post.objects.create(
        department=department,
        author=actor,
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


def _etiquette_check(post: Post) -> list[Finding]:
    return sorted(engine.check(selectors.post_like_for(post)), key=Finding.sort_key)


def _has_acknowledged_guide(user) -> bool:
    return has_acknowledged_current_guide(user)


@transaction.atomic
def post_submit(*, actor, post: Post) -> list[Finding]:
    """Submit a draft (or a post sent back for changes) for review: ``draft``/``changes_requested`` →
    ``in_review``. Returns the non-blocking findings (warnings travel with the post).

    Refuses (``SubmissionBlocked``) when: the actor has not acknowledged the current etiquette guide;
    the post has no text or no channel; a channel is no longer allowed; the planned time has passed;
    the etiquette engine reports a blocking finding. Writes a :class:`Revision` and locks the post
    for its author. Called by the editor; approvals opens the review on ``post_submitted``.
    """
    post = _locked(post)
    _check_status(post, Post.AUTHOR_EDITABLE, _("Submit for approval"))
    if not selectors.can_edit(actor, post):
        raise PermissionDenied(_("You may not submit posts of this department."))
    problems = []
    if not post.text.strip():
        problems.append(_("The post has no text."))
    channels = list(post.channels.all())
    if not channels:
        problems.append(_("Choose at least one channel."))
    allowed = set(selectors.editor_channels(post.department).values_list("pk", flat=True))
    gone = [c.name for c in channels if c.pk not in allowed]
    if gone:
        problems.append(
            _("These channels are no longer available for your department: %(channels)s.")
            % {"channels": ", ".join(gone)}
        )
    if post.planned_at is not None and post.planned_at < timezone.now() - PLANNED_AT_TOLERANCE:
        problems.append(_("The planned time is in the past."))
    if not _has_acknowledged_guide(actor):
        problems.append(_("Please read and acknowledge the current etiquette guide first."))
    if problems:
        raise SubmissionBlocked(problems)
    findings = _etiquette_check(post)
    blocking = [f for f in findings if f.severity == Severity.BLOCK]
    if blocking:
        raise SubmissionBlocked(
            _("The etiquette check found %(count)s problem(s) that must be fixed before submitting.")
            % {"count": len(blocking)},
            findings=findings,
        )
    resubmission = post.status == Post.Status.CHANGES_REQUESTED
    revision = _revision_add(actor=actor, post=post, reason="resubmitted" if resubmission else "submitted")
    old_status = post.status
    post.status = Post.Status.IN_REVIEW
    post.submitted_at = timezone.now()
    post.save(update_fields=["status", "submitted_at", "updated_at"])
    audit_record(
        actor=actor,
        verb="post.submitted",
        obj=post,
        post_id=post.pk,
        before={"status": old_status},
        after={
            "status": post.status,
            "revision": revision.number,
            "warnings": [f.rule for f in findings if f.severity == Severity.WARN],
            "press_relevant": post.press_relevant,
        },
    )
    # approvals opens the review (approvals.workflow): its steps follow the department's review mode and
    # the press relevance.
    post_submitted.send(sender=Post, actor=actor, post=post, revision=revision, findings=findings)
    return findings


def _transition(
    *,
    actor,
    post: Post,
    allowed,
    to: str,
    verb: str,
    step: str,
    comment: str = "",
    locked: bool = False,
    **extra,
) -> Post:
    # ``locked``: the caller locked and read the row in this transaction – no second read.
    post = post if locked else _locked(post)
    _check_status(post, allowed, step)
    old = post.status
    post.status = to
    for name, value in extra.items():
        setattr(post, name, value)
    post.save(update_fields=["status", *extra, "updated_at"])
    audit_record(
        actor=actor,
        verb=verb,
        obj=post,
        post_id=post.pk,
        before={"status": old},
        after={"status": to, **extra},
        comment=comment,
    )
    return post


@transaction.atomic
def post_request_changes(*, actor, post: Post, comment: str = "") -> Post:
    """Reviewer sends the post back: ``in_review`` → ``changes_requested`` (unlocks it for the author).
    Called by approvals."""
    return _transition(
        actor=actor,
        post=post,
        allowed={Post.Status.IN_REVIEW},
        to=Post.Status.CHANGES_REQUESTED,
        verb="post.changes_requested",
        step=_("Request changes"),
        comment=comment,
    )


# ``post_approve(planned_at=...)`` left out: the planned time stays as it is.
PLANNED_AT_UNCHANGED = object()


@transaction.atomic
def post_approve(*, actor, post: Post, comment: str = "", planned_at=PLANNED_AT_UNCHANGED) -> Post:
    """All review steps approved: ``in_review`` → ``scheduled`` (planned time in the future) or
    ``approved`` (publish as soon as possible). Called by approvals after its last step.

    ``planned_at``: the publication time the last reviewer chose (``None``: publish now)."""
    extra = {}
    if planned_at is not PLANNED_AT_UNCHANGED:
        _check_planned_at(planned_at)
        extra["planned_at"] = planned_at
    when = extra.get("planned_at", post.planned_at)
    target = Post.Status.SCHEDULED if when and when > timezone.now() else Post.Status.APPROVED
    return _transition(
        actor=actor,
        post=post,
        allowed={Post.Status.IN_REVIEW},
        to=target,
        verb="post.approved",
        step=_("Approve"),
        comment=comment,
        **extra,
    )


@transaction.atomic
def post_reject(*, actor, post: Post, comment: str = "") -> Post:
    """``in_review`` → ``rejected`` (final). Called by approvals."""
    return _transition(
        actor=actor,
        post=post,
        allowed={Post.Status.IN_REVIEW},
        to=Post.Status.REJECTED,
        verb="post.rejected",
        step=_("Reject"),
        comment=comment,
    )


@transaction.atomic
def post_reschedule(*, actor, post: Post, planned_at: datetime | None, comment: str = "") -> Post:
    """Koordination moves an approved post to another time (no new review: the content is unchanged)."""
    post = _locked(post)
    _check_status(post, {Post.Status.APPROVED, Post.Status.SCHEDULED}, _("Reschedule"))
    if not roles.is_coordinator(actor):
        raise PermissionDenied(_("Only the coordination may reschedule approved posts."))
    _check_planned_at(planned_at)
    before = {"planned_at": post.planned_at, "status": post.status}
    post.planned_at = planned_at
    post.status = (
        Post.Status.SCHEDULED if planned_at and planned_at > timezone.now() else Post.Status.APPROVED
    )
    post.save(update_fields=["planned_at", "status", "updated_at"])
    audit_record(
        actor=actor,
        verb="post.rescheduled",
        obj=post,
        post_id=post.pk,
        before=before,
        after={"planned_at": planned_at, "status": post.status},
        comment=comment,
    )
    # The waiting deliveries follow (publishing.delivery_services.deliveries_reschedule_for_post).
    post_rescheduled.send(sender=Post, actor=actor, post=post)
    return post


# The publishing transitions run inside publishing's transaction (a delivery's outcome). ``locked=True``:
# publishing locked and read the post's row in that transaction (``SELECT … FOR UPDATE``, the first lock
# of its lock order), so it is not read again.


@transaction.atomic
def post_mark_publishing(*, actor=None, post: Post, locked: bool = False) -> Post:
    """The first delivery starts: ``approved``/``scheduled`` → ``publishing``. Called by publishing."""
    return _transition(
        actor=actor,
        post=post,
        allowed={Post.Status.APPROVED, Post.Status.SCHEDULED},
        to=Post.Status.PUBLISHING,
        verb="post.publishing",
        step=_("Publish"),
        locked=locked,
    )


# The states a post's deliveries can settle it from (publishing's outcome transitions).
PUBLISHING_OUTCOME_FROM = frozenset(
    {
        Post.Status.APPROVED,
        Post.Status.SCHEDULED,
        Post.Status.PUBLISHING,
        Post.Status.PARTIALLY_FAILED,
        Post.Status.FAILED,
    }
)


@transaction.atomic
def post_mark_published(
    *, actor=None, post: Post, published_at: datetime | None = None, locked: bool = False
) -> Post:
    """Every delivery succeeded: → ``published``. Also from (partially) failed after a successful retry,
    and straight from ``approved``/``scheduled`` when the post's only (or every) delivery finished in
    one go. Called by publishing."""
    return _transition(
        actor=actor,
        post=post,
        allowed=PUBLISHING_OUTCOME_FROM,
        to=Post.Status.PUBLISHED,
        verb="post.published",
        step=_("Publish"),
        locked=locked,
        published_at=published_at or timezone.now(),
    )


@transaction.atomic
def post_mark_failed(
    *, actor=None, post: Post, partially: bool, comment: str = "", locked: bool = False
) -> Post:
    """Deliveries finished with errors: → ``partially_failed`` (some channels worked) or ``failed``.
    Called by publishing."""
    return _transition(
        actor=actor,
        post=post,
        allowed=PUBLISHING_OUTCOME_FROM,
        to=Post.Status.PARTIALLY_FAILED if partially else Post.Status.FAILED,
        verb="post.partially_failed" if partially else "post.failed",
        step=_("Publish"),
        comment=comment,
        locked=locked,
    )


@transaction.atomic
def post_withdraw(*, actor, post: Post, comment: str = "") -> Post:
    """Take a published (or approved, not yet published) post back: → ``withdrawn``. Called by
    publishing (``deliveries_withdraw_for_post``), which deletes the post on the networks; also while
    deliveries are still being sent or retried (``publishing``)."""
    return _transition(
        actor=actor,
        post=post,
        allowed={
            Post.Status.APPROVED,
            Post.Status.SCHEDULED,
            Post.Status.PUBLISHING,
            Post.Status.PUBLISHED,
            Post.Status.PARTIALLY_FAILED,
            Post.Status.FAILED,
        },
        to=Post.Status.WITHDRAWN,
        verb="post.withdrawn",
        step=_("Withdraw"),
        comment=comment,
    )


# --- comments and calendar feeds -----------------------------------------------------------------------


@transaction.atomic
def post_comment_add(*, actor, post: Post, text: str) -> Comment:
    """An internal comment by anybody who may see the post."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Please write a comment.")})
    if not selectors.can_comment(actor, post):
        raise PermissionDenied
    comment = Comment.objects.create(post=post, author=actor, text=text)
    audit_record(actor=actor, verb="post.commented", obj=post, post_id=post.pk, comment=text)
    return comment


@transaction.atomic
def calendar_feed_renew(*, actor) -> CalendarFeed:
    """A new secret iCal address for ``actor``; the previous one stops working at once."""
    CalendarFeed.objects.filter(user=actor).delete()
    feed = CalendarFeed.objects.create(user=actor, token=secrets.token_urlsafe(32))
    audit_record(actor=actor, verb="calendar_feed.renewed", obj=feed)
    return feed


@transaction.atomic
def calendar_feed_revoke(*, actor) -> None:
    deleted, _rows = CalendarFeed.objects.filter(user=actor).delete()
    if deleted:
        audit_record(actor=actor, verb="calendar_feed.revoked", after={"user": actor.get_username()})
