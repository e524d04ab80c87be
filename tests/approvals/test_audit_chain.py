"""The audit trail is append-only and hash-chained; verification notices tampering."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from approvals.audit import audit_record, audit_verify_chain
from approvals.models import AuditEvent


@pytest.fixture
def chain(db, department, admin_user):
    for index in range(5):
        audit_record(
            actor=admin_user, verb="test.event", obj=department, after={"n": index}, comment=f"c{index}"
        )
    return list(AuditEvent.objects.filter(verb="test.event"))


def test_intact_chain_verifies(chain):
    assert list(audit_verify_chain()) == []
    call_command("audit_verify", verbosity=0)


def test_changed_row_is_detected(chain):
    with connection.cursor() as cursor:  # tamper below the ORM, as an attacker with database access would
        cursor.execute(
            f"UPDATE {AuditEvent._meta.db_table} SET comment = %s WHERE id = %s", ["geändert", chain[2].pk]
        )
    problems = list(audit_verify_chain())
    assert [p.sequence for p in problems] == [chain[2].sequence]
    with pytest.raises(CommandError):
        call_command("audit_verify", verbosity=0)


def test_deleted_row_is_detected(chain):
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [chain[1].pk])
    problems = list(audit_verify_chain())
    assert problems
    assert any("missing" in p.message for p in problems)


def test_deleting_the_newest_rows_is_detected(chain):
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [chain[-1].pk])
    problems = list(audit_verify_chain())
    assert any("newest rows deleted" in p.message for p in problems)


def test_orm_refuses_to_change_or_delete_events(chain):
    event = chain[0]
    event.comment = "anders"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


def test_querysets_refuse_bulk_update_and_delete(chain):
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(verb="test.event").update(comment="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
