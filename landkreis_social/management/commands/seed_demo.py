from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from departments.demo import USERS

# Each app seeds its own demo data, in this order (later apps use what earlier ones made).
DEMO_MODULES = (
    "departments.demo",
    "etiquette.demo",
    "channels.demo",
    "accounts.demo",
    "posts.demo",
    "approvals.demo",
    "inbox.demo",
)


class Command(BaseCommand):
    help = "Fill the database with demo departments, users, channels and posts (idempotent; DEBUG only)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Seed even with DEBUG off (tests, benchmarks)."
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates users with a published password and runs only with DJANGO_DEBUG=true."
            )
        with transaction.atomic():
            for module_name in DEMO_MODULES:
                self.stdout.write(f"{module_name}:")
                import_module(module_name).seed(actor=None, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready. Logins (password: demo-passwort):"))
        for username, first, last, membership, groups, _superuser in USERS:
            where = f"{membership[1]} {membership[0]}" if membership else ", ".join(groups)
            self.stdout.write(f"  {username:<13} {first} {last} – {where}")
