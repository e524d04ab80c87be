"""The append-only audit trail: writing events and verifying the hash chain.

Every service that changes something a person is accountable for calls :func:`audit_record` in its
own transaction. Secrets never go into ``before``/``after``: callers pass field names or masked
values for credentials.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from .models import AuditChainHead, AuditEvent

GENESIS_HASH = "0" * 64


def _jsonable(value: Any) -> Any:
    """Normalise a value through JSON so the stored value and the hashed value are the same."""
    return json.loads(json.dumps(value or {}, cls=DjangoJSONEncoder, sort_keys=True))


def event_hash(event: AuditEvent) -> str:
    payload = {
        "sequence": event.sequence,
        "created_at": event.created_at.isoformat(),
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "verb": event.verb,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "post_id": event.post_id,
        "before": event.before,
        "after": event.after,
        "comment": event.comment,
        "previous_hash": event.previous_hash,
    }
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def actor_display_name(actor) -> str:
    if actor is None:
        return "System"
    full = actor.get_full_name().strip()
    return f"{full} ({actor.get_username()})" if full else actor.get_username()


@transaction.atomic
def audit_record(
    *,
    actor,
    verb: str,
    obj: models.Model | None = None,
    post_id: int | None = None,
    before: dict | None = None,
    after: dict | None = None,
    comment: str = "",
) -> AuditEvent:
    """Append one event to the trail, in the caller's transaction.

    ``verb`` is a stable dotted name such as ``post.submitted`` or ``channel.enabled``;
    ``actor`` is the user who decided (``None`` for the system, e.g. a worker).
    """
    head, _ = AuditChainHead.objects.get_or_create(id=1)
    head = AuditChainHead.objects.select_for_update().get(id=1)
    event = AuditEvent(
        sequence=head.last_sequence + 1,
        created_at=timezone.now(),
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_name=actor_display_name(actor if actor is not None and actor.is_authenticated else None),
        verb=verb,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:300] if obj is not None else "",
        post_id=post_id,
        before=_jsonable(before),
        after=_jsonable(after),
        comment=comment,
        previous_hash=head.last_hash,
    )
    event.hash = event_hash(event)
    event.save(force_insert=True)
    head.last_sequence = event.sequence
    head.last_hash = event.hash
    head.save(update_fields=["last_sequence", "last_hash"])
    return event


@dataclass(frozen=True)
class ChainProblem:
    sequence: int | None
    message: str


def audit_verify_chain(
    batch_size: int = 2000, *, expect: tuple[int, str] | None = None
) -> Iterator[ChainProblem]:
    """Walk the chain in order and yield every inconsistency found (nothing if it is intact).

    ``expect`` is a (sequence, hash) pair noted down earlier (``audit_verify`` prints the newest one):
    that event must still be there with that hash. This notices a trail that was emptied or rebuilt
    from the start, which the chain alone cannot show.
    """
    expected_previous = GENESIS_HASH
    expected_sequence = 1
    last = None
    anchor_seen = False
    for event in AuditEvent.objects.order_by("sequence").iterator(chunk_size=batch_size):
        if event.sequence != expected_sequence:
            yield ChainProblem(
                event.sequence,
                f"missing event(s) {expected_sequence}–{event.sequence - 1} (deleted rows)",
            )
        if event.previous_hash != expected_previous:
            yield ChainProblem(event.sequence, "link to the previous event is broken")
        if event_hash(event) != event.hash:
            yield ChainProblem(event.sequence, "content does not match its hash (row was changed)")
        if expect is not None and event.sequence == expect[0]:
            anchor_seen = True
            if event.hash != expect[1]:
                yield ChainProblem(event.sequence, "the event does not have the hash noted down earlier")
        expected_previous = event.hash
        expected_sequence = event.sequence + 1
        last = event
    if expect is not None and not anchor_seen:
        yield ChainProblem(expect[0], "the event noted down earlier is missing")
    head = AuditChainHead.objects.filter(id=1).first()
    if head is None:
        if last is not None:
            yield ChainProblem(None, "the chain head is missing")
        return
    last_sequence = last.sequence if last else 0
    if head.last_sequence != last_sequence:
        yield ChainProblem(
            head.last_sequence,
            f"the chain head names event {head.last_sequence}, the newest row is {last_sequence} "
            "(newest rows deleted)",
        )
    elif last is not None and head.last_hash != last.hash:
        yield ChainProblem(last.sequence, "the newest event does not match the chain head")
