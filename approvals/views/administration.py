"""Administration: review modes and the audit trail (check and CSV export)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit import export as audit_export_service
from audit.services import audit_verify_chain
from departments import roles
from departments.models import Department
from departments.services import department_set_review_mode

from ..forms import (
    AuditExportForm,
    ReviewModeForm,
)

# --- administration: review modes and the audit trail ----------------------------------------------------


def _require_administrator(user) -> None:
    if not roles.is_administrator(user):
        raise PermissionDenied


def _review_modes_page(request, *, bound: ReviewModeForm | None = None, status=200):
    departments = Department.objects.order_by("name")
    rows = []
    for department in departments:
        form = bound if bound is not None and bound.department.pk == department.pk else None
        rows.append({"department": department, "form": form or ReviewModeForm(department=department)})
    return render(request, "approvals/review_modes.html", {"rows": rows}, status=status)


@login_required
@require_GET
def review_modes(request):
    _require_administrator(request.user)
    return _review_modes_page(request)


@login_required
@require_POST
def review_mode_set(request, pk):
    _require_administrator(request.user)
    department = get_object_or_404(Department, pk=pk)  # administrators see every department
    form = ReviewModeForm(request.POST, department=department)
    if form.is_valid():
        mode = form.cleaned_data["review_mode"]
        if mode == department.review_mode:
            messages.info(
                request, _("%(department)s already has this review mode.") % {"department": department}
            )
            return redirect("approvals:review_modes")
        department_set_review_mode(
            actor=request.user, department=department, review_mode=mode, comment=form.cleaned_data["comment"]
        )
        department.refresh_from_db()
        messages.success(
            request,
            _("%(department)s: review mode is now “%(mode)s”.")
            % {"department": department, "mode": department.get_review_mode_display()},
        )
        return redirect("approvals:review_modes")
    return _review_modes_page(request, bound=form, status=400)


def _audit_page(request, *, form: AuditExportForm, verification=None, status=200):
    return render(
        request,
        "approvals/audit.html",
        {"form": form, "verification": verification},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def audit(request):
    """The administration's audit page: the CSV export (GET) and a check of the hash chain (POST)."""
    _require_administrator(request.user)
    verification = None
    if request.method == "POST":
        problems = list(audit_verify_chain())
        verification = {"problems": problems, "ok": not problems}
    return _audit_page(request, form=AuditExportForm(), verification=verification)


@login_required
@require_GET
def audit_export(request):
    _require_administrator(request.user)
    form = AuditExportForm(request.GET)
    if not form.is_valid():
        return _audit_page(request, form=form, status=400)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    events = audit_export_service.audit_export(actor=request.user, start=start, end=end)
    response = StreamingHttpResponse(
        audit_export_service.audit_csv_rows(events), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="audit-{start:%Y-%m-%d}-{end:%Y-%m-%d}.csv"'
    return response
