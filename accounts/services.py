"""Writes for the second factor. Every change is audited; secrets (keys, codes) never are."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEvent
from audit.services import audit_record

from . import policy

BACKUP_CODE_COUNT = 10
DEVICE_NAME = "Authenticator-App"
BACKUP_DEVICE_NAME = "Backup-Codes"


def _new_backup_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _i in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def _delete_devices(user) -> tuple[int, int]:
    """Remove every authenticator and backup-code device of ``user``; returns how many of each."""
    totp = TOTPDevice.objects.filter(user=user).count()
    static = StaticDevice.objects.filter(user=user).count()
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    return totp, static


@transaction.atomic
def second_factor_enrol(*, actor, user, key: str, last_t: int = -1) -> tuple[TOTPDevice, list[str]]:
    """Give ``user`` the authenticator with hex ``key`` (replacing an old one) and fresh backup codes.

    ``last_t`` is the time step of the code that confirmed the key, so that the same code cannot be
    used once more to sign in. Returns the device and the backup codes (shown once, stored only here).
    """
    replaced = _delete_devices(user)[0] > 0
    device = TOTPDevice(user=user, name=DEVICE_NAME, key=key, confirmed=True, last_t=last_t)
    device.full_clean(exclude=["user"])
    device.save()
    codes = _new_backup_codes(user)
    audit_record(
        actor=actor,
        verb="second_factor.enrolled",
        obj=user,
        after={"device": DEVICE_NAME, "replaced": replaced, "backup_codes": len(codes)},
    )
    return device, codes


@transaction.atomic
def second_factor_backup_codes_renew(*, actor, user) -> list[str]:
    """New backup codes for ``user``; the old ones stop working."""
    if not policy.has_device(user):
        raise ValidationError(_("Set up an authenticator app first."), code="no_device")
    codes = _new_backup_codes(user)
    audit_record(
        actor=actor, verb="second_factor.backup_codes_renewed", obj=user, after={"backup_codes": len(codes)}
    )
    return codes


@transaction.atomic
def second_factor_disable(*, actor, user) -> None:
    """The user turns off a voluntary second factor. Refused where the role requires one."""
    if policy.is_required_for(user):
        raise ValidationError(
            _("Your role requires a second factor; it cannot be turned off."), code="required"
        )
    if sum(_delete_devices(user)) == 0:
        raise ValidationError(_("There is no second factor to turn off."), code="no_device")
    audit_record(actor=actor, verb="second_factor.disabled", obj=user)


@transaction.atomic
def second_factor_reset(*, actor, user) -> bool:
    """An administrator removes the user's authenticator and backup codes (lost phone).

    The user's sessions lose their verification at once (django-otp finds the device gone); users
    whose role requires a second factor set up a new one at their next request. Returns whether
    there was anything to remove; only then is the reset audited.
    """
    had_devices = sum(_delete_devices(user)) > 0
    if had_devices:
        audit_record(actor=actor, verb="second_factor.reset", obj=user)
    return had_devices


# --- enrolment codes (issue 14) -----------------------------------------------------------------------
# A user whose role requires a second factor and who has none (new, or after a reset) sets one up only
# with a one-time code an administrator issued: otherwise anyone who knew the password could enrol their
# own phone. The code is signed (user, the audit event that issued it) and expires; it is spent when
# the user enrols or a newer code is issued (both write a later second_factor event for the user).
ENROLMENT_SALT = "accounts.second_factor.enrolment"
ENROLMENT_EVENTS = ("second_factor.enrolment_code_issued", "second_factor.enrolled")


@transaction.atomic
def second_factor_enrolment_code_issue(*, actor, user) -> str:
    """A new enrolment code for ``user`` (shown once to the administrator; older ones stop working)."""
    hours = settings.TWO_FACTOR_ENROLMENT_CODE_SECONDS / 3600
    event = audit_record(
        actor=actor, verb="second_factor.enrolment_code_issued", obj=user, after={"valid_hours": hours}
    )
    return signing.dumps({"u": user.pk, "e": event.pk}, salt=ENROLMENT_SALT, compress=True)


def second_factor_enrolment_code_valid(user, code: str) -> bool:
    try:
        data = signing.loads(
            (code or "").strip(), salt=ENROLMENT_SALT, max_age=settings.TWO_FACTOR_ENROLMENT_CODE_SECONDS
        )
    except (signing.BadSignature, ValueError):
        return False
    if not isinstance(data, dict) or data.get("u") != user.pk:
        return False
    latest = (
        AuditEvent.objects.filter(
            object_type=user._meta.label_lower, object_id=str(user.pk), verb__in=ENROLMENT_EVENTS
        )
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    return latest == data.get("e")
