"""Writing audit events costs three statements – for one event, and for all events of an ``audit_batch``
(lock the chain head, insert, move the head); the chain stays intact and in order."""

import pytest
from django.db import transaction

from audit.models import AuditChainHead, AuditEvent
from audit.services import audit_batch, audit_record, audit_verify_chain

pytestmark = pytest.mark.django_db


def record(obj, n: int):
    return audit_record(actor=None, verb="test.batched", obj=obj, after={"n": n})


def test_one_event_takes_three_statements_in_a_transaction(department, django_assert_num_queries):
    record(department, 0)  # the chain head exists
    # The head (locked, read once), the insert, the head moved – no savepoint.
    with transaction.atomic(), django_assert_num_queries(3):
        record(department, 1)
    assert list(audit_verify_chain()) == []


def test_a_batch_writes_its_events_at_its_end_in_three_statements(department, django_assert_num_queries):
    record(department, 0)
    before = AuditChainHead.objects.get(id=1).last_sequence
    with transaction.atomic(), django_assert_num_queries(3), audit_batch():
        for n in range(1, 5):
            record(department, n)
    events = list(AuditEvent.objects.filter(verb="test.batched").order_by("sequence"))
    assert [e.after["n"] for e in events] == [0, 1, 2, 3, 4]
    assert [e.sequence for e in events[1:]] == [before + 1, before + 2, before + 3, before + 4]
    assert len({e.created_at for e in events[1:]}) == 1  # written together
    head = AuditChainHead.objects.get(id=1)
    assert (head.last_sequence, head.last_hash) == (events[-1].sequence, events[-1].hash)
    assert list(audit_verify_chain()) == []


def test_a_batch_that_fails_writes_nothing(department):
    record(department, 0)

    def change():
        with transaction.atomic(), audit_batch():
            record(department, 1)
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        change()
    assert list(AuditEvent.objects.filter(verb="test.batched").values_list("after__n", flat=True)) == [0]
    # The next event links to the last one written, not to the discarded one.
    record(department, 2)
    assert list(audit_verify_chain()) == []


def test_nested_batches_write_once_at_the_end_of_the_outer_one(department):
    with transaction.atomic(), audit_batch():
        record(department, 1)
        with audit_batch():
            record(department, 2)
        assert not AuditEvent.objects.filter(verb="test.batched").exists()
        record(department, 3)
    assert list(AuditEvent.objects.filter(verb="test.batched").values_list("after__n", flat=True)) == [
        1,
        2,
        3,
    ]
    assert list(audit_verify_chain()) == []


def test_a_missing_head_is_created_with_the_first_event():
    assert not AuditEvent.objects.exists()
    AuditChainHead.objects.all().delete()
    event = record(None, 1)
    assert event.sequence == 1
    assert AuditChainHead.objects.get(id=1).last_sequence == 1
    assert list(audit_verify_chain()) == []
