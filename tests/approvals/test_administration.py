"""The administration's pages: review modes (audited), the CSV export of the audit trail, the chain check;
the coordinator's after-the-fact list of autonomous approvals."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from approvals import services
from audit.models import AuditEvent
from departments.models import Department

from .conftest import open_step

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["editor", "head", "coordinator", "press", "outsider"])
def test_only_the_administration_opens_the_admin_pages(client, cast, who):
    client.force_login(cast[who])
    assert client.get("/approvals/review-modes/").status_code == 403
    assert client.get("/approvals/audit/").status_code == 403
    assert client.get("/approvals/audit/export.csv?start=2026-01-01&end=2026-12-31").status_code == 403


def test_switching_a_department_to_autonomous_is_audited_with_the_reason(client, admin_user, department):
    client.force_login(admin_user)
    html = client.get("/approvals/review-modes/").content.decode()
    assert "Gesundheitsamt" in html and f'action="/approvals/review-modes/{department.pk}/"' in html
    response = client.post(
        f"/approvals/review-modes/{department.pk}/",
        {
            f"d{department.pk}-review_mode": "autonomous",
            f"d{department.pk}-comment": "Schulung abgeschlossen.",
        },
        follow=True,
    )
    assert "Das Freigabeverfahren ist jetzt" in response.content.decode()
    department.refresh_from_db()
    assert department.review_mode == Department.ReviewMode.AUTONOMOUS
    event = AuditEvent.objects.get(verb="department.review_mode_changed")
    assert event.actor_id == admin_user.pk and event.comment == "Schulung abgeschlossen."
    assert event.before == {"review_mode": "coordinated"} and event.after == {"review_mode": "autonomous"}


def test_a_mode_change_without_a_reason_is_an_error_next_to_the_field(client, admin_user, department):
    client.force_login(admin_user)
    prefix = f"d{department.pk}"
    response = client.post(
        f"/approvals/review-modes/{department.pk}/",
        {f"{prefix}-review_mode": "autonomous", f"{prefix}-comment": ""},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert f'id="id_{prefix}-comment_error"' in html
    assert "Bitte geben Sie eine Begründung an" in html
    department.refresh_from_db()
    assert department.review_mode == Department.ReviewMode.COORDINATED


def test_csv_export_of_a_date_range(client, admin_user, in_review, coordinator):
    review = in_review()
    services.step_reject(actor=coordinator, step=open_step(review), reason='=HYPERLINK("http://evil")')
    client.force_login(admin_user)
    today = timezone.localdate()
    response = client.get(f"/approvals/audit/export.csv?start={today:%Y-%m-%d}&end={today:%Y-%m-%d}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f"audit-{today:%Y-%m-%d}-{today:%Y-%m-%d}.csv" in response["Content-Disposition"]
    content = b"".join(response.streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(content.lstrip("\ufeff"))))
    assert rows[0][:4] == ["sequence", "time", "actor", "action"]
    actions = [row[3] for row in rows[1:]]
    assert {"post.submitted", "review.opened", "review.rejected"} <= set(actions)
    rejected = next(row for row in rows[1:] if row[3] == "review.rejected")
    assert rejected[10] == '\'=HYPERLINK("http://evil")'  # a spreadsheet shows it, does not run it
    assert rejected[7] == str(review.post_id)
    # The export is itself recorded.
    assert AuditEvent.objects.filter(verb="audit.exported", actor_id=admin_user.pk).exists()


def test_csv_export_of_days_without_events_is_just_the_header(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/approvals/audit/export.csv?start=2001-01-01&end=2001-01-31")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode().lstrip("\ufeff"))))
    assert len(rows) == 1


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("start=2026-02-01&end=2026-01-01", "Das Enddatum liegt vor dem Startdatum."),
        ("start=&end=2026-01-01", "Bitte geben Sie den ersten Tag an."),
        ("start=gestern&end=2026-01-01", "Bitte geben Sie ein gültiges Datum an."),
    ],
)
def test_a_bad_date_range_is_explained_next_to_the_field(client, admin_user, query, message):
    client.force_login(admin_user)
    response = client.get(f"/approvals/audit/export.csv?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_chain_check_on_the_audit_page(client, admin_user, in_review):
    in_review()
    client.force_login(admin_user)
    html = client.post("/approvals/audit/").content.decode()
    assert "Das Protokoll ist unverändert." in html
    event = AuditEvent.objects.filter(verb="review.opened").get()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE approvals_auditevent DISABLE TRIGGER USER")
        cursor.execute(
            "UPDATE approvals_auditevent SET actor_name = 'Jemand anderes' WHERE id = %s", [event.pk]
        )
    html = client.post("/approvals/audit/").content.decode()
    assert "Das Protokoll ist NICHT unverändert: 1 Problem." in html
    assert f"Eintrag {event.sequence}" in html


def test_the_coordinator_sees_afterwards_what_autonomous_departments_approved(
    client, cast, in_review, department, admin_user
):
    from departments.services import department_set_review_mode

    department_set_review_mode(actor=admin_user, department=department, review_mode="autonomous")
    review = in_review(title="Von der Leitung freigegeben")
    services.step_approve(actor=cast["head"], step=open_step(review))
    department_set_review_mode(actor=admin_user, department=department, review_mode="coordinated")
    coordinated = in_review(title="Von der Koordination freigegeben")
    services.step_approve(actor=cast["coordinator"], step=open_step(coordinated))

    client.force_login(cast["coordinator"])
    html = client.get("/approvals/autonomous/").content.decode()
    assert "Von der Leitung freigegeben" in html
    assert "Leitung" in html.split("Von der Leitung freigegeben")[1]  # approved by the head
    assert "Von der Koordination freigegeben" not in html
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    html = client.get(f"/approvals/autonomous/?since={tomorrow}").content.decode()
    assert "Von der Leitung freigegeben" not in html
    client.force_login(cast["editor"])
    assert client.get("/approvals/autonomous/").status_code == 403


def test_reviews_are_read_only_in_the_django_admin(client, admin_user, in_review):
    review = in_review()
    client.force_login(admin_user)
    response = client.get(f"/admin/approvals/review/{review.pk}/change/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Koordination" in html  # the step inline
    assert 'name="_save"' not in html
    assert client.get("/admin/approvals/review/add/").status_code == 403
    assert client.post(f"/admin/approvals/review/{review.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
