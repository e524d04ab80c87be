"""AuditEvent, AuditChainHead and Notification belong to the audit and notifications apps now (issue 13).

State only: the tables (approvals_auditevent, approvals_auditchainhead, approvals_notification), the
append-only trigger and every row stay; the new apps name the same tables with ``db_table``.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("approvals", "0006_acknowledgement_reason_label"),
        ("audit", "0001_initial"),
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="AuditChainHead"),
                migrations.RemoveField(model_name="notification", name="post"),
                migrations.RemoveField(model_name="notification", name="recipient"),
                migrations.DeleteModel(name="AuditEvent"),
                migrations.DeleteModel(name="Notification"),
            ],
        ),
    ]
