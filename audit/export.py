"""The CSV export of the audit trail: which events, recorded as taken out, and the cells."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import AuditEvent
from .services import audit_record


class _Echo:
    def write(self, value):
        return value


CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    """One CSV cell; text that a spreadsheet would run as a formula is prefixed with an apostrophe."""
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(CSV_FORMULA_START) else text


CSV_COLUMNS = (
    "sequence",
    "time",
    "actor",
    "action",
    "object_type",
    "object_id",
    "object",
    "post",
    "before",
    "after",
    "comment",
    "hash",
)


def audit_csv_rows(events: QuerySet[AuditEvent]) -> Iterator[str]:
    """The lines of the CSV file (streamed): byte order mark, header, one line per event."""
    writer = csv.writer(_Echo())
    yield "\ufeff"  # byte order mark: spreadsheet programs then read UTF-8 correctly
    yield writer.writerow(CSV_COLUMNS)
    for event in events.iterator(chunk_size=2000):
        yield writer.writerow(
            [
                _cell(event.sequence),
                _cell(timezone.localtime(event.created_at).isoformat()),
                _cell(event.actor_name),
                _cell(event.verb),
                _cell(event.object_type),
                _cell(event.object_id),
                _cell(event.object_repr),
                _cell(event.post_id),
                _cell(event.before),
                _cell(event.after),
                _cell(event.comment),
                _cell(event.hash),
            ]
        )


@transaction.atomic
def audit_export(*, actor, start: date, end: date) -> QuerySet[AuditEvent]:
    """The events from ``start`` to ``end`` (both days included, local time) for the CSV export; the
    export itself is recorded (who took which part of the trail out of the system)."""
    if end < start:
        raise ValidationError({"end": _("The end date is before the start date.")}, code="invalid_range")
    tz = timezone.get_current_timezone()
    since = timezone.make_aware(datetime.combine(start, time.min), tz)
    until = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), tz)
    events = AuditEvent.objects.filter(created_at__gte=since, created_at__lt=until).order_by("sequence")
    audit_record(
        actor=actor,
        verb="audit.exported",
        after={"start": start.isoformat(), "end": end.isoformat(), "events": events.count()},
    )
    return events
