"""Celery entry points of the reports (beat schedules them, see settings.CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

import logging
from datetime import date

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone

from . import network, services
from .calendar import first_working_day, previous_month
from .models import CommitteeReport
from .rollup import rollup_changed

logger = logging.getLogger(__name__)


@shared_task(name="reports.tasks.rollup")
def rollup() -> int:
    """Rebuild the daily figures of the days that changed since the last run."""
    days = rollup_changed()
    logger.info("reports rollup: %d day(s) rebuilt", len(days))
    return len(days)


@shared_task(name="reports.tasks.network_snapshots")
def network_snapshots() -> int:
    """Read the due network figures of every live channel (hourly)."""
    runs = network.snapshots_take()
    return sum(run.snapshots for run in runs)


def monthly_report_due(today) -> bool:
    return today >= first_working_day(today.year, today.month)


@shared_task(name="reports.tasks.monthly_report")
def monthly_report(today: str | None = None) -> int | None:
    """The committee report of the previous month, from the first working day of a month on.

    Runs every morning; makes the report once (a second run, or a run on a later day, finds it stored).
    ``today`` (ISO date) is for a run by hand (``manage.py shell``) and the tests.
    """
    today = date.fromisoformat(today) if today else timezone.localdate()
    if not monthly_report_due(today):
        return None
    start, end = previous_month(today)
    if CommitteeReport.objects.filter(kind=CommitteeReport.Kind.MONTHLY, period_start=start).exists():
        return None
    rollup_changed()
    report, created = services.committee_report_create_monthly(actor=None, period_start=start, period_end=end)
    logger.info("committee report %s: %s", f"{start:%Y-%m}", "created" if created else "already there")
    return report.pk


@shared_task(name="reports.tasks.send_committee_report")
def send_committee_report(report_id: int) -> bool:
    """E-mail a stored report to the configured list (once: a sent report is not sent again)."""
    report = CommitteeReport.objects.filter(pk=report_id).first()
    recipients = list(settings.REPORTS_RECIPIENTS)
    if report is None or report.sent_at is not None or not recipients:
        return False
    month = f"{report.period_start:%m/%Y}"
    message = EmailMessage(
        subject=f"{settings.REPORTS_COUNTY_NAME}: Social-Media-Bericht {month}",
        body=(
            f"Guten Tag,\n\nanbei der Social-Media-Bericht für {month} "
            f"({report.period_start:%d.%m.%Y} – {report.period_end:%d.%m.%Y}).\n"
            f"SHA-256 der Datei (im Prüfprotokoll vermerkt): {report.sha256}\n\n"
            f"Der Bericht steht auch unter {settings.SITE_URL}/reports/ bereit.\n\n-- \nLandkreis Social\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
    )
    message.attach(report.filename, bytes(report.pdf), "application/pdf")
    message.send()
    services.committee_report_mark_sent(actor=None, report=report, recipients=recipients)
    return True
