"""Production settings (DEBUG off, in a subprocess): secure cookies, HSTS, 2FA and throttling on."""

import json

import pytest

from tests.landkreis_social.test_settings import PRODUCTION_ENV, run_manage

# Runs inside `manage.py shell` under production settings: a fresh SQLite database, one login over
# HTTPS through the real middleware stack, and what the browser would get back.
SCRIPT = """
import json
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

call_command("migrate", verbosity=0)
get_user_model().objects.create_user("redaktion", password="demo-passwort-lang")
client = Client(HTTP_HOST="social.landkreis.example")
plain = client.get("/accounts/login/")
response = client.post(
    "/accounts/login/", {"username": "redaktion", "password": "demo-passwort-lang"}, secure=True
)
cookies = {
    name: {key: str(morsel[key]) for key in ("secure", "httponly", "samesite", "max-age", "expires")}
    for name, morsel in response.cookies.items()
}
print("RESULT" + json.dumps({
    "plain_status": plain.status_code,
    "plain_location": plain.get("Location", ""),
    "status": response.status_code,
    "cookies": cookies,
    "hsts": response.get("Strict-Transport-Security", ""),
    "two_factor_required": settings.TWO_FACTOR_REQUIRED,
    "axes_enabled": settings.AXES_ENABLED,
    "expire_at_browser_close": settings.SESSION_EXPIRE_AT_BROWSER_CLOSE,
}))
"""


@pytest.fixture(scope="module")
def production_login(tmp_path_factory):
    db = tmp_path_factory.mktemp("prod") / "db.sqlite3"
    env = {**PRODUCTION_ENV, "DATABASE_URL": f"sqlite:///{db}", "LANDKREIS_VAR_DIR": str(db.parent)}
    result = run_manage("shell", "-c", SCRIPT, env=env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    line = next(line for line in result.stdout.splitlines() if line.startswith("RESULT"))
    return json.loads(line.removeprefix("RESULT"))


@pytest.mark.slow
def test_plain_http_is_redirected_to_https(production_login):
    assert production_login["plain_status"] == 301
    assert production_login["plain_location"] == "https://social.landkreis.example/accounts/login/"


@pytest.mark.slow
def test_session_and_csrf_cookies_are_secure_and_end_with_the_browser(production_login):
    assert production_login["status"] == 302
    session = production_login["cookies"]["sessionid"]
    csrf = production_login["cookies"]["csrftoken"]
    assert session["secure"] == "True" and csrf["secure"] == "True"
    assert session["httponly"] == "True"
    assert session["samesite"] == "Lax" and csrf["samesite"] == "Lax"
    # A browser-session cookie: no lifetime of its own (the server still ends it after 8 hours).
    assert session["max-age"] == "" and session["expires"] == ""
    assert production_login["expire_at_browser_close"] is True


@pytest.mark.slow
def test_hsts_and_the_login_protections_are_on(production_login):
    assert production_login["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert production_login["two_factor_required"] is True
    assert production_login["axes_enabled"] is True


def test_check_deploy_is_clean_behind_the_proxy_with_everything_on():
    env = {**PRODUCTION_ENV, "DJANGO_BEHIND_PROXY": "true", "LANDKREIS_2FA_REQUIRED": "true"}
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_two_factor_setting_must_be_a_real_boolean():
    result = run_manage("check", env={**PRODUCTION_ENV, "LANDKREIS_2FA_REQUIRED": "nein"})
    assert result.returncode != 0
    assert "LANDKREIS_2FA_REQUIRED" in result.stderr
