"""The post page, internal comments, the revisions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .. import selectors, services
from ..diff import diff_snapshots
from ..forms import CommentForm
from ..live import live_from_post
from ..models import Post

# --- detail, comments, revisions -------------------------------------------------------------------------


@login_required
@require_GET
def post_detail(request, pk):
    post = selectors.get_post_for_user(request.user, pk)
    media = list(post.media.all())
    return render(
        request,
        "posts/detail.html",
        {
            "post": post,
            "channels": list(post.channels.order_by("name")),
            "media": media,
            "live": live_from_post(post),
            "comments": post.comments.select_related("author"),
            "comment_form": CommentForm(),
            "can_edit": selectors.can_edit(request.user, post),
            "can_submit": post.status in Post.AUTHOR_EDITABLE and selectors.can_edit(request.user, post),
            "revision_count": post.revisions.count(),
        },
    )


@login_required
@require_POST
def comment_add(request, pk):
    post = selectors.get_post_for_user(request.user, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        services.post_comment_add(actor=request.user, post=post, text=form.cleaned_data["text"])
        messages.success(request, _("Comment added."))
        return redirect(reverse("posts:detail", args=[post.pk]) + "#comments")
    media = list(post.media.all())
    return render(
        request,
        "posts/detail.html",
        {
            "post": post,
            "channels": list(post.channels.order_by("name")),
            "media": media,
            "live": live_from_post(post),
            "comments": post.comments.select_related("author"),
            "comment_form": form,
            "can_edit": selectors.can_edit(request.user, post),
            "can_submit": False,
            "revision_count": post.revisions.count(),
        },
        status=422,
    )


@login_required
@require_GET
def post_revisions(request, pk):
    post = selectors.get_post_for_user(request.user, pk)
    revisions = list(post.revisions.select_related("created_by").order_by("number"))
    by_number = {r.number: r for r in revisions}

    def pick(name, default):
        value = request.GET.get(name, "")
        return by_number.get(int(value)) if value.isdigit() and int(value) in by_number else default

    newer = pick("to", revisions[-1] if revisions else None)
    older = pick("from", revisions[-2] if len(revisions) > 1 else None)
    diff = None
    if older is not None and newer is not None:
        if older.number > newer.number:
            older, newer = newer, older
        diff = diff_snapshots(older.snapshot, newer.snapshot)
    return render(
        request,
        "posts/revisions.html",
        {"post": post, "revisions": revisions, "older": older, "newer": newer, "diff": diff},
    )
