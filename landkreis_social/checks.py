"""What production must not start with (issue 14), for ``check --deploy``, ``manage.py prepare`` and the
web process itself (``landkreis_social/wsgi.py``).

- Demo accounts: ``seed_demo`` once with DJANGO_DEBUG and then running without it served the demo users –
  the superuser ``admin`` included – with the published password and the published authenticator key.
- Static files: without ``collectstatic`` every page was a 500 ("Missing staticfiles manifest entry").
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.checks import Error, Tags, register
from django.db import DatabaseError
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.demo import demo_key_hex
from departments.demo import DEMO_PASSWORD, USERS

DEMO_USERNAMES = tuple(username for username, *_rest in USERS)


def demo_accounts() -> list[str]:
    """Users that can still be signed in to with the published demo password or authenticator key.
    Nothing when the tables do not exist yet (before the first migrate)."""
    found = []
    try:
        for user in get_user_model().objects.filter(username__in=DEMO_USERNAMES, is_active=True):
            if user.has_usable_password() and user.check_password(DEMO_PASSWORD):
                found.append(user.get_username())
        keyed = TOTPDevice.objects.filter(key__iexact=demo_key_hex()).select_related("user")
        found += [device.user.get_username() for device in keyed if device.user.get_username() not in found]
    except DatabaseError:
        return []
    return sorted(found)


def demo_accounts_problem() -> str | None:
    names = demo_accounts()
    if not names:
        return None
    return (
        f"demo accounts with the published password or authenticator key exist: {', '.join(names)}. "
        "Give them new passwords (manage.py changepassword NAME) and delete their authenticator devices "
        "in the admin, or delete the users."
    )


def static_files_problem() -> str | None:
    """The manifest collectstatic writes, where the production storage looks for it."""
    storage = settings.STORAGES["staticfiles"]["BACKEND"]
    if "Manifest" not in storage:
        return None
    manifest = settings.STATIC_ROOT / "staticfiles.json"
    if not manifest.is_file():
        return (
            f"the static files are not collected ({manifest} is missing); run manage.py prepare "
            "(it runs the checks, migrate and collectstatic) before starting the web server."
        )
    return None


@register(Tags.security, deploy=True)
def demo_accounts_check(app_configs=None, **kwargs):
    if settings.DEBUG:
        return []
    problem = demo_accounts_problem()
    if problem is None:
        return []
    return [Error(problem[0].upper() + problem[1:], id="landkreis.E001")]


def start_problems() -> list[str]:
    """Why the web process must not start in production (empty: it may)."""
    if settings.DEBUG:
        return []
    return [p for p in (static_files_problem(), demo_accounts_problem()) if p]
