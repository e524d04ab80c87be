"""The per-post timeline: audit events in words.

Every app writes its events with ``post_id`` (``audit.services.audit_record``); the timeline shows
all of them, oldest first. Known verbs get a German label, others show their stable code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from audit.models import AuditEvent

VERB_LABELS = {
    "post.created": _("created the draft"),
    "post.changed": _("changed the post"),
    "post.autosaved": _("draft saved automatically"),
    "post.submitted": _("submitted for approval"),
    "post.edited_in_review": _("edited the post during the review"),
    "post.returned_to_review": _("changed the approved post: it is reviewed again"),
    "post.changes_requested": _("post sent back for changes"),
    "post.approved": _("post approved"),
    "post.rejected": _("post rejected"),
    "post.rescheduled": _("changed the publication time"),
    "post.publishing": _("publication started"),
    "post.published": _("published"),
    "post.partially_failed": _("published on some channels only"),
    "post.failed": _("publication failed"),
    "post.withdrawn": _("withdrawn"),
    "post.commented": _("wrote an internal comment"),
    "review.opened": _("review opened"),
    "review.revised": _("review continues with a new revision"),
    "review.step_added": _("review step added"),
    "review.warning_acknowledged": _("acknowledged a warning"),
    "review.step_approved": _("approved a review step"),
    "review.approved": _("review finished: approved"),
    "review.approved_with_reviewer_edits": _("approved with the text changed by the review"),
    "review.changes_requested": _("asked for changes"),
    "review.rejected": _("rejected the post"),
    "delivery.created": _("delivery created"),
    "delivery.published": _("delivered to the channel"),
    "delivery.failed": _("delivery failed"),
    "delivery.uncertain": _("delivery outcome uncertain"),
    "delivery.retried": _("delivery retried"),
    "delivery.withdrawn": _("delivery withdrawn"),
}

# Keys of before/after whose values are long texts: shown shortened.
MAX_VALUE_LENGTH = 300


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class Entry:
    event: AuditEvent
    label: str
    time: datetime
    actor: str
    comment: str
    changes: list[Change]


def _text(value) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "–"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    text = str(value)
    return text if len(text) <= MAX_VALUE_LENGTH else text[: MAX_VALUE_LENGTH - 1] + "…"


def label_for(verb: str) -> str:
    label = VERB_LABELS.get(verb)
    return str(label) if label is not None else verb


def describe(event: AuditEvent) -> Entry:
    before, after = event.before or {}, event.after or {}
    keys = list(dict.fromkeys([*before, *after]))
    changes = [Change(key, _text(before.get(key)), _text(after.get(key))) for key in keys]
    return Entry(
        event=event,
        label=label_for(event.verb),
        time=event.created_at,
        actor=event.actor_name,
        comment=event.comment,
        changes=changes,
    )


def entries(events) -> list[Entry]:
    return [describe(event) for event in events]
