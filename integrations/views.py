"""The pages of the integrations app (outside the admin): the templates (Vorlagen) for Koordination and
Administration – list, live preview with example data, and "automatisch freigeben" (Koordination)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from departments import roles

from . import selectors, services
from .models import PostTemplate


def _require_template_staff(user) -> None:
    if not (roles.is_coordinator(user) or roles.is_administrator(user)):
        raise PermissionDenied


@login_required
def template_list(request):
    _require_template_staff(request.user)
    templates = PostTemplate.objects.select_related("department", "auto_approve_enabled_by").order_by("name")
    return render(
        request,
        "integrations/templates.html",
        {"templates": templates, "may_switch": roles.is_coordinator(request.user)},
    )


@login_required
@require_POST
def template_auto_approve(request, pk):
    if not roles.is_coordinator(request.user):
        raise PermissionDenied
    template = get_object_or_404(PostTemplate, pk=pk)
    enabled = request.POST.get("enabled") == "on"
    services.template_set_auto_approve(actor=request.user, template=template, enabled=enabled)
    if enabled:
        messages.success(
            request, _("Posts of “%(name)s” are now approved automatically.") % {"name": template}
        )
    else:
        messages.success(request, _("Posts of “%(name)s” go to the queue again.") % {"name": template})
    return redirect("integrations:templates")


@login_required
@require_http_methods(["GET", "POST"])
def template_preview(request, pk):
    """The preview page; with htmx, each change of the data answers only the result fragment."""
    _require_template_staff(request.user)
    template = get_object_or_404(PostTemplate.objects.select_related("department"), pk=pk)
    raw = request.POST.get("data") if request.method == "POST" else None
    if raw is None:
        raw = json.dumps(template.example_data, ensure_ascii=False, indent=2)
    context = {"template": template, "raw": raw, "error": None, "rendered": None, "findings": []}
    try:
        data = json.loads(raw)
        context["rendered"], context["findings"] = selectors.template_preview(template, data)
    except (ValueError, RecursionError):  # RecursionError: "[" × 5,000 (found by the form probes, issue 14)
        context["error"] = [_("The data is not valid JSON.")]
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            context["error"] = [
                f"{field.removeprefix('data.')}: {message}"
                for field, messages_ in error.message_dict.items()
                for message in messages_
            ]
        else:
            context["error"] = error.messages
    name = "integrations/_template_preview.html" if request.htmx else "integrations/template_preview.html"
    return render(request, name, context)
