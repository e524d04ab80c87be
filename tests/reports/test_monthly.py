"""The committee's monthly report: due on the first working day, made once, stored with its hash in the
audit trail, e-mailed to the configured list, listed and downloadable on /reports/."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, date, datetime

import pytest
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from reports import tasks
from reports.calendar import first_working_day
from reports.models import CommitteeReport

pytestmark = pytest.mark.django_db


def test_first_working_day_skips_weekends_and_holidays_of_niedersachsen():
    assert first_working_day(2027, 1) == date(2027, 1, 4)  # 1 January (Friday) is a holiday
    assert first_working_day(2026, 5) == date(2026, 5, 4)  # 1 May (Friday), then the weekend
    assert first_working_day(2026, 11) == date(2026, 11, 2)  # 1 November is a Sunday
    assert first_working_day(2026, 12) == date(2026, 12, 1)  # a Tuesday
    assert first_working_day(2028, 10) == date(2028, 10, 2)  # 1 October 2028 is a Sunday


def test_not_due_before_the_first_working_day(make_workflow):
    assert tasks.monthly_report(today="2027-01-02") is None  # Saturday; the 1st was a holiday
    assert not CommitteeReport.objects.exists()


def test_monthly_job_run_twice_makes_one_report_with_hash_in_audit_and_one_email(
    make_workflow, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from audit.models import AuditEvent

    settings.REPORTS_RECIPIENTS = ["ausschuss@landkreis.example", "kreistag@landkreis.example"]
    monkeypatch.setattr(tasks.send_committee_report, "delay", lambda pk: tasks.send_committee_report(pk))
    expected = make_workflow(seed=4, posts=40, start=datetime(2026, 11, 1, 8, tzinfo=UTC), span_days=29)
    with django_capture_on_commit_callbacks(execute=True):
        first = tasks.monthly_report(today="2026-12-01")
    with django_capture_on_commit_callbacks(execute=True):
        second = tasks.monthly_report(today="2026-12-01")
        third = tasks.monthly_report(today="2026-12-02")
    assert first is not None and second is None and third is None
    report = CommitteeReport.objects.get()
    assert (report.period_start, report.period_end) == (date(2026, 11, 1), date(2026, 11, 30))
    pdf = bytes(report.pdf)
    assert report.sha256 == hashlib.sha256(pdf).hexdigest() and report.size == len(pdf)
    created = AuditEvent.objects.get(verb="report.created")
    assert created.after["sha256"] == report.sha256 and created.object_id == str(report.pk)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == settings.REPORTS_RECIPIENTS
    name, content, mimetype = message.attachments[0]
    assert name == "ausschussbericht-2026-11.pdf" and content == pdf and mimetype == "application/pdf"
    assert report.sha256 in message.body
    report.refresh_from_db()
    assert report.sent_at is not None and AuditEvent.objects.filter(verb="report.sent").count() == 1

    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Landkreis Rotenburg (Wümme)" in text
    assert "Monatsbericht Social Media: 01.11.2026 – 30.11.2026" in text
    assert "Alle Fachbereiche" in text
    # The month's total of published posts is in the table.
    november = sum(n for (day, _dept), n in expected.posts.items() if day.month == 11)
    assert f"11/2026\n{november}\n" in text


def test_stored_report_is_listed_and_downloaded_unchanged(client, coordinator, head, make_workflow):
    make_workflow(seed=6, posts=5, start=datetime(2026, 11, 3, 8, tzinfo=UTC), span_days=10)
    report_id = tasks.monthly_report(today="2026-12-01")
    report = CommitteeReport.objects.get(pk=report_id)
    client.force_login(coordinator)
    page = client.get(reverse("reports:index")).content.decode()
    assert reverse("reports:report_download", args=[report.pk]) in page
    download = client.get(reverse("reports:report_download", args=[report.pk]))
    assert download.content == bytes(report.pdf)
    assert download["Content-Disposition"] == 'attachment; filename="ausschussbericht-2026-11.pdf"'
    # A department head sees the own department's figures but not the county-wide stored reports.
    client.force_login(head)
    assert (
        reverse("reports:report_download", args=[report.pk])
        not in client.get(reverse("reports:index")).content.decode()
    )
    assert client.get(reverse("reports:report_download", args=[report.pk])).status_code == 404
