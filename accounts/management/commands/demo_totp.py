from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts import policy
from accounts.testing import totp_code


class Command(BaseCommand):
    help = "Print the current two-factor code of a demo user (DEBUG only), e.g. `demo_totp koordination`."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--force", action="store_true", help="Run with DEBUG off (tests).")

    def handle(self, *args, username, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("demo_totp prints sign-in codes and runs only with DJANGO_DEBUG=true.")
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user {username!r}.")
        device = policy.totp_device_of(user)
        if device is None:
            raise CommandError(f"{username} has no authenticator; run seed_demo or set one up in the app.")
        self.stdout.write(totp_code(device))
