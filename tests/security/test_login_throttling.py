"""Login throttling (django-axes): 5 failures for one user name from one address lock it for 15 minutes."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.utils import timezone

from accounts.throttling import client_ip

pytestmark = pytest.mark.usefixtures("axes_on")

LOCKED = (
    "Zu viele fehlgeschlagene Anmeldeversuche. Die Anmeldung mit diesem Benutzernamen ist von diesem "
    "Gerät aus für 15 Minuten gesperrt."
)
WRONG = "Bitte Benutzername und Passwort eingeben"


def attempt(client, username, password, path="/accounts/login/", **extra):
    return client.post(path, {"username": username, "password": password}, **extra)


def fail(client, username, times, **extra):
    return [attempt(client, username, "falsch", **extra) for _ in range(times)]


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_four_failures_are_ordinary_errors_the_fifth_locks_with_a_german_message(client, editor):
    for response in fail(client, "redaktion", 4):
        assert response.status_code == 200
        html = response.content.decode()
        assert WRONG in html and LOCKED not in html
    response = attempt(client, "redaktion", "falsch")
    assert response.status_code == 429
    html = response.content.decode()
    # The login page itself, with the reason above the form and the user name still filled in.
    assert '<h1 class="h3 mb-3">Anmelden</h1>' in html
    assert '<div class="alert alert-danger" role="alert" id="login-errors">' in html
    assert LOCKED in html
    assert 'value="redaktion"' in html and 'aria-describedby="login-errors"' in html
    assert 'for="id_password"' in html


def test_while_locked_even_the_right_password_is_refused(client, editor):
    fail(client, "redaktion", 5)
    response = attempt(client, "redaktion", "demo-passwort")
    assert response.status_code == 429 and LOCKED in response.content.decode()
    assert not logged_in(client)


def test_lock_is_per_user_name_and_address(client, editor, outsider):
    fail(client, "redaktion", 5)
    other_user = attempt(client, "redaktion2", "demo-passwort")
    assert other_user.status_code == 302 and logged_in(client)
    client.post("/accounts/logout/")
    other_address = attempt(client, "redaktion", "demo-passwort", REMOTE_ADDR="10.1.2.3")
    assert other_address.status_code == 302 and logged_in(client)


def test_lock_ends_after_fifteen_minutes(client, editor):
    fail(client, "redaktion", 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=14))
    assert attempt(client, "redaktion", "demo-passwort").status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    response = attempt(client, "redaktion", "demo-passwort")
    assert response.status_code == 302 and logged_in(client)


def test_successful_login_resets_the_count(client, editor):
    fail(client, "redaktion", 4)
    assert attempt(client, "redaktion", "demo-passwort").status_code == 302
    client.post("/accounts/logout/")
    assert all(r.status_code == 200 for r in fail(client, "redaktion", 4))
    assert attempt(client, "redaktion", "falsch").status_code == 429


def test_admin_login_counts_and_locks_too(client, admin_user):
    fail(client, "admin", 4, path="/admin/login/")
    response = attempt(client, "admin", "falsch", path="/admin/login/")
    assert response.status_code == 429 and LOCKED in response.content.decode()
    assert attempt(client, "admin", "demo-passwort").status_code == 429


def test_administrator_can_unlock_with_the_axes_command(client, editor):
    fail(client, "redaktion", 5)
    call_command("axes_reset_username", "redaktion", verbosity=0)
    assert attempt(client, "redaktion", "demo-passwort").status_code == 302


def test_behind_the_proxy_the_address_is_the_one_the_proxy_appended(rf, settings, client, editor):
    settings.BEHIND_PROXY = False
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6", REMOTE_ADDR="10.0.0.2")
    assert client_ip(request) == "10.0.0.2"
    settings.BEHIND_PROXY = True
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7", REMOTE_ADDR="10.0.0.2")
    assert client_ip(request) == "203.0.113.7"
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"
    # End to end: one attacker behind the proxy does not lock out a colleague behind the same proxy.
    fail(client, "redaktion", 5, HTTP_X_FORWARDED_FOR="203.0.113.7", REMOTE_ADDR="10.0.0.2")
    assert (
        attempt(client, "redaktion", "demo-passwort", HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
    )
    # A forged left-most entry does not help the attacker either.
    forged = attempt(
        client,
        "redaktion",
        "demo-passwort",
        HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7",
        REMOTE_ADDR="10.0.0.2",
    )
    assert forged.status_code == 429
    colleague = attempt(
        client, "redaktion", "demo-passwort", HTTP_X_FORWARDED_FOR="198.51.100.20", REMOTE_ADDR="10.0.0.2"
    )
    assert colleague.status_code == 302


def test_only_failures_are_stored(client, editor):
    from axes.models import AccessLog

    attempt(client, "redaktion", "falsch")
    attempt(client, "redaktion", "demo-passwort")
    assert AccessLog.objects.count() == 0
