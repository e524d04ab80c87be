"""After the fact: what autonomous departments approved."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from departments import roles
from departments.models import Department

from .. import selectors
from ..forms import (
    AutonomousFilter,
)
from .common import (
    PAGE_SIZE,
    _query_without_page,
)

# --- after the fact: what autonomous departments approved ------------------------------------------------


@login_required
@require_GET
def autonomous(request):
    user = request.user
    if not (roles.is_coordinator(user) or roles.is_administrator(user)):
        raise PermissionDenied
    reviews_filter = AutonomousFilter(request.GET, queryset=selectors.autonomous_approvals())
    page = Paginator(reviews_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "approvals/autonomous.html",
        {
            "filter": reviews_filter,
            "page": page,
            "query": _query_without_page(request),
            "autonomous_departments": Department.objects.filter(
                review_mode=Department.ReviewMode.AUTONOMOUS, active=True
            ),
        },
    )
