"""Who must sign in with a second factor, and what the session remembers about it.

A second factor is required for the county-wide roles (Koordination, Pressestelle, Administration;
superusers count as Administration) while ``settings.TWO_FACTOR_REQUIRED`` is on. Anybody else may
set one up voluntarily; once a user has a confirmed device, every login asks for a code, whatever
the setting says.
"""

from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from departments import roles

REQUIRED_ROLES = frozenset({roles.KOORDINATION, roles.PRESSESTELLE, roles.ADMINISTRATION})

# Set at login (``signals``) and kept up to date by the views: does this user have a confirmed
# authenticator? Saves the middleware a query on every request.
SESSION_HAS_DEVICE = "accounts_has_second_factor"
# The key shown during setup, until the user confirms it with a code.
SESSION_ENROL_KEY = "accounts_enrol_key"
# The user id whose enrolment code this session showed (issue 14: no enrolment on the password alone).
SESSION_ENROL_GRANTED = "accounts_enrol_granted"
# Backup codes, shown once on the page after they were made.
SESSION_NEW_BACKUP_CODES = "accounts_new_backup_codes"


def is_required_for(user) -> bool:
    """The user's role demands a second factor (and the installation enforces it)."""
    if not settings.TWO_FACTOR_REQUIRED or not user.is_authenticated:
        return False
    return bool(roles.user_groups(user) & REQUIRED_ROLES)


def totp_device_of(user) -> TOTPDevice | None:
    """The user's confirmed authenticator (there is at most one; setup replaces the old one)."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("-pk").first()


def has_device(user) -> bool:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()
