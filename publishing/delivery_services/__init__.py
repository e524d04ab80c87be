"""Deliveries: every write from the approval to the post on the network (and back off it).

The database is the source of truth (DESIGN.md "Publishing guarantees"); the broker only wakes
workers. The life of a delivery::

    approval ─▶ pending ─claim─▶ sending ─▶ published ─withdraw─▶ withdrawing ─▶ withdrawn
                  ▲  ▲             │ ├──▶ retrying (backoff; claimable again when due)
                  │  └── sweep ────┘ ├──▶ failed     (refused: the network's message; "retry")
                  │   (lease expired,└──▶ uncertain  (maybe sent: a person checks; "retry anyway"
                  │    network dedups)                 or "mark published" with the URL)
                  └───────────── retry by a person ──────────┘

- :func:`deliveries_create_for_post` runs in the approval's transaction (approvals calls it).
- :func:`delivery_claim` is one conditional UPDATE (``pending/retrying`` and due → ``sending``
  with a lease and the worker's id); whoever updates no row has nothing to do. Channels with a
  posting limit are locked during the claim and their attempts in the window counted, so the limit
  holds across any number of workers (and on SQLite, whose writers queue anyway).
- The network call happens outside any transaction (``publishing.tasks``); the outcome is written
  by :func:`delivery_record_outcome` in one short transaction, audited, and the post's status
  follows its deliveries (``posts.services.post_mark_*``).
- :func:`deliveries_sweep` (beat, every ``PUBLISHING_SWEEP_SECONDS``) turns expired leases into
  ``uncertain`` – or ``retrying`` where the network deduplicates by the idempotency key – and
  queues every due delivery.

Lock order, to stay free of deadlocks: post row → channel row → delivery row → audit chain head.
Rows read along with a locked row (``select_related``) are not locked (``of=("self",)``): the post's
author and department, a delivery's channel.
The claim never writes an audit event (it holds the channel lock), and an outcome never locks the
channel (a credentials problem is flagged on the channel in a transaction of its own afterwards).

The modules, one per phase (every name is importable from here, and the agreed entry points also
from ``publishing.services``):

- ``create``: :func:`deliveries_create_for_post`, :func:`deliveries_reschedule_for_post`
- ``claim``: :func:`delivery_claim`, :func:`build_content`, :func:`preflight_error`
- ``outcome``: :func:`delivery_record_outcome`
- ``sweep``: :func:`deliveries_sweep`, :func:`due_deliveries`
- ``actions`` (people): :func:`delivery_retry`, :func:`delivery_mark_published`,
  :func:`deliveries_withdraw_for_post`, :func:`channel_deliveries_requeue`
- ``withdrawal`` (workers): :func:`delivery_withdraw_claim`, :func:`delivery_record_withdrawal`
- ``common``: statuses, :class:`Claim` / :class:`Wait` / :class:`Result`, backoff, queueing,
  auditing, notifying, and the post's status following its deliveries
"""

from .actions import (
    WITHDRAWABLE_POST_STATUSES,
    channel_deliveries_requeue,
    deliveries_withdraw_for_post,
    delivery_mark_published,
    delivery_retry,
    validate_published_url,
    validate_reason,
)
from .claim import build_content, delivery_claim, delivery_renew_lease, preflight_error
from .common import (
    REASON_MAX_LENGTH,
    SENDABLE_POST_STATUSES,
    Claim,
    KeyWindowPassed,
    Result,
    Wait,
    backoff_seconds,
    rate_limit_for,
)
from .create import deliveries_create_for_post, deliveries_reschedule_for_post
from .outcome import DELIVERY_OUTCOME_FIELDS, delivery_record_outcome
from .sweep import SweepResult, deliveries_sweep, delivery_key_window_passed, due_deliveries
from .withdrawal import delivery_record_withdrawal, delivery_withdraw_claim

__all__ = [
    "DELIVERY_OUTCOME_FIELDS",
    "REASON_MAX_LENGTH",
    "SENDABLE_POST_STATUSES",
    "WITHDRAWABLE_POST_STATUSES",
    "Claim",
    "KeyWindowPassed",
    "Result",
    "SweepResult",
    "Wait",
    "backoff_seconds",
    "build_content",
    "channel_deliveries_requeue",
    "deliveries_create_for_post",
    "deliveries_reschedule_for_post",
    "deliveries_sweep",
    "deliveries_withdraw_for_post",
    "delivery_claim",
    "delivery_key_window_passed",
    "delivery_mark_published",
    "delivery_record_outcome",
    "delivery_record_withdrawal",
    "delivery_renew_lease",
    "delivery_retry",
    "delivery_withdraw_claim",
    "due_deliveries",
    "preflight_error",
    "rate_limit_for",
    "validate_published_url",
    "validate_reason",
]
