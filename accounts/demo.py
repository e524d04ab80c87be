"""Demo data: Koordination, Pressestelle and Administration sign in with a second factor.

All three share one published demo key, so one entry in an authenticator app (or
``manage.py demo_totp <user>``) gives the codes. Seeding refuses to run without DEBUG
(``seed_demo``), so this key never protects a real account.
"""

from base64 import b32decode

from django.contrib.auth import get_user_model

from . import policy, services

# Base32, as authenticator apps take it ("manual entry"): 20 bytes, TOTP, SHA-1, 6 digits, 30 s.
DEMO_TOTP_SECRET = "LANDKREISSOCIALDEMOZWEIFAKTOR234"  # noqa: S105 - published demo key, DEBUG only
DEMO_TOTP_USERS = ("koordination", "presse", "admin")
DEMO_TOTP_COMMAND = "DJANGO_DEBUG=true .venv/bin/python manage.py demo_totp koordination"


def demo_key_hex() -> str:
    return b32decode(DEMO_TOTP_SECRET).hex()


def seed(*, actor, stdout=None) -> None:
    users = get_user_model().objects.filter(username__in=DEMO_TOTP_USERS)
    for user in users:
        if not policy.has_device(user):
            services.second_factor_enrol(actor=actor, user=user, key=demo_key_hex())
    if stdout:
        grouped = " ".join(DEMO_TOTP_SECRET[i : i + 4] for i in range(0, len(DEMO_TOTP_SECRET), 4))
        stdout.write(
            f"  second factor for {', '.join(DEMO_TOTP_USERS)}: authenticator key {grouped}\n"
            f"  (or the current code: {DEMO_TOTP_COMMAND})"
        )
