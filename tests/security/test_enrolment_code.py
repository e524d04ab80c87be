"""Setting up the first authenticator of a role that requires one needs a one-time enrolment code an
administrator issued (issue 14): before, anyone who knew the password of a new Koordination account (or
of one after a reset) could connect their own phone."""

from __future__ import annotations

from binascii import unhexlify

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import policy, services
from accounts.testing import enrol_device, force_login_verified, grant_enrolment
from audit.models import AuditEvent

pytestmark = pytest.mark.usefixtures("two_factor_required")
SETUP = "/accounts/2fa/setup/"


def login(client, user):
    response = client.post("/accounts/login/", {"username": user.username, "password": "demo-passwort"})
    assert response.status_code == 302


def current_code(client) -> str:
    return f"{TOTP(unhexlify(client.session[policy.SESSION_ENROL_KEY])).token():06d}"


def test_the_password_alone_does_not_set_up_an_authenticator(client, coordinator):
    login(client, coordinator)
    page = client.get(SETUP)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Einrichtungscode" in html and 'id="enrol-key"' not in html
    assert policy.SESSION_ENROL_KEY not in client.session  # no key handed out
    client.post(SETUP, {"code": "123456"})
    assert not TOTPDevice.objects.filter(user=coordinator).exists()


def test_with_the_administrations_code_the_user_sets_it_up_and_the_code_is_spent(
    client, coordinator, admin_user
):
    code = services.second_factor_enrolment_code_issue(actor=admin_user, user=coordinator)
    login(client, coordinator)
    assert client.get(SETUP, {"enrolment_code": code}).status_code == 302
    assert 'id="enrol-key"' in client.get(SETUP).content.decode()
    client.post(SETUP, {"code": current_code(client)})
    assert TOTPDevice.objects.filter(user=coordinator, confirmed=True).exists()
    # Lost phone: reset. The old code does not work again.
    services.second_factor_reset(actor=admin_user, user=coordinator)
    client.logout()
    login(client, coordinator)
    response = client.get(SETUP, {"enrolment_code": code})
    assert response.status_code == 400 and "nicht (mehr) gültig" in response.content.decode()
    assert 'id="enrol-key"' not in response.content.decode()


def test_a_code_is_for_one_user_expires_and_is_replaced_by_a_newer_one(
    client, coordinator, press, admin_user, settings
):
    for_press = services.second_factor_enrolment_code_issue(actor=admin_user, user=press)
    older = services.second_factor_enrolment_code_issue(actor=admin_user, user=coordinator)
    newer = services.second_factor_enrolment_code_issue(actor=admin_user, user=coordinator)
    assert not services.second_factor_enrolment_code_valid(coordinator, for_press)
    assert not services.second_factor_enrolment_code_valid(coordinator, older)
    assert services.second_factor_enrolment_code_valid(coordinator, newer)
    assert not services.second_factor_enrolment_code_valid(coordinator, newer + "x")
    settings.TWO_FACTOR_ENROLMENT_CODE_SECONDS = -1  # expired
    assert not services.second_factor_enrolment_code_valid(coordinator, newer)


def test_the_admin_action_shows_the_link_once_and_audits_without_the_code(client, admin_user, coordinator):
    enrol_device(admin_user)
    force_login_verified(client, admin_user)
    response = client.post(
        "/admin/auth/user/",
        {"action": "issue_enrolment_code", "_selected_action": [coordinator.pk]},
        follow=True,
    )
    shown = " ".join(str(m) for m in response.context["messages"])
    assert "/accounts/2fa/setup/?enrolment_code=" in shown
    code = shown.split("enrolment_code=")[1].split()[0]
    from urllib.parse import unquote

    assert services.second_factor_enrolment_code_valid(coordinator, unquote(code))
    event = AuditEvent.objects.get(verb="second_factor.enrolment_code_issued")
    assert unquote(code) not in str(event.after) and event.object_id == str(coordinator.pk)


def test_the_grant_helper_lets_tests_enrol(client, coordinator):
    login(client, coordinator)
    grant_enrolment(client, coordinator)
    assert 'id="enrol-key"' in client.get(SETUP).content.decode()
