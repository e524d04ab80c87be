"""Thin views: look the post up through the permission-aware accessor, validate with a form, call a service."""

from .administration import (  # noqa: F401
    _audit_page,
    _require_administrator,
    _review_modes_page,
    audit,
    audit_export,
    review_mode_set,
    review_modes,
)
from .autonomous import (  # noqa: F401
    autonomous,
)
from .common import (  # noqa: F401
    PAGE_SIZE,
    _query_without_page,
)
from .notification_list import (  # noqa: F401
    notification_open,
    notifications,
    notifications_read,
)
from .queue import (  # noqa: F401
    queue,
)
from .review import (  # noqa: F401
    ReviewState,
    _after_decision,
    _posted_step,
    _refresh_revision,
    _render_review,
    approve,
    comment,
    edit,
    history,
    reject,
    request_changes,
    review,
)
