"""Second factor (TOTP with backup codes) for Koordination, Pressestelle and Administration."""

import re
from binascii import unhexlify

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import resolve
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import policy
from accounts.middleware import EXEMPT_VIEWS
from accounts.testing import (
    enrol_device,
    force_login_verified,
    fresh_totp_code,
    grant_enrolment,
    totp_code,
)
from audit.models import AuditEvent

from .url_walk import concrete_paths

pytestmark = pytest.mark.usefixtures("two_factor_required")


def login(client, user):
    response = client.post("/accounts/login/", {"username": user.username, "password": "demo-passwort"})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


def enrol_key(client) -> str:
    return client.session[policy.SESSION_ENROL_KEY]


def code_for_key(hex_key: str) -> str:
    return f"{TOTP(unhexlify(hex_key)).token():06d}"


def field_error(html: str) -> str:
    match = re.search(r'<div class="invalid-feedback" id="id_code-error">(.*?)</div>', html, re.S)
    assert match, "no error next to the code field"
    return match.group(1).strip()


# --- Who is asked ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["coordinator", "press", "admin_user"])
def test_required_roles_without_device_are_sent_to_setup_from_every_page(client, request, who):
    """Walks every URL pattern of the project, so pages added later are covered too."""
    user = request.getfixturevalue(who)
    client.force_login(user)
    paths = list(concrete_paths())
    assert len(paths) > 20 and "/admin/auth/user/" in paths
    checked = 0
    for path in paths:
        if resolve(path).view_name in EXEMPT_VIEWS:
            continue
        for method in (client.get, client.post):
            response = method(path)
            assert response.status_code == 302, (method.__name__, path, response.status_code)
            assert response["Location"].startswith("/accounts/2fa/setup/"), (path, response["Location"])
        checked += 1
    assert checked == len(paths) - len(EXEMPT_VIEWS)


def test_the_way_out_and_the_basics_stay_reachable_before_verification(client, coordinator):
    client.force_login(coordinator)
    assert client.get("/health/").status_code in (200, 503)
    assert client.get("/accounts/2fa/setup/").status_code == 200
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/2fa/setup/"})
    assert response["Location"] == "/accounts/2fa/setup/"
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session


def test_editor_is_not_asked_and_setting_off_asks_nobody_without_a_device(
    client, editor, coordinator, settings
):
    client.force_login(editor)
    assert client.get("/").status_code == 200
    settings.TWO_FACTOR_REQUIRED = False
    client.force_login(coordinator)
    assert client.get("/").status_code == 200


def test_a_device_is_asked_for_even_when_the_setting_is_off(client, editor, settings):
    settings.TWO_FACTOR_REQUIRED = False
    enrol_device(editor)
    login(client, editor)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/"


def test_middleware_costs_no_query_for_users_without_second_factor(rf, editor, django_assert_num_queries):
    """Other apps count queries with force_login'd users: the check must be free for them."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.urls import resolve

    from accounts.middleware import SecondFactorMiddleware

    request = rf.get("/")
    request.user = editor
    request.session = SessionStore()
    request.session[policy.SESSION_HAS_DEVICE] = False
    request.resolver_match = resolve("/")
    editor.groups.all()  # a page loads the groups anyway (navigation); the roles check reuses them
    from departments import roles

    roles.user_groups(editor)
    with django_assert_num_queries(0):
        assert SecondFactorMiddleware(lambda r: None).process_view(request, None, (), {}) is None


def test_htmx_requests_are_told_to_load_the_code_page(client, coordinator):
    client.force_login(coordinator)
    response = client.get("/", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/accounts/2fa/setup/"


# --- Setup -------------------------------------------------------------------------------------------


def test_setup_page_shows_qr_code_and_key_in_german_with_an_accessible_code_field(client, coordinator):
    client.force_login(coordinator)
    grant_enrolment(client, coordinator)  # the administration's one-time code
    html = client.get("/accounts/2fa/setup/").content.decode()
    assert "<h1" in html and "Zwei-Faktor-Anmeldung einrichten" in html
    assert "Ihre Rolle verlangt einen zweiten Faktor" in html
    assert re.search(
        r'<img src="data:image/svg\+xml;charset=utf-8,[^"]+" alt="QR-Code für die Authenticator-App', html
    )
    key = enrol_key(client)
    from base64 import b32encode

    manual = b32encode(unhexlify(key)).decode()
    shown = re.search(r'<code class="fs-5 user-select-all" id="enrol-key">([A-Z2-7 ]+)</code>', html).group(1)
    assert shown.replace(" ", "") == manual
    assert '<label class="form-label" for="id_code">6-stelliger Code</label>' in html
    assert 'inputmode="numeric"' in html and 'autocomplete="one-time-code"' in html
    assert 'aria-describedby="id_code-help"' in html
    # The key stays the same while the page is reloaded (the app may already have it).
    client.get("/accounts/2fa/setup/")
    assert enrol_key(client) == key


def test_wrong_setup_code_is_explained_next_to_the_field_and_kept(client, coordinator):
    client.force_login(coordinator)
    grant_enrolment(client, coordinator)  # the administration's one-time code
    client.get("/accounts/2fa/setup/")
    response = client.post("/accounts/2fa/setup/", {"code": "12345"})
    html = response.content.decode()
    assert response.status_code == 200
    assert field_error(html) == "Der Code hat 6 Ziffern, z. B. 123456."
    assert 'value="12345"' in html and 'aria-invalid="true"' in html
    assert 'aria-describedby="id_code-error id_code-help"' in html
    wrong = f"{(int(code_for_key(enrol_key(client))) + 1) % 1_000_000:06d}"
    html = client.post("/accounts/2fa/setup/", {"code": wrong}).content.decode()
    assert "Dieser Code passt nicht" in field_error(html)
    assert not TOTPDevice.objects.filter(user=coordinator).exists()


def test_setup_with_the_right_code_turns_it_on_shows_backup_codes_once_and_is_audited(client, coordinator):
    client.force_login(coordinator)
    grant_enrolment(client, coordinator)  # the administration's one-time code
    client.get("/accounts/2fa/setup/?next=/accounts/security/")
    key = enrol_key(client)
    response = client.post("/accounts/2fa/setup/", {"code": code_for_key(key), "next": "/accounts/security/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/backup-codes/?next=%2Faccounts%2Fsecurity%2F"
    device = TOTPDevice.objects.get(user=coordinator)
    assert device.confirmed and device.key == key
    html = client.get(response["Location"]).content.decode()
    shown = re.findall(r'<li class="col">([a-z2-7]{8})</li>', html)
    stored = set(StaticToken.objects.filter(device__user=coordinator).values_list("token", flat=True))
    assert len(shown) == 10 and set(shown) == stored
    assert 'href="/accounts/security/"' in html
    again = client.get("/accounts/2fa/backup-codes/").content.decode()
    assert not re.findall(r'<li class="col">([a-z2-7]{8})</li>', again)
    assert "nur einmal angezeigt" in again
    # The session is verified now: the pages open.
    assert client.get("/").status_code == 200
    event = AuditEvent.objects.get(verb="second_factor.enrolled")
    assert event.actor == coordinator and event.object_id == str(coordinator.pk)
    assert key not in str(event.after) and not (stored & set(str(event.after).split()))


def test_without_verification_the_authenticator_cannot_be_replaced(client, coordinator):
    enrol_device(coordinator)
    login(client, coordinator)
    response = client.get("/accounts/2fa/setup/")
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/"
    response = client.post("/accounts/2fa/setup/", {"code": "123456"})
    assert response["Location"] == "/accounts/2fa/"
    assert TOTPDevice.objects.filter(user=coordinator).count() == 1


def test_verified_user_replaces_the_authenticator(client, coordinator):
    old = enrol_device(coordinator)
    old_codes = set(StaticToken.objects.filter(device__user=coordinator).values_list("token", flat=True))
    force_login_verified(client, coordinator)
    html = client.get("/accounts/2fa/setup/").content.decode()
    assert "Authenticator-App ersetzen" in html and "gelten die alte App" in html
    client.post("/accounts/2fa/setup/", {"code": code_for_key(enrol_key(client))})
    device = TOTPDevice.objects.get(user=coordinator)
    assert device.pk != old.pk
    new_codes = set(StaticToken.objects.filter(device__user=coordinator).values_list("token", flat=True))
    assert len(new_codes) == 10 and not (new_codes & old_codes)
    assert AuditEvent.objects.filter(verb="second_factor.enrolled").last().after["replaced"] is True


# --- Signing in with a code --------------------------------------------------------------------------


def test_password_then_code_then_the_page_asked_for(client, coordinator):
    device = enrol_device(coordinator)
    client.get("/accounts/security/")  # anonymous: to the login page first
    response = client.post(
        "/accounts/login/?next=/accounts/security/",
        {"username": "koordination", "password": "demo-passwort", "next": "/accounts/security/"},
    )
    assert response["Location"] == "/accounts/security/"
    response = client.get("/accounts/security/")
    assert response["Location"] == "/accounts/2fa/?next=%2Faccounts%2Fsecurity%2F"
    html = client.get(response["Location"]).content.decode()
    assert "Zwei-Faktor-Anmeldung" in html and 'autocomplete="one-time-code"' in html
    assert '<input type="hidden" name="next" value="/accounts/security/">' in html
    response = client.post("/accounts/2fa/", {"code": totp_code(device), "next": "/accounts/security/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/security/"
    assert client.get("/accounts/security/").status_code == 200


def test_verification_gives_the_session_a_new_id(client, coordinator):
    device = enrol_device(coordinator)
    login(client, coordinator)
    before = client.session.session_key
    client.post("/accounts/2fa/", {"code": totp_code(device)})
    assert client.session.session_key != before
    assert client.get("/").status_code == 200


def test_next_must_stay_on_this_site(client, coordinator):
    device = enrol_device(coordinator)
    login(client, coordinator)
    response = client.post("/accounts/2fa/", {"code": totp_code(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_wrong_code_is_explained_and_the_same_code_cannot_be_used_twice(client, coordinator, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # this test is about replay, not about waiting
    device = enrol_device(coordinator)
    login(client, coordinator)
    html = client.post("/accounts/2fa/", {"code": "abc"}).content.decode()
    assert field_error(html) == "Der Code hat 6 Ziffern, z. B. 123456."
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
    html = client.post("/accounts/2fa/", {"code": wrong}).content.decode()
    assert (
        field_error(html) == "Dieser Code ist ungültig. Geben Sie den Code ein, den Ihre App jetzt anzeigt."
    )
    assert f'value="{wrong}"' in html
    code = fresh_totp_code(coordinator)
    assert client.post("/accounts/2fa/", {"code": code})["Location"] == "/"
    other = type(client)()
    login(other, coordinator)
    html = other.post("/accounts/2fa/", {"code": code}).content.decode()
    assert "ungültig" in field_error(html)


def test_wrong_codes_make_the_next_try_wait(client, coordinator, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 30  # production: 1 s, doubling; large here so timing cannot flake
    device = enrol_device(coordinator)
    login(client, coordinator)
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
    client.post("/accounts/2fa/", {"code": wrong})
    html = client.post("/accounts/2fa/", {"code": fresh_totp_code(device)}).content.decode()
    seconds = re.fullmatch(
        r"Zu viele falsche Codes\. Bitte warten Sie (\d+) Sekunden und versuchen Sie es dann erneut\.",
        field_error(html),
    ).group(1)
    assert 25 <= int(seconds) <= 30
    assert client.get("/").status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 1


def test_backup_code_signs_in_once(client, coordinator):
    enrol_device(coordinator)
    token = StaticToken.objects.filter(device__user=coordinator).first().token
    login(client, coordinator)
    html = client.get("/accounts/2fa/").content.decode()
    assert 'href="/accounts/2fa/backup/"' in html
    html = client.get("/accounts/2fa/backup/").content.decode()
    assert "Backup-Code" in html and 'inputmode="numeric"' not in html
    response = client.post("/accounts/2fa/backup/", {"code": token.upper()})
    assert response["Location"] == "/"
    home = client.get("/", follow=True).content.decode()
    assert "mit einem Backup-Code angemeldet; 9 sind noch übrig" in home
    other = type(client)()
    login(other, coordinator)
    html = other.post("/accounts/2fa/backup/", {"code": token}).content.decode()
    assert field_error(html) == "Dieser Backup-Code ist ungültig oder wurde schon verwendet."


def test_logging_out_ends_the_verification(client, coordinator):
    device = enrol_device(coordinator)
    login(client, coordinator)
    client.post("/accounts/2fa/", {"code": totp_code(device)})
    assert client.get("/").status_code == 200
    client.post("/accounts/logout/")
    login(client, coordinator)
    assert client.get("/")["Location"] == "/accounts/2fa/"


# --- Security page, voluntary use, backup-code renewal, turning it off -------------------------------


def test_editor_sets_it_up_voluntarily_and_turns_it_off_again(client, editor):
    client.force_login(editor)
    html = client.get("/accounts/security/").content.decode()
    assert "Status: ausgeschaltet." in html and 'href="/accounts/2fa/setup/"' in html
    assert 'href="/accounts/security/"' in client.get("/").content.decode()  # the navbar link
    client.get("/accounts/2fa/setup/")
    html = client.get("/accounts/2fa/setup/").content.decode()
    assert "Ihre Rolle verlangt" not in html
    client.post("/accounts/2fa/setup/", {"code": code_for_key(enrol_key(client))})
    html = client.get("/accounts/security/").content.decode()
    assert "Status: eingeschaltet." in html and "10 Backup-Codes übrig." in html
    assert "Zwei-Faktor-Anmeldung ausschalten" in html
    response = client.post("/accounts/2fa/off/", follow=True)
    assert "Die Zwei-Faktor-Anmeldung ist ausgeschaltet." in response.content.decode()
    assert not TOTPDevice.objects.filter(user=editor).exists()
    assert not StaticDevice.objects.filter(user=editor).exists()
    assert AuditEvent.objects.filter(verb="second_factor.disabled", actor=editor).count() == 1
    client.post("/accounts/logout/")
    login(client, editor)
    assert client.get("/").status_code == 200


def test_required_roles_cannot_turn_it_off(client, coordinator):
    enrol_device(coordinator)
    force_login_verified(client, coordinator)
    html = client.get("/accounts/security/").content.decode()
    assert "Ihre Rolle verlangt die Zwei-Faktor-Anmeldung" in html
    assert 'action="/accounts/2fa/off/"' not in html
    html = client.post("/accounts/2fa/off/", follow=True).content.decode()
    assert "Ihre Rolle verlangt einen zweiten Faktor; er kann nicht ausgeschaltet werden." in html
    assert TOTPDevice.objects.filter(user=coordinator).exists()


def test_new_backup_codes_replace_the_old_ones(client, coordinator):
    enrol_device(coordinator)
    old = set(StaticToken.objects.filter(device__user=coordinator).values_list("token", flat=True))
    force_login_verified(client, coordinator)
    response = client.post("/accounts/2fa/backup-codes/new/")
    html = client.get(response["Location"]).content.decode()
    shown = set(re.findall(r'<li class="col">([a-z2-7]{8})</li>', html))
    assert len(shown) == 10 and not (shown & old)
    assert shown == set(StaticToken.objects.filter(device__user=coordinator).values_list("token", flat=True))
    assert AuditEvent.objects.filter(verb="second_factor.backup_codes_renewed").count() == 1


# --- Administration ----------------------------------------------------------------------------------


def test_admin_resets_a_lost_phone_audited_and_the_users_sessions_lose_verification(
    client, admin_user, coordinator, editor
):
    enrol_device(admin_user)
    enrol_device(coordinator)
    victim = type(client)()
    force_login_verified(victim, coordinator)
    assert victim.get("/").status_code == 200

    force_login_verified(client, admin_user)
    changelist = client.get("/admin/auth/user/").content.decode()
    assert "reset_second_factor" in changelist
    response = client.post(
        "/admin/auth/user/",
        {"action": "reset_second_factor", "_selected_action": [coordinator.pk, editor.pk]},
        follow=True,
    )
    html = response.content.decode()
    assert "Zwei-Faktor-Anmeldung für 1 Person zurückgesetzt." in html
    assert "1 Person hatte keinen zweiten Faktor zum Zurücksetzen." in html
    assert not TOTPDevice.objects.filter(user=coordinator).exists()
    assert not StaticDevice.objects.filter(user=coordinator).exists()
    event = AuditEvent.objects.get(verb="second_factor.reset")
    assert event.actor == admin_user and event.object_id == str(coordinator.pk)

    response = victim.get("/")
    assert response.status_code == 302
    assert victim.get(response["Location"], follow=True).redirect_chain[-1][0] == "/accounts/2fa/setup/"


def test_device_admins_of_django_otp_are_not_offered(client, admin_user):
    enrol_device(admin_user)
    force_login_verified(client, admin_user)
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert client.get("/admin/otp_static/staticdevice/").status_code == 404


# --- Demo --------------------------------------------------------------------------------------------


def test_demo_users_get_the_documented_key_and_demo_totp_prints_their_code(db, capsys, settings):
    from accounts.demo import DEMO_TOTP_SECRET, demo_key_hex

    call_command("seed_demo", "--force", verbosity=0)
    call_command("seed_demo", "--force", verbosity=0)
    devices = TOTPDevice.objects.filter(confirmed=True).select_related("user")
    assert sorted(d.user.username for d in devices) == ["admin", "koordination", "presse"]
    assert {d.key for d in devices} == {demo_key_hex()}
    capsys.readouterr()
    call_command("demo_totp", "koordination", "--force")
    assert capsys.readouterr().out.strip() == totp_code(devices[0])
    readme = (settings.BASE_DIR / "README.md").read_text()
    grouped = " ".join(DEMO_TOTP_SECRET[i : i + 4] for i in range(0, 32, 4))
    assert grouped in readme
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        call_command("demo_totp", "koordination")


def test_login_page_explains_the_demo_code_only_in_debug(client, db, settings):
    assert "demo_totp" not in client.get("/accounts/login/").content.decode()
    settings.DEBUG = True
    html = client.get("/accounts/login/").content.decode()
    assert "DJANGO_DEBUG=true .venv/bin/python manage.py demo_totp koordination" in html
    assert "LAND KREI SSOC" in html and "Demo: Zwei-Faktor-Anmeldung" in html


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "   ",
        "x" * 5000,
        "12345\x00",
        "١٢٣٤٥٦",
        "<script>alert(1)</script>",
        "123 456 789",
        "-1",
        "𝟙𝟚𝟛𝟜𝟝𝟞",
    ],
)
@pytest.mark.parametrize("path", ["/accounts/2fa/", "/accounts/2fa/backup/", "/accounts/2fa/setup/"])
def test_odd_input_on_the_code_pages_gives_a_german_error_never_a_500(client, editor, path, bad, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    if path != "/accounts/2fa/setup/":
        enrol_device(editor)
    login(client, editor)
    response = client.post(path, {"code": bad})
    assert response.status_code == 200
    html = response.content.decode()
    assert field_error(html)
    assert "<script>alert(1)</script>" not in html
    if path.endswith("setup/"):
        assert not TOTPDevice.objects.filter(user=editor).exists()
    else:
        assert client.get("/").status_code == 302  # still not verified
