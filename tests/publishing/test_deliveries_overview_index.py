"""The deliveries page with many deliveries: its order (most urgent first, then newest) is read from an
expression index instead of sorting every delivery (bench/pages_bench.py: 650 ms → a few ms for the
query at 180,000 deliveries)."""

from __future__ import annotations

import pytest
from django.db import connection

from publishing.models import DELIVERY_OVERVIEW_ORDER, Delivery
from publishing.selectors import deliveries_overview


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize("status", ["", "problems", "published"])
def test_the_overview_is_answered_from_its_index(status):
    queryset = deliveries_overview(status=status)[:50]
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")  # an empty table: make the planner show it can
        cursor.execute("SET enable_sort = off")
        try:
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("RESET enable_seqscan")
            cursor.execute("RESET enable_sort")
    assert "delivery_overview_idx" in plan, plan
    assert " Sort " not in plan and "Sort Key" not in plan.split("delivery_overview_idx")[0], plan


def test_every_status_has_its_place_in_the_order():
    assert {status for status, _rank in DELIVERY_OVERVIEW_ORDER} == set(Delivery.Status.values)
