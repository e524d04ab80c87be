"""E-mails of notifications (issue 14): a title with a line break gets a clean subject; a failed e-mail
is logged with the recipient and the reason and sent again; many notifications in a short time reach a
recipient as one digest after a short delay, while the in-app list is immediate."""

from __future__ import annotations

import logging
from smtplib import SMTPServerDisconnected
from unittest import mock

import pytest
from django.core import mail

from notifications import tasks
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_a_title_with_a_line_break_gets_a_clean_subject(cast, in_review, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        in_review(title="Neue Impftermine\r\nBcc: alle@example.org")
    (message,) = mail.outbox
    assert "\n" not in message.subject and "\r" not in message.subject
    assert "Neue Impftermine Bcc: alle@example.org" in message.subject
    assert message.to == ["koordination@landkreis.example"] and not message.bcc


def test_a_failed_email_is_logged_with_recipient_and_reason_and_sent_again(
    cast, in_review, django_capture_on_commit_callbacks, caplog
):
    caplog.set_level(logging.WARNING, logger="notifications")
    real_send = mail.EmailMessage.send
    calls = []

    def flaky(self, *args, **kwargs):
        calls.append(self.to)
        if len(calls) == 1:
            raise SMTPServerDisconnected("Connection unexpectedly closed")
        return real_send(self, *args, **kwargs)

    with (
        mock.patch.object(mail.EmailMessage, "send", flaky),
        mock.patch.object(tasks.send_emails, "apply_async") as queued,
    ):
        with django_capture_on_commit_callbacks(execute=True):
            in_review()
        assert mail.outbox == []
        logged = " ".join(r.getMessage() for r in caplog.records)
        assert "koordination@landkreis.example" in logged and "Connection unexpectedly closed" in logged
        (retry,) = queued.call_args_list
        assert retry.kwargs["countdown"] > 0
        tasks.send_emails.run(**retry.kwargs["kwargs"])  # the worker runs the retry
    assert [m.to for m in mail.outbox] == [["koordination@landkreis.example"]]


def test_fifteen_submissions_reach_the_coordination_as_one_digest(
    cast, in_review, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATION_EMAIL_DIGEST_SECONDS = 60
    with (
        mock.patch.object(tasks.send_emails, "apply_async") as queued,
        django_capture_on_commit_callbacks(execute=True),
    ):
        for number in range(15):
            in_review(title=f"Beitrag {number}")
    # In the app: at once, one notification each.
    assert Notification.objects.filter(recipient=cast["coordinator"]).count() == 15
    assert mail.outbox == []
    (digest,) = queued.call_args_list  # one digest scheduled for the coordination, after the delay
    assert digest.kwargs["countdown"] == 60
    tasks.send_emails.run(**digest.kwargs["kwargs"])
    (message,) = mail.outbox
    assert message.to == ["koordination@landkreis.example"]
    assert "15" in message.subject
    assert all(f"„Beitrag {n}“" in message.body for n in range(15))
