"""The rollout page (administration), the sandbox feed (everyone logged in) and the deliveries:
the coordination's "Veröffentlichungen" page, a delivery's attempts, retry, mark published, withdraw."""

from __future__ import annotations

import mimetypes
import os

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from departments import roles

from . import selectors, services
from .models import RolloutPhase, SandboxPost

SANDBOX_PAGE_SIZE = 20


def _require_administrator(user) -> None:
    # Others get a 404: the page's existence is nothing to them.
    if not roles.is_administrator(user):
        raise Http404


@login_required
def rollout(request):
    _require_administrator(request.user)
    phases = list(selectors.rollout_plan())
    live_ids = set(selectors.live_channels().values_list("pk", flat=True))
    return render(
        request,
        "channels/rollout.html",
        {
            "phases": phases,
            "next_phase": selectors.next_phase(),
            "live_channels": selectors.live_channels().order_by("name"),
            "live_ids": live_ids,
        },
    )


@login_required
@require_POST
def rollout_check(request, pk: int):
    """Step 1 of starting a phase: "Zugang prüfen" for each of its channels, then a page that shows
    what will start, which channel is not ready and why (with a link to it), and – only if every
    channel is ready – the button that starts it (step 2, :func:`rollout_activate`)."""
    _require_administrator(request.user)
    phase = get_object_or_404(selectors.rollout_plan(), pk=pk)
    if phase.is_active:
        messages.info(request, _("%(phase)s is already active.") % {"phase": phase.name})
        return redirect("publishing:rollout")
    results = services.phase_check_access(actor=request.user, phase=phase)
    return render(
        request,
        "channels/rollout_confirm.html",
        {
            "phase": phase,
            "results": results,
            "ready": all(result.ok for _channel, result in results),
            "is_next": selectors.next_phase() == phase,
        },
    )


@login_required
@require_POST
def rollout_activate(request, pk: int):
    """Step 2: start the phase – refused (with the reasons) unless its channels passed the check."""
    _require_administrator(request.user)
    phase = get_object_or_404(RolloutPhase, pk=pk)
    try:
        services.phase_start(actor=request.user, phase=phase)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("%(phase)s is active now.") % {"phase": phase.name})
    return redirect("publishing:rollout")


def _media_file(path: str) -> str:
    """The real path of a sandbox post's medium if it lies below MEDIA_ROOT, else ""."""
    root = os.path.realpath(str(settings.MEDIA_ROOT))
    real = os.path.realpath(path or "")
    return real if real.startswith(root + os.sep) and os.path.isfile(real) else ""


def _with_media_urls(posts):
    """Uploads are private (no public /media/): the feed shows them through :func:`sandbox_media`,
    behind the login, as the post page does with its own view."""
    for post in posts:
        post.images = [
            {
                "url": f"{reverse('publishing:sandbox_media', args=[post.pk])}?n={index}"
                if _media_file(item.get("path", ""))
                else "",
                "alt": item.get("alt_text", ""),
                "kind": item.get("kind"),
            }
            for index, item in enumerate(post.media or [])
        ]
    return posts


@login_required
def sandbox_feed(request):
    posts = SandboxPost.objects.filter(deleted_at__isnull=True).select_related("channel")
    page = Paginator(posts, SANDBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = _with_media_urls(list(page.object_list))
    return render(request, "channels/sandbox_feed.html", {"page": page})


@login_required
def sandbox_post(request, pk: int):
    # Sandbox posts are test posts visible to every logged-in user, like the feed.
    post = get_object_or_404(SandboxPost.objects.select_related("channel"), pk=pk)
    _with_media_urls([post])
    return render(request, "channels/sandbox_post.html", {"post": post})


@login_required
def sandbox_media(request, pk: int):
    """Medium ``?n=`` (default 0) of a sandbox post (test posts are visible to every logged-in user,
    like the feed)."""
    post = get_object_or_404(SandboxPost, pk=pk, deleted_at__isnull=True)
    items = post.media or []
    try:
        index = int(request.GET.get("n", "0"))
    except ValueError:
        raise Http404 from None
    if not 0 <= index < len(items):
        raise Http404
    path = _media_file(items[index].get("path", ""))
    if not path:
        raise Http404
    content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
    response = FileResponse(open(path, "rb"), content_type=content_type)  # noqa: SIM115 - FileResponse closes it
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
