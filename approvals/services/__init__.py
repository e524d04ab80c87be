"""Every write of approvals: opening reviews, the step decisions, warning acknowledgements, edits by
reviewers, notifications read (the audit export is ``audit.export``).

The package: common.py (errors, locks, checks, notifying), reviews.py (open, revise, edit), decisions.py
(acknowledge, approve, request changes, reject, the hand-over), reading.py (notifications read); every name
importable from ``approvals.services``.

Each function is ``<entity>_<verb>``, keyword-only with ``actor`` first, runs in one transaction and
writes its audit event in that transaction. Transitions follow Wagtail's workflow pattern: lock the
rows, check the current state (and refuse otherwise), record who decided and when, save with
``update_fields``, log, move on.

Who calls what
--------------
- ``approvals.workflow`` (on posts' signals): :func:`review_open` when a post is submitted (and when an
  approved post is edited and goes back to review); :func:`review_revise` whenever a post in review gets a
  new revision.
- the review page: :func:`step_approve`, :func:`step_request_changes`, :func:`step_reject`,
  :func:`review_edit`.
- integrations (a cancelled official warning): :func:`review_withdraw`.
- the notification list: :func:`notification_mark_read`, :func:`notifications_mark_all_read`.

The hand-over to publishing happens in exactly one place, :func:`_hand_to_publishing`."""

# As before the split: the review services' callers pass ``planned_at=KEEP`` and compare finding keys.
from ..selectors import KEEP, finding_dict, finding_key  # noqa: F401
from .common import (  # noqa: F401
    PLANNED_AT_TOLERANCE,
    ApprovalBlocked,
    DecisionRefused,
    InvalidReviewState,
    StaleRevision,
    WarningsNotAcknowledged,
    _authors,
    _check_may_decide,
    _check_revision,
    _close_waiting_steps,
    _decide,
    _finish,
    _lock_open_step,
    _lock_review,
    _notify_authors,
    _notify_reviewers,
    _summary,
    _user_or_none,
)
from .decisions import (  # noqa: F401
    _check_planned_at,
    _hand_to_publishing,
    _require_acknowledgements,
    _review_approve,
    review_withdraw,
    step_approve,
    step_reject,
    step_request_changes,
    warning_acknowledge,
)
from .reading import (  # noqa: F401
    notification_mark_read,
    notifications_mark_all_read,
)
from .reviews import (  # noqa: F401
    review_edit,
    review_open,
    review_revise,
)
