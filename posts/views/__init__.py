"""Thin views: look the post up through the permission-aware accessor, validate with a form, call a service."""

from .calendar import (  # noqa: F401
    _parse_day,
    calendar_feed,
    calendar_feed_renew,
    calendar_feed_revoke,
    calendar_view,
    post_reschedule,
)
from .common import (  # noqa: F401
    AUTOSAVE_FIELDS,
    PAGE_SIZE,
    _int_param,
)
from .detail import (  # noqa: F401
    comment_add,
    post_detail,
    post_revisions,
)
from .editor import (  # noqa: F401
    _apply_service_errors,
    _editor,
    _submit_after_save,
    post_autosave,
    post_check,
    post_create,
    post_edit,
    post_submit,
)
from .lists import (  # noqa: F401
    post_list,
)
from .live import (  # noqa: F401
    _live_from_data,
)
from .media import (  # noqa: F401
    _file_response,
    media_captions,
    media_file,
    media_public,
    media_thumbnail,
)
