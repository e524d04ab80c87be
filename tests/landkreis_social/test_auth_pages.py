"""German auth pages; every demo user logs in and sees their departments and roles."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


@pytest.fixture
def demo(db):
    call_command("seed_demo", "--force", verbosity=0)


def test_login_page_is_german_with_skip_link_and_language_switch(client, db):
    html = client.get("/accounts/login/").content.decode()
    assert '<html lang="de">' in html
    assert '<h1 class="h3 mb-3">Anmelden</h1>' in html
    assert 'href="#main"' in html and "Zum Inhalt springen" in html
    assert 'action="/i18n/setlang/"' in html
    assert 'for="id_username"' in html and 'for="id_password"' in html


def test_english_can_be_chosen(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"}, follow=True)
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert ">Log in</h1>" in html


def test_wrong_password_shows_a_german_error_and_keeps_the_user_name(client, demo):
    response = client.post("/accounts/login/", {"username": "redaktion", "password": "falsch"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Bitte Benutzername und Passwort eingeben" in html
    assert 'value="redaktion"' in html


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("redaktion", ["Gesundheitsamt", "Redaktion"]),
        ("redaktion2", ["Straßenverkehrsamt", "Redaktion"]),
        ("leitung", ["Gesundheitsamt", "Fachbereichsleitung"]),
        ("koordination", ["Koordination"]),
        ("presse", ["Pressestelle"]),
        ("admin", ["Administration"]),
    ],
)
def test_every_demo_user_logs_in_and_sees_their_roles(client, demo, username, expected):
    from django.contrib.auth import get_user_model

    from accounts.demo import DEMO_TOTP_USERS
    from accounts.testing import fresh_totp_code

    response = client.post(
        "/accounts/login/", {"username": username, "password": "demo-passwort"}, follow=True
    )
    if username in DEMO_TOTP_USERS:
        # The demo gives these roles a second factor (README, "Demo logins"): the code page comes next.
        assert response.redirect_chain[-1][0] == "/accounts/2fa/"
        code = fresh_totp_code(get_user_model().objects.get(username=username))
        response = client.post("/accounts/2fa/", {"code": code}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    html = response.content.decode()
    roles_section = html.split('id="my-roles"', 1)[1].split("</ul>", 1)[0]
    for text in expected:
        assert text in roles_section


def test_home_requires_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_logout_is_a_post_and_returns_to_login(client, demo):
    client.login(username="redaktion", password="demo-passwort")
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_password_change_in_german(client, demo):
    client.login(username="redaktion", password="demo-passwort")
    html = client.get("/accounts/password/").content.decode()
    assert "Passwort ändern" in html
    response = client.post(
        "/accounts/password/",
        {
            "old_password": "demo-passwort",
            "new_password1": "kurz",
            "new_password2": "kurz",
        },
    )
    assert "Dieses Passwort ist zu kurz" in response.content.decode()


def test_seed_demo_is_idempotent(demo):
    from django.contrib.auth import get_user_model

    from departments.models import Department, Membership

    counts = (Department.objects.count(), get_user_model().objects.count(), Membership.objects.count())
    call_command("seed_demo", "--force", verbosity=0)
    assert (
        Department.objects.count(),
        get_user_model().objects.count(),
        Membership.objects.count(),
    ) == counts
    assert counts[0] >= 8


def test_seed_demo_refuses_without_debug(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        call_command("seed_demo", verbosity=0)
