"""The review queue: what waits for me."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from departments import roles
from departments.models import Department

from .. import selectors
from ..forms import (
    QueueFilter,
)
from .common import (
    PAGE_SIZE,
    _query_without_page,
)

# --- the queue ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def queue(request):
    user = request.user
    kinds = selectors.queue_kinds_for(user)
    if not kinds:
        raise PermissionDenied(_("You do not review posts."))
    departments = (
        Department.objects.filter(active=True)
        if roles.sees_all_departments(user)
        else selectors.led_departments(user)
    )
    queue_filter = QueueFilter(
        request.GET, queryset=selectors.queue_for(user), departments=departments, kinds=kinds
    )
    page = Paginator(queue_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [
        {
            "step": step,
            "review": step.review,
            "post": step.review.post,
            "urgency": selectors.urgency(step.review.post.planned_at, now),
        }
        # The page's slice as a subquery of one query (see selectors.queue_rows); ``page`` itself is
        # not evaluated.
        for step in selectors.queue_rows(page.object_list)
    ]
    return render(
        request,
        "approvals/queue.html",
        {
            "filter": queue_filter,
            "page": page,
            "rows": rows,
            "query": _query_without_page(request),
            "show_kind_filter": len(kinds) > 1,
            "is_coordinator": roles.is_coordinator(user) or roles.is_administrator(user),
            "now": now,
        },
    )
