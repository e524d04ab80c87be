"""The reports page, the CSV export of each table, the PDF for a period and the stored committee reports."""

from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from . import selectors
from .charts import layout
from .forms import ReportFilterForm
from .pdf import render_report_pdf


def _form(request) -> ReportFilterForm:
    departments = selectors.report_departments(request.user)
    sees_all = selectors.sees_all_reports(request.user)
    if not sees_all and not departments.exists():
        raise PermissionDenied
    return ReportFilterForm(request.GET, departments=departments, all_departments=sees_all)


@login_required
def index(request):
    form = _form(request)
    sections = []
    scope = None
    if form.is_valid():
        scope = form.scope()
        sections = selectors.report_sections(scope)
        for section in sections:
            section.svg = layout(section.chart) if section.chart and not section.is_empty else None
    query = request.GET.urlencode()
    return render(
        request,
        "reports/index.html",
        {
            "form": form,
            "scope": scope,
            "sections": sections,
            "query": query,
            "reports": selectors.committee_reports_for_user(request.user)[:36],
            "sees_all": selectors.sees_all_reports(request.user),
        },
    )


def csv_safe(value) -> str:
    """A cell for a spreadsheet: numbers in German notation, text that could run as a formula quoted."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@login_required
def section_csv(request):
    """One table of the page as CSV: ``?table=<section>`` and the page's filters."""
    section = request.GET.get("table", "")
    form = _form(request)
    if not form.is_valid():
        # Bad filters: the page shows them with their errors.
        return redirect(f"{reverse('reports:index')}?{request.GET.urlencode()}")
    scope = form.scope()
    found = next((s for s in selectors.report_sections(scope) if s.slug == section), None)
    if found is None:
        raise Http404
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="bericht-{found.slug}-{scope.start:%Y-%m-%d}-{scope.end:%Y-%m-%d}.csv"'
    )
    response.write("\ufeff")  # spreadsheet programs read UTF-8 only with a byte order mark
    writer = csv.writer(response, delimiter=";")
    writer.writerow([csv_safe(h) for h in found.table.headers])
    for row in found.table.rows:
        writer.writerow([csv_safe(cell) for cell in row])
    return response


@login_required
def period_pdf(request):
    form = _form(request)
    if not form.is_valid():
        return redirect(f"{reverse('reports:index')}?{request.GET.urlencode()}")
    scope = form.scope()
    pdf = render_report_pdf(scope)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="bericht-{scope.start:%Y-%m-%d}-{scope.end:%Y-%m-%d}.pdf"'
    )
    return response


@login_required
def report_download(request, pk: int):
    report = selectors.get_committee_report_for_user(request.user, pk)
    response = HttpResponse(bytes(report.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report.filename}"'
    return response
