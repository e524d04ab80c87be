"""Re-encrypt every channel's credentials and session with the first key of
LANDKREIS_CREDENTIALS_KEYS (after a new key was put in front of the list)."""

from django.core.management.base import BaseCommand, CommandError

from channels.crypto import CredentialsUnreadable
from channels.services import channels_rotate_credentials_key


class Command(BaseCommand):
    help = "Re-encrypt all channel credentials with the first key of LANDKREIS_CREDENTIALS_KEYS."

    def handle(self, *args, **options):
        try:
            count = channels_rotate_credentials_key(actor=None)
        except CredentialsUnreadable as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"{count} channel(s) re-encrypted with the first key."))
