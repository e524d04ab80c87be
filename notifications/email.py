"""The e-mails of notifications: one per notification, or one digest per recipient (issue 14).

Subjects are one clean line: a title with a line break made Django raise ``BadHeaderError`` and every
e-mail about that post was dropped. Sending raises; the caller logs and retries (``tasks.send_emails``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import services  # services → tasks → email → services: names are read at call time
from .models import Notification

SUBJECT_PREFIX = "[Landkreis Social] "
SUBJECT_MAX = 180


def clean_subject(text: str) -> str:
    """One line: every run of whitespace (line breaks included) and control characters becomes a space."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in str(text))
    cleaned = " ".join(cleaned.split())
    return cleaned if len(cleaned) <= SUBJECT_MAX else cleaned[: SUBJECT_MAX - 1] + "…"


def compose(recipient, notifications: list[Notification]) -> EmailMessage:
    """One notification as before; several as a digest listing each with its link."""
    with translation.override(settings.LANGUAGE_CODE):
        items = [
            {
                "notification": n,
                "text": services.notification_text(n),
                "url": settings.SITE_URL + services.notification_url(n),
            }
            for n in notifications
        ]
        if len(items) == 1:
            subject = items[0]["text"]
            body = render_to_string(
                "notifications/email/notification.txt", {**items[0], "recipient": recipient}
            )
        else:
            subject = (
                ngettext("%(count)s notification", "%(count)s notifications", len(items))
                % {"count": len(items)}
                + " – "
                + _("Landkreis Social")
            )
            body = render_to_string(
                "notifications/email/digest.txt", {"items": items, "recipient": recipient}
            )
    return EmailMessage(subject=clean_subject(SUBJECT_PREFIX + subject), body=body, to=[recipient.email])


def send(recipient, notifications: list[Notification]) -> None:
    compose(recipient, notifications).send()
