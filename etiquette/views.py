"""Pages of the etiquette: the guide and its acknowledgement, the training record, the live check."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from departments import roles

from . import engine, selectors, services
from .forms import AcknowledgeForm, TrainingRecordFilterForm, TryForm
from .inputs import post_like_from_form
from .markdown import render_markdown
from .models import GuideVersion


def _guide_context(request, version: GuideVersion | None, ack_form: AcknowledgeForm | None = None) -> dict:
    current = selectors.current_guide()
    return {
        "version": version,
        "current": current,
        "is_current": version is not None and current is not None and version.pk == current.pk,
        "body": render_markdown(version.body) if version else "",
        "acknowledged": selectors.has_acknowledged_current_guide(request.user),
        "latest_ack": selectors.latest_acknowledgement(request.user),
        "ack_form": ack_form or (AcknowledgeForm(initial={"version": current.pk}) if current else None),
        "older_versions": selectors.published_guides().exclude(pk=version.pk if version else None)[:20],
        "rules": selectors.rules_for_staff(),
        "may_see_record": _may_see_training_record(request.user),
    }


@login_required
def guide(request):
    """The current version of the guide, with the acknowledgement form."""
    return render(request, "etiquette/guide.html", _guide_context(request, selectors.current_guide()))


@login_required
def guide_version(request, pk: int):
    version = selectors.get_guide_version_for_user(request.user, pk)
    return render(request, "etiquette/guide.html", _guide_context(request, version))


@login_required
@require_POST
def acknowledge(request):
    form = AcknowledgeForm(request.POST)
    current = selectors.current_guide()
    if form.is_valid():
        if current is None or form.cleaned_data["version"] != current.pk:
            form.add_error(
                None,
                _("A newer version of the guide has been published in the meantime. Please read it first."),
            )
        else:
            try:
                services.guide_acknowledge(actor=request.user, version=current)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("Thank you. You acknowledged version %(version)s of the etiquette.")
                    % {"version": current.label},
                )
                return redirect("etiquette:guide")
    return render(request, "etiquette/guide.html", _guide_context(request, current, ack_form=form))


def _may_see_training_record(user) -> bool:
    return roles.is_administrator(user) or roles.is_coordinator(user)


@login_required
def training_record(request):
    """Who acknowledged which version (Administration and Koordination)."""
    if not _may_see_training_record(request.user):
        raise PermissionDenied
    form = TrainingRecordFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    users = selectors.training_record(only_missing=filters.get("missing", False), search=filters.get("q", ""))
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "etiquette/training_record.html",
        {
            "form": form,
            "page": page,
            "current": selectors.current_guide(),
            "query": query.urlencode(),
        },
    )


@login_required
def training_record_csv(request):
    if not _may_see_training_record(request.user):
        raise PermissionDenied
    current = selectors.current_guide()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="schulungsnachweis-etikette-{stamp}.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 correctly only with a byte order mark
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        [
            _("User name"),
            _("Name"),
            _("Newest acknowledged version"),
            _("Acknowledged on"),
            _("Covers current version %(version)s") % {"version": current.label if current else "–"},
        ]
    )
    for user in selectors.training_record().iterator(chunk_size=500):
        acknowledged = f"{user.ack_major}.{user.ack_minor}" if user.ack_major is not None else ""
        writer.writerow(
            [
                _csv_safe(user.get_username()),
                _csv_safe(user.get_full_name()),
                acknowledged,
                timezone.localtime(user.ack_at).strftime("%d.%m.%Y %H:%M") if user.ack_at else "",
                _("yes") if user.ack_current else _("no"),
            ]
        )
    return response


def _csv_safe(value: str) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas; quote them."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@login_required
def try_text(request):
    """A page to check any text against the etiquette (uses the live-check endpoint)."""
    return render(request, "etiquette/try.html", {"form": TryForm(), "findings": None})


def _wants_json(request) -> bool:
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


@require_POST
def check(request):
    """The live check for editors: POST the draft's fields, get the findings back.

    Answers the ``etiquette/_findings.html`` fragment (for htmx) or, with ``Accept: application/json``,
    ``{"findings": [...], "blocking": bool, "routes_to_press": bool, "counts": {...}, "errors": {...}}``.
    Fields that cannot be read are named in ``errors`` and left out; the rest is still checked.
    """
    if not request.user.is_authenticated:
        if _wants_json(request):
            return JsonResponse({"error": _("Please log in.")}, status=401)
        return redirect_to_login(request.get_full_path())
    post, errors = post_like_from_form(request.POST)
    findings = engine.check(post)
    if _wants_json(request):
        counts = {"block": 0, "warn": 0, "info": 0}
        for finding in findings:
            counts[str(finding.severity)] = counts.get(str(finding.severity), 0) + 1
        return JsonResponse(
            {
                "findings": [finding.as_dict() for finding in findings],
                "blocking": any(finding.blocking for finding in findings),
                "routes_to_press": any(finding.routes_to_press for finding in findings),
                "counts": counts,
                "errors": errors,
            }
        )
    context = {"findings": findings, "text": post.text, "errors": errors}
    if not request.htmx:
        # Without JavaScript the form posts here directly: answer the whole page, with what was typed.
        form = TryForm(request.POST)
        form.is_valid()
        context |= {"form": form, "scheduled_at_value": request.POST.get("scheduled_at", "")}
        return render(request, "etiquette/try.html", context)
    return render(request, "etiquette/_findings.html", context)
