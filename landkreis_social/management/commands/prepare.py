"""``manage.py prepare``: the one step between configuring production and starting it.

Refuses unclear configuration (the settings already did, with one line), then runs the deployment
checks (demo accounts with the published password or key stop it), waits for nothing and migrates the
database, collects the static files and says what to start. Safe to run again on every release.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management import BaseCommand, CommandError, call_command
from django.db import OperationalError, connection

from landkreis_social.checks import demo_accounts_problem


class Command(BaseCommand):
    help = "Check the production configuration, migrate the database and collect static files."

    def handle(self, *args, **options):
        if settings.DEBUG:
            self.stdout.write("DJANGO_DEBUG is on: preparing the demo/development mode.")
        try:
            connection.ensure_connection()
        except OperationalError as exc:
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise CommandError(f"The database cannot be reached (DATABASE_URL): {first_line}") from None
        self.stdout.write("1/4 checks (check --deploy)")
        call_command("check", deploy=True, fail_level="ERROR", stdout=self.stdout, stderr=self.stderr)
        self.stdout.write("2/4 database (migrate)")
        call_command("migrate", interactive=False, verbosity=0)
        if not settings.DEBUG:
            problem = demo_accounts_problem()  # again: the tables exist now
            if problem:
                raise CommandError(problem[0].upper() + problem[1:])
        self.stdout.write("3/4 static files (collectstatic)")
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(
            "4/4 ready. Start the web server, a worker and exactly one beat, e.g.:\n"
            "  gunicorn landkreis_social.wsgi --bind 0.0.0.0:8000 --workers 3\n"
            "  celery -A landkreis_social worker --pool=threads --concurrency=8\n"
            "  celery -A landkreis_social beat"
        )
