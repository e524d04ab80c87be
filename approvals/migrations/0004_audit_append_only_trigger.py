"""PostgreSQL refuses UPDATE and DELETE on the audit trail (a trigger), whoever asks.

The ORM already refuses (``AuditEvent.save``/``delete``, the queryset); the trigger also stops raw SQL
and other programs on the same database. Somebody who owns the table can disable the trigger – the
hash chain (``manage.py audit_verify``) still shows what they changed or deleted.

TRUNCATE is not blocked: Django's test runner and ``manage.py flush`` empty tables with it.
``audit_verify --expect`` (a sequence and hash noted down earlier) notices an emptied trail.
Other databases (the SQLite demo) get no trigger.
"""

from django.db import migrations

TABLE = "approvals_auditevent"

CREATE = f"""
CREATE OR REPLACE FUNCTION approvals_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only: % on {TABLE} refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER approvals_audit_append_only
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION approvals_audit_append_only();
"""

DROP = f"""
DROP TRIGGER IF EXISTS approvals_audit_append_only ON {TABLE};
DROP FUNCTION IF EXISTS approvals_audit_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("approvals", "0003_reviews_notifications")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
