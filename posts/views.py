"""Thin views: look the post up through the permission-aware accessor, validate with a form, call a service."""

from __future__ import annotations

import contextlib
import mimetypes
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from channels.models import Channel
from departments import roles
from departments.selectors import departments_for_user
from etiquette.types import Severity

from . import calendar as cal
from . import hooks, selectors, services
from .diff import diff_snapshots
from .filters import PostFilter
from .forms import TEXT_MAX_LENGTH, CommentForm, PostForm, media_formset
from .live import live_context, live_from_post
from .models import CalendarFeed, Media, Post

PAGE_SIZE = 25
AUTOSAVE_FIELDS = ("title", "text", "link", "planned_at", "press_relevant")


# --- the live panel: posts.live (the same module for the editor and the review page) -------------------


def _live_from_data(data, *, department, post: Post | None, channel_list) -> dict:
    """The live panel for what is in the editor right now (unsaved form data; nothing is stored)."""
    text = data.get("text", "")[:TEXT_MAX_LENGTH]
    by_id = {str(c.pk): c for c in channel_list}
    channels = [by_id[value] for value in data.getlist("channels") if value in by_id]
    variants = {c.pk: data.get(f"variant_{c.pk}", "")[:TEXT_MAX_LENGTH] for c in channel_list}
    planned_at = None
    with contextlib.suppress(ValidationError):
        planned_at = PostForm.base_fields["planned_at"].clean(data.get("planned_at", ""))
    link = data.get("link", "").strip()[:2000]
    media_items, thumbnails = [], []
    if post is not None:
        saved = {str(m.pk): m for m in post.media.all()}
        total = data.get("media-TOTAL_FORMS", "0")
        count = int(total) if total.isdigit() else 0
        overridden = set()
        for index in range(min(count, 100)):
            prefix = f"media-{index}-"
            medium = saved.get(data.get(prefix + "id", ""))
            if medium is None:
                continue
            overridden.add(str(medium.pk))
            if data.get(prefix + "DELETE"):
                continue
            media_items.append(
                selectors.media_like(
                    medium,
                    alt_text=data.get(prefix + "alt_text", ""),
                    credit=data.get(prefix + "credit", ""),
                    shows_people=bool(data.get(prefix + "shows_people")),
                    consent=bool(data.get(prefix + "consent")),
                )
            )
            if medium.kind == Media.Kind.IMAGE:
                thumbnails.append(medium)
        for pk, medium in saved.items():
            if pk not in overridden:
                media_items.append(selectors.media_like(medium))
                if medium.kind == Media.Kind.IMAGE:
                    thumbnails.append(medium)
    return live_context(
        department=department,
        text=text,
        link=link,
        channels=channels,
        variants=variants,
        media=media_items,
        planned_at=planned_at,
        thumbnails=thumbnails,
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
            _("Submitted for approval. The reviewers will look at %(count)s note(s) of the etiquette check.")
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


@login_required
def post_create(request):
    departments = list(selectors.drafting_departments(request.user).order_by("name"))
    if not departments:
        raise PermissionDenied(_("You are not a member of a department that writes posts."))
    wanted = request.POST.get("department") or request.GET.get("department")
    department = next((d for d in departments if str(d.pk) == wanted), departments[0])
    if request.method == "POST":
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
    form = PostForm(department=department)
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


# --- media ---------------------------------------------------------------------------------------------


def _file_response(field, *, content_type: str, filename: str = "", private: bool = True):
    if not field:
        raise Http404
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type, filename=filename or None)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600" if private else "public, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_GET
def media_file(request, pk):
    media = selectors.get_media_for_user(request.user, pk)
    return _file_response(media.file, content_type=media.mime_type)


@login_required
@require_GET
def media_thumbnail(request, pk):
    media = selectors.get_media_for_user(request.user, pk)
    return _file_response(media.thumbnail, content_type="image/jpeg")


@login_required
@require_GET
def media_captions(request, pk):
    media = selectors.get_media_for_user(request.user, pk)
    content_type = mimetypes.guess_type(media.captions.name)[0] or "text/plain"
    if media.captions.name.endswith(".vtt"):
        content_type = "text/vtt"
    return _file_response(media.captions, content_type=f"{content_type}; charset=utf-8")


@require_GET
def media_public(request, token):
    """A medium for a network that fetches it itself (Instagram): signed, expiring, no login."""
    media = selectors.media_from_public_token(token)
    return _file_response(media.file, content_type=media.mime_type, private=False)


# --- calendar ------------------------------------------------------------------------------------------


def _int_param(value) -> int:
    return int(value) if isinstance(value, str) and value.isdigit() else 0


def _parse_day(value: str | None) -> date:
    try:
        return date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        return timezone.localdate()


@login_required
@require_GET
def calendar_view(request):
    user = request.user
    view = "week" if request.GET.get("view") == "week" else "month"
    day = _parse_day(request.GET.get("date"))
    departments = departments_for_user(user, "view").order_by("name")
    # With the delivery state per channel (publishing registers it in posts.hooks), one more query.
    queryset = hooks.calendar_queryset(selectors.list_posts(selectors.visible_posts(user)))
    department = departments.filter(pk=_int_param(request.GET.get("department"))).first()
    if department:
        queryset = queryset.filter(department=department)
    channels = Channel.objects.order_by("name")
    channel = channels.filter(pk=_int_param(request.GET.get("channel"))).first()
    if channel:
        queryset = queryset.filter(channels=channel)
    filters = {
        k: v
        for k, v in (("department", department and department.pk), ("channel", channel and channel.pk))
        if v
    }

    if view == "week":
        start = day - timedelta(days=day.weekday())
        end = start + timedelta(days=7)
        days = cal.week_days(start, *cal.posts_by_day(queryset, start, end, per_day=cal.WEEK_PER_DAY))
        weeks = None
        previous_day, next_day = start - timedelta(days=7), end
        heading = _("Week of %(start)s to %(end)s") % {
            "start": date_format(start, "SHORT_DATE_FORMAT"),
            "end": date_format(end - timedelta(days=1), "SHORT_DATE_FORMAT"),
        }
    else:
        start = day.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1)
        grid_start = start - timedelta(days=start.weekday())
        grid_end = end + timedelta(days=(7 - end.weekday()) % 7)
        weeks = cal.month_grid(
            start.year,
            start.month,
            *cal.posts_by_day(queryset, grid_start, grid_end, per_day=cal.MONTH_PER_DAY),
        )
        days = None
        previous_day, next_day = (start - timedelta(days=1)).replace(day=1), end
        heading = date_format(start, "F Y")

    def link(**params):
        return "?" + urlencode({"view": view, **filters, **params})

    feed = CalendarFeed.objects.filter(user=user).first()
    return render(
        request,
        "posts/calendar.html",
        {
            "view": view,
            "heading": heading,
            "weeks": weeks,
            "days": days,
            "departments": departments,
            "department": department,
            "channels": channels,
            "channel": channel,
            "previous_url": link(date=previous_day.isoformat()),
            "next_url": link(date=next_day.isoformat()),
            "today_url": link(),
            "month_url": "?" + urlencode({"view": "month", "date": day.isoformat(), **filters}),
            "week_url": "?" + urlencode({"view": "week", "date": day.isoformat(), **filters}),
            "feed_url": (
                request.build_absolute_uri(reverse("posts:calendar_feed", args=[feed.token])) if feed else ""
            ),
            "filters": urlencode(filters),
        },
    )


@login_required
@require_POST
def calendar_feed_renew(request):
    services.calendar_feed_renew(actor=request.user)
    messages.success(request, _("Your calendar address was created. The previous address no longer works."))
    return redirect("posts:calendar")


@login_required
@require_POST
def calendar_feed_revoke(request):
    services.calendar_feed_revoke(actor=request.user)
    messages.success(request, _("Your calendar address was revoked."))
    return redirect("posts:calendar")


@never_cache
@require_GET
def calendar_feed(request, token):
    """The iCal feed (no login: calendar programs cannot log in; the secret token is the key)."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        raise Http404
    posts = cal.feed_posts(selectors.list_posts(selectors.visible_posts(feed.user)))
    body = cal.ical_feed(posts, name=_("Editorial calendar – Landkreis Social"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="redaktionsplan.ics"'
    return response
