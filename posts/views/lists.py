"""The list of posts."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from departments import roles
from departments.selectors import departments_for_user

from .. import selectors
from ..filters import PostFilter
from ..models import Post
from .common import (
    PAGE_SIZE,
)

# --- lists ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def post_list(request):
    user = request.user
    scope = request.GET.get("scope", "all")
    base = selectors.visible_posts(user)
    if scope == "mine":
        base = base.filter(author=user, status__in=Post.AUTHOR_EDITABLE)
    departments = departments_for_user(user, "view")
    post_filter = PostFilter(request.GET, queryset=selectors.list_posts(base), departments=departments)
    paginator = Paginator(post_filter.qs.order_by("-updated_at", "-pk"), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "posts/list.html",
        {
            "filter": post_filter,
            "page": page,
            "scope": scope,
            "query": query.urlencode(),
            "can_draft": selectors.drafting_departments(user).exists(),
            "sees_all": roles.sees_all_departments(user),
            "show_department_filter": departments.count() > 1,
        },
    )
