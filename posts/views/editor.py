"""The editor: create, edit, check, autosave, submit."""

from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from etiquette.types import Severity

from .. import selectors, services
from ..forms import PostForm, media_formset
from ..live import live_from_post
from ..models import Post
from .common import (
    AUTOSAVE_FIELDS,
    _int_param,
)
from .live import (
    _live_from_data,
)

# --- the editor ----------------------------------------------------------------------------------------


def _editor(request, *, form, formset, post, department, departments, live, status=200):
    return render(
        request,
        "posts/editor.html",
        {
            "form": form,
            "media_formset": formset,
            "post": post,
            "department": department,
            "departments": departments,
            "live": live,
            "check_url": (reverse("posts:check_post", args=[post.pk]) if post else reverse("posts:check")),
            "autosave": post is not None and post.status in Post.AUTHOR_EDITABLE,
            "can_submit": post is None or post.status in Post.AUTHOR_EDITABLE,
            "storage_key": f"posts-editor:{post.pk}" if post else f"posts-editor:new:{department.pk}",
            "create_token": "" if post else (request.POST.get("create_token") or secrets.token_urlsafe(16)),
        },
        status=status,
    )


def _submit_after_save(request, post: Post):
    try:
        findings = services.post_submit(actor=request.user, post=post)
    except services.SubmissionBlocked as blocked:
        for message in blocked.messages:
            messages.error(request, message)
        return redirect("posts:edit", pk=post.pk)
    except (services.InvalidTransition, PermissionDenied) as error:
        messages.error(request, str(getattr(error, "message", "")) or _("You may not submit this post."))
        return redirect("posts:detail", pk=post.pk)
    warnings = [f for f in findings if f.severity == Severity.WARN]
    if warnings:
        messages.success(
            request,
            ngettext(
                "Submitted for approval. The reviewers will look at %(count)s warning of the etiquette check.",
                "Submitted for approval. The reviewers will look at %(count)s warnings of the etiquette check.",
                len(warnings),
            )
            % {"count": len(warnings)},
        )
    else:
        messages.success(request, _("Submitted for approval."))
    return redirect("posts:detail", pk=post.pk)


def _apply_service_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# A post started from a calendar day is planned for this time of that day (the author changes it).
NEW_POST_HOUR = 10


def _initial_for_day(value: str | None) -> dict:
    """``/posts/new/?day=2026-12-07`` (a click on a calendar day): planned for that day at 10:00."""
    try:
        day = date.fromisoformat(value) if value else None
    except ValueError:
        return {}
    if day is None or day < timezone.localdate():
        return {}
    return {"planned_at": timezone.make_aware(datetime.combine(day, time(NEW_POST_HOUR, 0)))}


# "Neuer Beitrag" sent twice (the browser's Back button shows the filled form again after saving): the
# form carries a token; the session remembers which post each token made, and a second submission with
# the same token goes to that post instead of making another one.
CREATED_TOKENS = "posts_created_by_token"
CREATED_TOKENS_KEPT = 30


# Without the token (a browser that does not restore it after Back): the same author sending the same
# title and text for the same department within this time is taken as the same post.
SAME_POST_WITHIN = timedelta(minutes=10)


def _post_made_by_token(request, department) -> Post | None:
    token = request.POST.get("create_token", "")
    pk = request.session.get(CREATED_TOKENS, {}).get(token) if token else None
    if pk:
        return selectors.visible_posts(request.user).filter(pk=pk).first()
    title, text = request.POST.get("title", "").strip(), request.POST.get("text", "").strip()
    if not title:
        return None
    return (
        Post.objects.filter(
            author=request.user,
            department=department,
            title=title,
            text=text,
            created_at__gte=timezone.now() - SAME_POST_WITHIN,
        )
        .order_by("-pk")
        .first()
    )


def _remember_token(request, post: Post) -> None:
    token = request.POST.get("create_token", "")
    if not token:
        return
    made = dict(list(request.session.get(CREATED_TOKENS, {}).items())[-(CREATED_TOKENS_KEPT - 1) :])
    made[token] = post.pk
    request.session[CREATED_TOKENS] = made


@login_required
def post_create(request):
    departments = list(selectors.drafting_departments(request.user).order_by("name"))
    if not departments:
        raise PermissionDenied(_("You are not a member of a department that writes posts."))
    wanted = request.POST.get("department") or request.GET.get("department")
    department = next((d for d in departments if str(d.pk) == wanted), departments[0])
    if request.method == "POST":
        already = _post_made_by_token(request, department)
        if already is not None:
            messages.info(request, _("This post was saved already – here it is. Nothing was saved twice."))
            target = "posts:edit" if already.status in Post.AUTHOR_EDITABLE else "posts:detail"
            return redirect(target, pk=already.pk)
        form = PostForm(request.POST, request.FILES, department=department)
        formset = media_formset(None)
        if form.is_valid():
            data = form.cleaned_data
            try:
                post = services.post_create(
                    actor=request.user,
                    department=department,
                    title=data["title"],
                    text=data["text"],
                    link=data["link"],
                    channels=data["channels"],
                    variants=form.variants(),
                    planned_at=data["planned_at"],
                    press_relevant=data["press_relevant"],
                    media_new=form.new_media,
                )
            except ValidationError as error:
                _apply_service_errors(form, error)
            else:
                _remember_token(request, post)
                if request.POST.get("action") == "submit":
                    return _submit_after_save(request, post)
                messages.success(request, _("Draft saved."))
                return redirect("posts:edit", pk=post.pk)
        live = _live_from_data(request.POST, department=department, post=None, channel_list=form.channel_list)
        return _editor(
            request,
            form=form,
            formset=formset,
            post=None,
            department=department,
            departments=departments,
            live=live,
            status=422 if form.errors else 200,
        )
    form = PostForm(department=department, initial=_initial_for_day(request.GET.get("day")))
    live = _live_from_data(QueryDict(), department=department, post=None, channel_list=form.channel_list)
    return _editor(
        request,
        form=form,
        formset=media_formset(None),
        post=None,
        department=department,
        departments=departments,
        live=live,
    )


@login_required
def post_edit(request, pk):
    try:
        post = selectors.get_post_for_user(request.user, pk, for_edit=True)
    except selectors.PostLocked as locked:
        messages.info(request, str(locked))
        return redirect("posts:detail", pk=pk)
    if request.method == "POST":
        form = PostForm(request.POST, request.FILES, department=post.department, post=post)
        formset = media_formset(post, data=request.POST)
        if form.is_valid() and formset.is_valid():
            data = form.cleaned_data
            removed = [f.instance.pk for f in formset.forms if f.cleaned_data.get("DELETE")]
            changes = {
                f.instance.pk: {
                    k: f.cleaned_data[k] for k in ("alt_text", "credit", "shows_people", "consent")
                }
                for f in formset.forms
                if not f.cleaned_data.get("DELETE")
            }
            try:
                post = services.post_update(
                    actor=request.user,
                    post=post,
                    channels=data["channels"],
                    variants=form.variants(),
                    media_changes=changes,
                    media_removed=removed,
                    media_new=form.new_media,
                    **{name: data[name] for name in services.EDITABLE_FIELDS},
                )
            except selectors.PostLocked as locked:
                messages.info(request, str(locked))
                return redirect("posts:detail", pk=post.pk)
            except ValidationError as error:
                _apply_service_errors(form, error)
            else:
                if request.POST.get("action") == "submit":
                    return _submit_after_save(request, post)
                messages.success(request, _("Saved."))
                return redirect("posts:edit", pk=post.pk)
        live = _live_from_data(
            request.POST, department=post.department, post=post, channel_list=form.channel_list
        )
        return _editor(
            request,
            form=form,
            formset=formset,
            post=post,
            department=post.department,
            departments=[post.department],
            live=live,
            status=422,
        )
    return _editor(
        request,
        form=PostForm(department=post.department, post=post),
        formset=media_formset(post),
        post=post,
        department=post.department,
        departments=[post.department],
        live=live_from_post(post),
    )


@login_required
@require_POST
def post_check(request, pk=None):
    """The live check: counters, previews and etiquette findings for the editor's current content.

    One htmx request a short pause after typing; nothing is stored. Server-side counting is the single
    source of truth (the browser does not count).
    """
    if pk is not None:
        post = selectors.get_post_for_user(request.user, pk)
        department = post.department
    else:
        post = None
        department = (
            selectors.drafting_departments(request.user)
            .filter(pk=_int_param(request.POST.get("department")))
            .first()
        )
        if department is None:
            raise Http404
    channel_list = list(PostForm(department=department, post=post).channel_list)
    live = _live_from_data(request.POST, department=department, post=post, channel_list=channel_list)
    return render(request, "posts/_live.html", {"live": live})


@login_required
@require_POST
def post_autosave(request, pk):
    """Saves the valid fields of a draft while the author types (htmx); answers with a short status."""
    post = selectors.get_post_for_user(request.user, pk)
    form = PostForm(request.POST, department=post.department, post=post)
    form.is_valid()  # only to clean the values; invalid fields are left as they are
    cleaned = form.cleaned_data
    fields = {name: cleaned[name] for name in AUTOSAVE_FIELDS if name in cleaned and name not in form.errors}
    channel_ids = set(post.channels.values_list("pk", flat=True))
    variants = {
        c.pk: cleaned.get(f"variant_{c.pk}", "")
        for c in form.channel_list
        if c.pk in channel_ids and f"variant_{c.pk}" not in form.errors
    }
    try:
        services.post_autosave(actor=request.user, post=post, variants=variants, **fields)
    except selectors.PostLocked:
        return render(request, "posts/_autosave.html", {"locked": True}, status=409)
    skipped = [form.fields[name].label for name in AUTOSAVE_FIELDS if name in form.errors]
    return render(request, "posts/_autosave.html", {"saved_at": timezone.localtime(), "skipped": skipped})


@login_required
@require_POST
def post_submit(request, pk):
    post = selectors.get_post_for_user(request.user, pk)
    return _submit_after_save(request, post)
