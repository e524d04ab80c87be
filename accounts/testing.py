"""Helpers for tests (and the demo) that sign in users with a second factor.

Test settings turn ``TWO_FACTOR_REQUIRED`` off, so ``client.force_login(coordinator)`` works as
usual for the test cast (nobody there has an authenticator). Users that do have one (the
``seed_demo`` users koordination, presse, admin, or anyone after ``enrol_device``) need a verified
session: ``force_login_verified(client, user)`` for the test client, or enter
``fresh_totp_code(user)`` on the code page in a browser test.
"""

from __future__ import annotations

import time

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP, hotp
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from . import policy, services


def totp_code(device: TOTPDevice, at: float | None = None) -> str:
    """The code the user's app shows now (or at Unix time ``at``)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if at is not None:
        totp.time = at
    return f"{totp.token():0{device.digits}d}"


def fresh_totp_code(user_or_device) -> str:
    """A code the server will still accept: not used before (django-otp refuses a time step twice).

    Takes the oldest acceptable past or current time step after the last used one (never a future
    one, which would make django-otp shift the device's drift); waits for the next 30-second step
    when they are used up.
    """
    device = (
        user_or_device if isinstance(user_or_device, TOTPDevice) else policy.totp_device_of(user_or_device)
    )
    if device is None:
        raise ValueError(f"{user_or_device} has no authenticator")
    device.refresh_from_db()
    while True:
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        now_t = totp.t()
        for t in range(now_t - device.tolerance, now_t + 1):
            if t > device.last_t:
                return f"{hotp(device.bin_key, t, digits=device.digits):0{device.digits}d}"
        time.sleep(1)


def enrol_device(user, key: str | None = None) -> TOTPDevice:
    """Give ``user`` a confirmed authenticator (and backup codes) through the service."""
    device, _codes = services.second_factor_enrol(actor=None, user=user, key=key or random_hex(20))
    return device


def force_login_verified(client, user) -> None:
    """``client.force_login`` plus a session that passed the second factor (if the user has one)."""
    client.force_login(user)
    device = policy.totp_device_of(user)
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


def grant_enrolment(client, user) -> None:
    """What the user does with the enrolment link an administrator issued (required roles need one to
    set up their first authenticator): the session may then enrol."""
    code = services.second_factor_enrolment_code_issue(actor=None, user=user)
    response = client.get("/accounts/2fa/setup/", {"enrolment_code": code})
    if response.status_code != 302:
        raise RuntimeError(f"the enrolment code was refused: {response.status_code}")
