"""The audit trail is append-only and hash-chained; verification notices tampering."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from audit.models import AuditChainHead, AuditEvent
from audit.services import audit_record, audit_verify_chain

TABLE = AuditEvent._meta.db_table


def tamper(sql: str, params: list) -> None:
    """Change the table below the ORM, as an attacker with database access would: on PostgreSQL they
    first have to switch off the trigger that refuses UPDATE and DELETE (the table owner can)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER")


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
    tamper(f"UPDATE {TABLE} SET comment = %s WHERE id = %s", ["geändert", chain[2].pk])
    problems = list(audit_verify_chain())
    assert [p.sequence for p in problems] == [chain[2].sequence]
    with pytest.raises(CommandError):
        call_command("audit_verify", verbosity=0)


def test_deleted_row_is_detected(chain):
    tamper(f"DELETE FROM {TABLE} WHERE id = %s", [chain[1].pk])
    problems = list(audit_verify_chain())
    assert problems
    assert any("missing" in p.message for p in problems)


def test_deleting_the_newest_rows_is_detected(chain):
    tamper(f"DELETE FROM {TABLE} WHERE id = %s", [chain[-1].pk])
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


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [f"UPDATE {TABLE} SET comment = 'geändert' WHERE id = %s", f"DELETE FROM {TABLE} WHERE id = %s"],
    ids=["update", "delete"],
)
def test_postgresql_refuses_raw_update_and_delete(chain, sql):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [chain[0].pk])
    assert AuditEvent.objects.get(pk=chain[0].pk).comment == "c0"
    assert list(audit_verify_chain()) == []


def test_an_emptied_trail_is_noticed_with_the_anchor(chain):
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    anchor = out.getvalue().strip().splitlines()[-1].removeprefix("anchor: ")
    sequence, digest = anchor.split(":")
    assert int(sequence) == chain[-1].sequence and digest == chain[-1].hash
    call_command("audit_verify", expect=anchor, verbosity=0)  # still there: passes

    tamper(f"DELETE FROM {TABLE}", [])
    AuditChainHead.objects.all().delete()
    assert list(audit_verify_chain()) == []  # the chain alone cannot tell an empty trail from a new one
    with pytest.raises(CommandError):
        call_command("audit_verify", expect=anchor, verbosity=0)


def test_a_rewritten_trail_is_noticed_with_the_anchor(chain):
    anchor = f"{chain[-1].sequence}:{chain[-1].hash}"
    # Rebuild the whole chain with a changed comment and fresh hashes: internally consistent again.
    tamper(f"UPDATE {TABLE} SET comment = 'neu geschrieben'", [])
    from audit.services import GENESIS_HASH, event_hash

    previous = GENESIS_HASH
    for event in AuditEvent.objects.order_by("sequence"):
        event.previous_hash = previous
        digest = event_hash(event)
        tamper(
            f"UPDATE {TABLE} SET previous_hash = %s, hash = %s WHERE id = %s", [previous, digest, event.pk]
        )
        previous = digest
    AuditChainHead.objects.filter(id=1).update(last_hash=previous)
    assert list(audit_verify_chain()) == []
    problems = list(audit_verify_chain(expect=(chain[-1].sequence, chain[-1].hash)))
    assert [p.message for p in problems] == ["the event does not have the hash noted down earlier"]
    with pytest.raises(CommandError):
        call_command("audit_verify", expect=anchor, verbosity=0)


def test_removing_a_user_keeps_the_chain_intact_and_the_name(chain, admin_user):
    get_user_model().objects.filter(pk=admin_user.pk).delete()
    assert list(audit_verify_chain()) == []
    event = AuditEvent.objects.get(pk=chain[0].pk)
    assert event.actor_id == admin_user.pk
    assert event.actor_name == "Admin (admin)"
