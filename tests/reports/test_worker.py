"""The monthly report in a real Celery worker process (Redis, PostgreSQL, production settings): sent
twice, one report; its e-mail task runs after the commit and marks it sent."""

from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime

import pytest

from audit.models import AuditEvent
from landkreis_social.celery import app
from reports import tasks
from reports.models import CommitteeReport


@pytest.mark.postgres
@pytest.mark.redis
def test_monthly_report_in_a_worker_is_made_once_and_mailed(celery_worker_process, make_workflow):
    make_workflow(seed=19, posts=15, start=datetime(2026, 11, 2, 8, tzinfo=UTC), span_days=25)
    worker = celery_worker_process(
        "reports",
        env={"LANDKREIS_REPORT_RECIPIENTS": "ausschuss@landkreis.example", "EMAIL_URL": "consolemail://"},
    )
    with app.connection_for_write() as conn:
        for _ in range(2):
            tasks.monthly_report.apply_async(kwargs={"today": "2026-12-01"}, connection=conn)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        report = CommitteeReport.objects.filter(sent_at__isnull=False).first()
        if report is not None:
            break
        time.sleep(0.3)
    assert report is not None, worker.log_path.read_text(errors="replace")[-3000:]
    # Both messages were carried out (the second found the stored report).
    while time.monotonic() < deadline:
        log = worker.log_path.read_text(errors="replace")
        if len(re.findall(r"reports\.tasks\.monthly_report\[[^\]]+\] succeeded", log)) == 2:
            break
        time.sleep(0.3)
    assert len(re.findall(r"reports\.tasks\.monthly_report\[[^\]]+\] succeeded", log)) == 2, log[-3000:]
    assert CommitteeReport.objects.count() == 1
    assert report.period_start == date(2026, 11, 1) and report.recipients == ["ausschuss@landkreis.example"]
    assert AuditEvent.objects.filter(verb="report.created").count() == 1
    assert AuditEvent.objects.filter(verb="report.sent").count() == 1
    assert "reports.tasks.send_committee_report" in log
