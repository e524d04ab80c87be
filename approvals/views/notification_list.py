"""The notification list."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from notifications.models import Notification
from notifications.services import notification_text, notification_url

from .. import services
from .common import (
    PAGE_SIZE,
)

# --- notifications -----------------------------------------------------------------------------------------


@login_required
@require_GET
def notifications(request):
    items = Notification.objects.filter(recipient=request.user).select_related("post")
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"notification": n, "text": notification_text(n)} for n in page]
    return render(request, "approvals/notifications.html", {"page": page, "rows": rows})


@login_required
@require_GET
def notification_open(request, pk):
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.notification_mark_read(actor=request.user, notification=notification)
    return redirect(notification_url(notification))


@login_required
@require_POST
def notifications_read(request):
    count = services.notifications_mark_all_read(actor=request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("approvals:notifications")
