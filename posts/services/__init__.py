"""Every write to posts: drafting, media, comments, calendar feeds and the status transitions.

Each function is ``<entity>_<verb>``, keyword-only with ``actor`` first, runs in one transaction and
writes its audit event (``audit.services.audit_record``) in that transaction.

The package: common.py (helpers), drafting.py, submission.py, transitions.py, comments.py; every name
is importable from ``posts.services``.

Who calls what
--------------
- The editor views: :func:`post_create`, :func:`post_update`, :func:`post_autosave`, :func:`post_submit`,
  :func:`post_comment_add`, the calendar page :func:`calendar_feed_renew` / :func:`calendar_feed_revoke`.
- approvals (review decisions): :func:`post_request_changes`, :func:`post_approve`, :func:`post_reject`,
  :func:`post_reschedule`. posts imports no app above it: :func:`post_submit`, :func:`post_update` (an edited
  approved post goes back to review) and :func:`post_reschedule` send ``posts.signals``; approvals opens or
  moves the review (``approvals.workflow``), publishing moves the waiting deliveries.
- publishing (deliveries): :func:`post_mark_publishing`, :func:`post_mark_published`,
  :func:`post_mark_failed`, :func:`post_withdraw`; :func:`post_withdraw_from_review` (approvals, when
  the author takes a post back from review).

Every transition locks the row, checks the current status and refuses with
:class:`InvalidTransition` otherwise."""

from .comments import (  # noqa: F401
    calendar_feed_renew,
    calendar_feed_revoke,
    post_comment_add,
)
from .common import (  # noqa: F401
    EDITABLE_FIELDS,
    PLANNED_AT_TOLERANCE,
    InvalidTransition,
    SubmissionBlocked,
    _check_channels,
    _check_planned_at,
    _check_status,
    _etiquette_check,
    _has_acknowledged_guide,
    _jsonable,
    _locked,
    _media_files_delete,
    _media_store,
    _revision_add,
    _set_variants,
    snapshot,
)
from .drafting import (  # noqa: F401
    post_autosave,
    post_create,
    post_update,
)
from .submission import (  # noqa: F401
    post_submit,
)
from .transitions import (  # noqa: F401
    PLANNED_AT_UNCHANGED,
    PUBLISHING_OUTCOME_FROM,
    _transition,
    post_approve,
    post_mark_failed,
    post_mark_published,
    post_mark_publishing,
    post_reject,
    post_request_changes,
    post_reschedule,
    post_withdraw,
    post_withdraw_from_review,
)
