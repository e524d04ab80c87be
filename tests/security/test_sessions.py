"""Sessions: a password change signs out every other session; sessions end with the browser."""

import pytest
from django.conf import settings
from django.test import Client

from accounts.testing import enrol_device, force_login_verified, totp_code


def test_sessions_last_at_most_eight_hours_and_end_with_the_browser():
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_HTTPONLY is True


def test_login_cookie_has_no_lifetime_of_its_own(client, editor):
    response = client.post("/accounts/login/", {"username": "redaktion", "password": "demo-passwort"})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == "" and cookie["max-age"] == ""
    assert cookie["httponly"] is True and cookie["samesite"] == "Lax"


def change_password(client):
    return client.post(
        "/accounts/password/",
        {
            "old_password": "demo-passwort",
            "new_password1": "Kreishaus-Fenster-2026",
            "new_password2": "Kreishaus-Fenster-2026",
        },
    )


def test_password_change_signs_out_the_other_sessions_and_keeps_this_one(editor):
    laptop, office = Client(), Client()
    for browser in (laptop, office):
        browser.post("/accounts/login/", {"username": "redaktion", "password": "demo-passwort"})
        assert browser.get("/").status_code == 200
    response = change_password(laptop)
    assert response.status_code == 302 and response["Location"] == "/accounts/password/done/"
    assert laptop.get("/").status_code == 200
    response = office.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.usefixtures("two_factor_required")
def test_password_change_keeps_the_second_factor_of_this_session(coordinator):
    enrol_device(coordinator)
    laptop = Client()
    force_login_verified(laptop, coordinator)
    assert change_password(laptop).status_code == 302
    assert laptop.get("/").status_code == 200
    # Signing in again needs the new password and, still, the code.
    again = Client()
    response = again.post(
        "/accounts/login/", {"username": "koordination", "password": "Kreishaus-Fenster-2026"}
    )
    assert response.status_code == 302
    assert again.get("/")["Location"] == "/accounts/2fa/"
    device = coordinator.totpdevice_set.get()
    assert again.post("/accounts/2fa/", {"code": totp_code(device)})["Location"] == "/"
