"""The append-only audit trail: writing events and verifying the hash chain.

Every service that changes something a person is accountable for calls :func:`audit_record` in its
own transaction. Secrets never go into ``before``/``after``: callers pass field names or masked
values for credentials.

Writers serialise on one row, the chain head (``SELECT … FOR UPDATE``), held until their commit: an
event costs three statements (head, insert, head moved), and a transaction that writes several
events can write them together at its end with :func:`audit_batch` (publishing's workers do).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
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


# The events of an open ``audit_batch()`` block (per thread: a worker's threads each have their own).
_batch: ContextVar[list[AuditEvent] | None] = ContextVar("audit_batch", default=None)


@contextmanager
def audit_batch() -> Iterator[None]:
    """Append every event recorded in the block to the chain together when the block ends.

    For a transaction that writes several events (a delivery's outcome and the post's new status):
    the chain head is locked, the events are inserted and the head is updated once – three statements
    however many events – and only at the end of the block, so that the head, one lock for every writer
    of the trail, is held from then until the commit only. Use it inside the transaction
    (``transaction.atomic``) and let it end before the commit; an exception in the block discards its
    events with the transaction. Nested blocks add to the outer one.
    """
    if _batch.get() is not None:
        yield
        return
    token = _batch.set([])
    try:
        yield
        events = _batch.get()
    finally:
        _batch.reset(token)
    if events:
        _append(events)


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
    ``actor`` is the user who decided (``None`` for the system, e.g. a worker). Inside
    :func:`audit_batch` the event is written (and gets its sequence number) when the block ends.
    """
    actor = actor if actor is not None and actor.is_authenticated else None
    event = AuditEvent(
        actor=actor,
        actor_name=actor_display_name(actor),
        verb=verb,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:300] if obj is not None else "",
        post_id=post_id,
        before=_jsonable(before),
        after=_jsonable(after),
        comment=comment,
    )
    batch = _batch.get()
    if batch is not None:
        batch.append(event)
    else:
        _append([event])
    return event


# No savepoint: an event belongs to the caller's transaction, which fails as a whole if it cannot be
# written (outside a transaction this is one of its own).
@transaction.atomic(savepoint=False)
def _append(events: list[AuditEvent]) -> None:
    """Lock the chain head (one read), link and insert the events, move the head: three statements."""
    head = (
        AuditChainHead.objects.select_for_update()
        .filter(id=1)
        .values_list("last_sequence", "last_hash")
        .first()
    )
    if head is None:  # a new (or emptied) trail
        AuditChainHead.objects.get_or_create(id=1)
        head = AuditChainHead.objects.select_for_update().values_list("last_sequence", "last_hash").get(id=1)
    sequence, previous = head
    now = timezone.now()
    for event in events:
        sequence += 1
        event.sequence = sequence
        event.created_at = now
        event.previous_hash = previous
        event.hash = previous = event_hash(event)
    if len(events) == 1:
        events[0].save(force_insert=True)
    else:
        AuditEvent.objects.bulk_create(events)
    AuditChainHead.objects.filter(id=1).update(last_sequence=sequence, last_hash=previous)


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
