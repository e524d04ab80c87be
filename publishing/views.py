"""The rollout page (administration), the sandbox feed (everyone logged in) and the deliveries:
the coordination's "Veröffentlichungen" page, a delivery's attempts, retry, mark published, withdraw."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from channels import selectors as channel_selectors
from departments import roles
from posts.selectors import get_post_for_user

from . import delivery_services, selectors
from .forms import MarkPublishedForm, WithdrawForm
from .models import Delivery

SANDBOX_PAGE_SIZE = 20


# --- Deliveries ------------------------------------------------------------------------------------------

DELIVERIES_PAGE_SIZE = 50


def _require_delivery_staff(user) -> None:
    """The deliveries page is for Koordination and Administration; others get a 404."""
    if not (roles.is_coordinator(user) or roles.is_administrator(user)):
        raise Http404


@login_required
def deliveries(request):
    _require_delivery_staff(request.user)
    status = request.GET.get("status", "")
    if status not in ("problems", *Delivery.Status.values):
        status = ""
    page = Paginator(selectors.deliveries_overview(status=status), DELIVERIES_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "publishing/deliveries.html",
        {
            "page": page,
            "status": status,
            "counts": selectors.delivery_counts(),
            "statuses": Delivery.Status.choices,
            "attention": list(channel_selectors.channels_needing_attention()),
            "can_act": roles.is_coordinator(request.user),
        },
    )


def _delivery_page(request, delivery, *, mark_form=None, status=200):
    attempts = list(delivery.attempts.order_by("number", "pk"))
    return render(
        request,
        "publishing/delivery.html",
        {
            "delivery": delivery,
            "post": delivery.post,
            "attempts": attempts,
            "can_act": roles.is_coordinator(request.user),
            "mark_form": mark_form or MarkPublishedForm(),
        },
        status=status,
    )


@login_required
def delivery_detail(request, pk: int):
    delivery = selectors.get_delivery_for_user(request.user, pk)
    return _delivery_page(request, delivery)


def _back(request, delivery) -> str:
    """Where an action returns to: the page it was started from (only our own pages)."""
    target = request.POST.get("next", "")
    # Only a path of this site: anything else (also "0", which redirect() would take for a view name
    # and fail on with a 500) returns to the delivery's page.
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("publishing:delivery", args=[delivery.pk])


@login_required
@require_POST
def delivery_retry(request, pk: int):
    delivery = selectors.get_delivery_for_user(request.user, pk)
    if not roles.is_coordinator(request.user):
        raise PermissionDenied
    try:
        delivery_services.delivery_retry(actor=request.user, delivery=delivery)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("%(channel)s: the delivery is sent again.") % {"channel": delivery.channel.name}
        )
    return redirect(_back(request, delivery))


@login_required
@require_POST
def delivery_mark_published(request, pk: int):
    delivery = selectors.get_delivery_for_user(request.user, pk)
    if not roles.is_coordinator(request.user):
        raise PermissionDenied
    form = MarkPublishedForm(request.POST)
    if form.is_valid():
        try:
            delivery_services.delivery_mark_published(
                actor=request.user, delivery=delivery, url=form.cleaned_data["url"]
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                form.add_error(None, exc)
            else:
                form.add_error("url", exc)
        else:
            messages.success(
                request, _("%(channel)s: marked as published.") % {"channel": delivery.channel.name}
            )
            return redirect(_back(request, delivery))
    delivery.refresh_from_db()
    return _delivery_page(request, delivery, mark_form=form, status=422)


@login_required
def post_withdraw(request, pk: int):
    """ "Zurückziehen": the reason, then the post is deleted on every channel (Koordination)."""
    post = get_post_for_user(request.user, pk)
    if not roles.is_coordinator(request.user):
        raise PermissionDenied
    post_deliveries = selectors.deliveries_for_post(post)
    withdrawable = post.status in delivery_services.WITHDRAWABLE_POST_STATUSES
    form = WithdrawForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid() and withdrawable:
        try:
            delivery_services.deliveries_withdraw_for_post(
                actor=request.user, post=post, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                form.add_error(None, exc)
            else:
                form.add_error("reason", exc)
            status = 422
        else:
            messages.success(
                request,
                _("The post is withdrawn; it is being deleted on the channels where it was published."),
            )
            return redirect(reverse("posts:detail", args=[post.pk]) + "#deliveries")
    elif request.method == "POST":
        status = 422
    return render(
        request,
        "publishing/withdraw.html",
        {"post": post, "deliveries": post_deliveries, "form": form, "withdrawable": withdrawable},
        status=status,
    )
