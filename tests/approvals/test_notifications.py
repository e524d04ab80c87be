"""Notifications go to the reviewers of the next step and to the author on every decision – and only to
people who may see the post (Wagtail GHSA-xqxm-2rpm-3889 mailed comment notifications to users without
access). E-mails leave after the commit, one per recipient."""

import pytest
from django.core import mail

from approvals import services
from departments.models import Membership
from departments.services import department_set_review_mode, membership_add, membership_remove
from notifications.models import Notification
from notifications.services import notification_text, notify

from .conftest import open_step

pytestmark = pytest.mark.django_db


def recipients(kind=None):
    notes = Notification.objects.all()
    if kind:
        notes = notes.filter(kind=kind)
    return sorted(notes.values_list("recipient__username", flat=True))


def test_submission_notifies_the_coordination_only(cast, in_review, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        review = in_review()
    assert recipients() == ["koordination"]
    note = Notification.objects.get()
    assert note.kind == Notification.Kind.REVIEW_WAITING and note.post_id == review.post_id
    assert notification_text(note) == "„Neue Impftermine“ wartet auf Ihre Freigabe (Koordination)."
    assert [m.to for m in mail.outbox] == [["koordination@landkreis.example"]]
    assert "Neue Impftermine" in mail.outbox[0].subject
    assert f"/approvals/posts/{review.post_id}/" in mail.outbox[0].body


def test_no_email_before_the_commit_and_none_after_a_rollback(
    cast, in_review, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        in_review()
    assert mail.outbox == []  # queued for after the commit, not sent
    assert len(callbacks) >= 1
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1


def test_autonomous_submission_notifies_the_department_head_not_the_coordination(
    cast, in_review, department, admin_user
):
    department_set_review_mode(actor=admin_user, department=department, review_mode="autonomous")
    in_review()
    assert recipients() == ["leitung"]


def test_next_step_reviewers_and_author_hear_about_an_approved_step(
    cast, in_review, coordinator, django_capture_on_commit_callbacks
):
    review = in_review(press_relevant=True)
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        services.step_approve(actor=coordinator, step=open_step(review), comment="Von mir aus gut.")
    assert recipients(Notification.Kind.REVIEW_WAITING) == ["presse"]
    assert recipients(Notification.Kind.STEP_APPROVED) == ["redaktion"]
    author_mail = next(m for m in mail.outbox if m.to == ["redaktion@landkreis.example"])
    assert "Von mir aus gut." in author_mail.body


@pytest.mark.parametrize(
    ("decision", "kind", "text"),
    [
        ("approve", Notification.Kind.APPROVED, "Passt so."),
        ("changes", Notification.Kind.CHANGES_REQUESTED, "Bitte den Link prüfen."),
        ("reject", Notification.Kind.REJECTED, "Das ist Sache der Pressestelle."),
    ],
)
def test_the_author_hears_about_every_decision_with_the_comment(
    cast, in_review, coordinator, django_capture_on_commit_callbacks, decision, kind, text
):
    review = in_review()
    step = open_step(review)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        if decision == "approve":
            services.step_approve(actor=coordinator, step=step, comment=text)
        elif decision == "changes":
            services.step_request_changes(actor=coordinator, step=step, comment=text)
        else:
            services.step_reject(actor=coordinator, step=step, reason=text)
    note = Notification.objects.get(kind=kind)
    assert note.recipient == cast["editor"] and note.comment == text
    assert notification_text(note).startswith("Koordination (koordination) ")
    assert [m.to for m in mail.outbox] == [["redaktion@landkreis.example"]]
    assert text in mail.outbox[0].body


def test_outsiders_never_hear_about_a_post(
    cast, in_review, coordinator, press, django_capture_on_commit_callbacks
):
    """The whole life of a press-relevant post: the outsider (another department's editor) gets nothing."""
    with django_capture_on_commit_callbacks(execute=True):
        review = in_review(press_relevant=True)
        services.step_approve(actor=coordinator, step=open_step(review))
        services.step_request_changes(actor=press, step=open_step(review), comment="Zitat freigeben lassen.")
    assert "redaktion2" not in recipients()
    assert all(m.to != ["redaktion2@landkreis.example"] for m in mail.outbox)
    assert set(recipients()) == {"koordination", "presse", "redaktion"}


def test_an_author_who_left_the_department_is_not_told_about_the_post_any_more(
    cast, in_review, coordinator, editor, django_capture_on_commit_callbacks
):
    """GHSA-xqxm-2rpm-3889: notifications must follow the current permissions, not old subscriptions."""
    review = in_review()
    membership_remove(actor=None, membership=Membership.objects.get(user=editor))
    Notification.objects.all().delete()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.step_request_changes(
            actor=coordinator, step=open_step(review), comment="Vertraulicher Hinweis."
        )
    assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_a_head_without_lead_permission_any_more_is_not_asked(cast, in_review, head, department, admin_user):
    department_set_review_mode(actor=admin_user, department=department, review_mode="autonomous")
    membership = Membership.objects.get(user=head)
    membership_remove(actor=None, membership=membership)
    membership_add(actor=None, user=head, department=department, role="editor")  # demoted
    in_review()
    assert "leitung" not in recipients()


def test_notify_itself_drops_people_who_may_not_see_the_post(
    cast, in_review, django_capture_on_commit_callbacks
):
    review = in_review()
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        created = notify(
            kind=Notification.Kind.REVIEW_WAITING,
            post=review.post,
            recipients=[cast["outsider"], cast["press"], cast["editor"], cast["head"]],
            actor=cast["editor"],
        )
    # The outsider cannot see the post; the actor is not told about their own action.
    assert sorted(n.recipient.username for n in created) == ["leitung", "presse"]
    assert sorted(m.to[0] for m in mail.outbox) == ["leitung@landkreis.example", "presse@landkreis.example"]


def test_the_notification_list_shows_only_my_notifications(client, cast, in_review):
    in_review()
    client.force_login(cast["outsider"])
    html = client.get("/approvals/notifications/").content.decode()
    assert "Neue Impftermine" not in html
    client.force_login(cast["coordinator"])
    html = client.get("/approvals/notifications/").content.decode()
    assert "„Neue Impftermine“ wartet auf Ihre Freigabe" in html


def test_opening_a_notification_marks_it_read_and_others_get_404(client, cast, in_review):
    review = in_review()
    note = Notification.objects.get(recipient=cast["coordinator"])
    client.force_login(cast["outsider"])
    assert client.get(f"/approvals/notifications/{note.pk}/").status_code == 404
    note.refresh_from_db()
    assert note.read_at is None
    client.force_login(cast["coordinator"])
    response = client.get(f"/approvals/notifications/{note.pk}/")
    assert response.status_code == 302 and response["Location"] == f"/approvals/posts/{review.post_id}/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_mark_all_read(client, cast, in_review):
    in_review()
    in_review(title="Zweiter Beitrag")
    client.force_login(cast["coordinator"])
    assert Notification.objects.filter(recipient=cast["coordinator"], read_at__isnull=True).count() == 2
    client.post("/approvals/notifications/read/")
    assert Notification.objects.filter(recipient=cast["coordinator"], read_at__isnull=True).count() == 0


def test_a_failing_mail_server_does_not_undo_the_decision(
    cast, in_review, coordinator, settings, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens
    with django_capture_on_commit_callbacks(execute=True):
        review = in_review()
    assert Notification.objects.filter(post=review.post).exists()
    assert "e-mail to koordination@landkreis.example failed" in caplog.text
