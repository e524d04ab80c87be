"""The calendar and the personal calendar feeds."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from channels.selectors import live_channels
from departments import roles
from departments.selectors import departments_for_user

from .. import calendar as cal
from .. import hooks, selectors, services
from ..forms import RescheduleForm
from ..models import CalendarFeed

# --- calendar ------------------------------------------------------------------------------------------
from .common import _int_param

# The calendar shows days between these (a grid reaches a few weeks either side of the asked-for day;
# near year 1 or 9999 that arithmetic overflowed, issue 14). A date outside shows the nearest end.
CALENDAR_FIRST_DAY = date(1900, 1, 1)
CALENDAR_LAST_DAY = date(9998, 12, 31)


def _parse_day(value: str | None) -> date:
    try:
        day = date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        return timezone.localdate()
    return min(max(day, CALENDAR_FIRST_DAY), CALENDAR_LAST_DAY)


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
    # Only channels that can receive posts (live) are offered as a filter.
    channels = live_channels().order_by("name")
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
        # Wide screens: the same posts as hour rows × day columns (no further query).
        hours = cal.week_hours(days)
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
        days = hours = None
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
            "hours": hours,
            "week_has_more": bool(days) and any(d.more for d in days),
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
            # The same address for calendar programs that subscribe on a click (Outlook, Apple Calendar).
            "webcal_url": (
                "webcal://" + request.get_host() + reverse("posts:calendar_feed", args=[feed.token])
                if feed
                else ""
            ),
            "filters": urlencode(filters),
            "can_reschedule": roles.is_coordinator(user),
            "can_draft": selectors.drafting_departments(user).exists(),
            "today": timezone.localdate(),
            "here": request.get_full_path(),
        },
    )


@login_required
@require_POST
def calendar_feed_renew(request):
    had_one = CalendarFeed.objects.filter(user=request.user).exists()
    services.calendar_feed_renew(actor=request.user)
    if had_one:
        messages.success(
            request, _("Your calendar address was created. The previous address no longer works.")
        )
    else:
        messages.success(request, _("Your calendar address was created. Copy it into your calendar program."))
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


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_required
@require_POST
def post_reschedule(request, pk):
    """Move an approved post to another time: the calendar's drag and drop (JSON) and the form beside
    each entry (the keyboard way) both end here, in ``post_reschedule`` – the coordination only,
    audited, the waiting deliveries follow."""
    post = selectors.get_post_for_user(request.user, pk)
    form = RescheduleForm(request.POST)
    next_url = request.POST.get("next") or ""
    if not next_url.startswith("/") or not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}
    ):
        next_url = ""  # only a path of this site (redirect() would take anything else for a view name)
    next_url = next_url or reverse("posts:detail", args=[post.pk])
    problem = ""
    if not form.is_valid():
        problem = " ".join(form.errors.get("planned_at", [])) or _("Please enter the new date and time.")
    else:
        try:
            services.post_reschedule(
                actor=request.user, post=post, planned_at=form.cleaned_data["planned_at"]
            )
        except PermissionDenied as refused:
            if _wants_json(request):
                return JsonResponse({"ok": False, "message": str(refused)}, status=403)
            raise
        except ValidationError as error:
            problem = " ".join(error.messages)
    if problem:
        if _wants_json(request):
            return JsonResponse({"ok": False, "message": problem}, status=422)
        messages.error(request, problem)
        return redirect(next_url)
    post.refresh_from_db(fields=["planned_at", "status"])
    local = timezone.localtime(post.planned_at)
    when = date_format(local, "DATETIME_FORMAT")
    message = _("“%(title)s” now appears on %(when)s.") % {"title": post.title, "when": when}
    if _wants_json(request):
        # ``when``: the short form the calendar announces after a drag ("Mi 9. Dez, 14:30").
        short = date_format(local, pgettext("date format of a moved post", "D, M j, H:i"))
        return JsonResponse(
            {"ok": True, "message": message, "planned_at": post.planned_at.isoformat(), "when": short}
        )
    messages.success(request, message)
    return redirect(next_url)
