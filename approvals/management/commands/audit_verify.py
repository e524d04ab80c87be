from django.core.management.base import BaseCommand, CommandError

from approvals.audit import audit_verify_chain
from approvals.models import AuditEvent


class Command(BaseCommand):
    help = "Verify the hash chain of the audit trail; exit status 1 if any event was changed or deleted."

    def handle(self, *args, **options):
        problems = list(audit_verify_chain())
        for problem in problems:
            self.stderr.write(f"event {problem.sequence}: {problem.message}")
        if problems:
            raise CommandError(f"audit trail is NOT intact: {len(problems)} problem(s)")
        self.stdout.write(
            self.style.SUCCESS(f"audit trail intact: {AuditEvent.objects.count()} events verified")
        )
