"""Writes of the reports app: the stored committee reports."""

from __future__ import annotations

import hashlib
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.services import audit_record
from departments.models import Department

from .models import CommitteeReport
from .pdf import render_report_pdf
from .selectors import Scope


def _county_scope(start: date, end: date) -> Scope:
    return Scope(
        start=start, end=end, departments=tuple(Department.objects.order_by("name")), all_departments=True
    )


@transaction.atomic
def committee_report_create_monthly(
    *, actor, period_start: date, period_end: date
) -> tuple[CommitteeReport, bool]:
    """The county-wide report of one month, made once: a second call returns the stored one.

    The PDF is stored as rendered and its SHA-256 goes into the audit trail in the same transaction, so
    a stored file can be checked against the trail later. Sending the e-mail is queued after the commit.
    """
    existing = CommitteeReport.objects.filter(
        kind=CommitteeReport.Kind.MONTHLY, period_start=period_start
    ).first()
    if existing is not None:
        return existing, False
    pdf = render_report_pdf(_county_scope(period_start, period_end), title="Monatsbericht Social Media")
    digest = hashlib.sha256(pdf).hexdigest()
    try:
        with transaction.atomic():
            report = CommitteeReport.objects.create(
                kind=CommitteeReport.Kind.MONTHLY,
                period_start=period_start,
                period_end=period_end,
                pdf=pdf,
                sha256=digest,
                size=len(pdf),
                created_at=timezone.now(),
                created_by=actor if actor is not None and actor.is_authenticated else None,
            )
    except IntegrityError:  # another run stored this month meanwhile
        return CommitteeReport.objects.get(
            kind=CommitteeReport.Kind.MONTHLY, period_start=period_start
        ), False
    audit_record(
        actor=actor,
        verb="report.created",
        obj=report,
        after={
            "period_start": period_start.isoformat(),
            "period_end": period_end.isoformat(),
            "sha256": digest,
            "size": len(pdf),
        },
    )
    recipients = list(settings.REPORTS_RECIPIENTS)
    if recipients:
        from .tasks import send_committee_report

        transaction.on_commit(lambda: send_committee_report.delay(report.pk))
    return report, True


@transaction.atomic
def committee_report_mark_sent(*, actor, report: CommitteeReport, recipients: list[str]) -> CommitteeReport:
    report = CommitteeReport.objects.select_for_update().defer("pdf").get(pk=report.pk)
    report.recipients = recipients
    report.sent_at = timezone.now()
    report.save(update_fields=["recipients", "sent_at"])
    audit_record(actor=actor, verb="report.sent", obj=report, after={"recipients": len(recipients)})
    return report
