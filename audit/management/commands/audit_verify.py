import re

from django.core.management.base import BaseCommand, CommandError

from audit.models import AuditChainHead, AuditEvent
from audit.services import audit_verify_chain

ANCHOR = re.compile(r"^(\d+):([0-9a-f]{64})$")


class Command(BaseCommand):
    help = (
        "Verify the hash chain of the audit trail; exit status 1 if any event was changed or deleted. "
        "Prints the newest sequence:hash – keep it outside the database and pass it to --expect later."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--expect",
            metavar="SEQUENCE:HASH",
            help="An anchor printed by an earlier run: that event must still exist with that hash.",
        )

    def handle(self, *args, expect=None, **options):
        anchor = None
        if expect:
            match = ANCHOR.match(expect.strip())
            if not match:
                raise CommandError("--expect must look like 1234:<64 hex digits>")
            anchor = (int(match.group(1)), match.group(2))
        problems = list(audit_verify_chain(expect=anchor))
        for problem in problems:
            self.stderr.write(f"event {problem.sequence}: {problem.message}")
        if problems:
            raise CommandError(f"audit trail is NOT intact: {len(problems)} problem(s)")
        head = AuditChainHead.objects.filter(id=1).first()
        self.stdout.write(
            self.style.SUCCESS(f"audit trail intact: {AuditEvent.objects.count()} events verified")
        )
        if head is not None and head.last_sequence:
            self.stdout.write(f"anchor: {head.last_sequence}:{head.last_hash}")
