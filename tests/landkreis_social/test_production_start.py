"""The production start (issue 14): unclear configuration is one line naming the variable; the web
refuses to start without collected static files; demo accounts with the published password or
authenticator key fail ``check --deploy`` and the start; ``manage.py prepare`` is the one sequence."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.conf import settings
from django.core.checks import run_checks

from tests.landkreis_social.test_settings import PRODUCTION_ENV, run_manage


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("", "DATABASE_URL"),
        ("kaputt", "DATABASE_URL"),
        ("postgres//user@host/db", "DATABASE_URL"),
        ("postgres://", "DATABASE_URL"),
        ("mysql+x://a:b@c/d", "DATABASE_URL"),
    ],
)
def test_an_empty_or_malformed_database_url_is_one_line_naming_it(value, words):
    result = run_manage("check", env={**PRODUCTION_ENV, "DATABASE_URL": value})
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Landkreis Social: ") and words in lines[0], lines


@pytest.mark.parametrize(
    ("name", "value"), [("REDIS_URL", "kaputt"), ("REDIS_URL", "redis//x"), ("EMAIL_URL", "smtp//x")]
)
def test_a_malformed_service_address_is_one_line_naming_it(name, value):
    result = run_manage("check", env={**PRODUCTION_ENV, name: value})
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and name in lines[0], lines


def test_a_password_in_the_database_url_is_not_repeated_in_the_message():
    result = run_manage("check", env={**PRODUCTION_ENV, "DATABASE_URL": "postgre://u:geheim123@h/db"})
    assert result.returncode != 0 and "geheim123" not in result.stderr and "DATABASE_URL" in result.stderr


@pytest.fixture
def production(settings):
    settings.DEBUG = False


def _demo_errors():
    return [e for e in run_checks(include_deployment_checks=True) if e.id == "landkreis.E001"]


def test_a_demo_user_with_the_demo_password_fails_the_deploy_check(db, production, django_user_model):
    from departments.demo import DEMO_PASSWORD

    assert _demo_errors() == []
    admin = django_user_model.objects.create_superuser("admin", password=DEMO_PASSWORD)
    (error,) = _demo_errors()
    assert "admin" in error.msg
    admin.set_password("ein-echtes-langes-Passwort-2026")
    admin.save()
    assert _demo_errors() == []


def test_the_demo_authenticator_key_fails_the_deploy_check_for_any_user(db, production, django_user_model):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.demo import demo_key_hex

    user = django_user_model.objects.create_user("k.mueller", password="ein-echtes-langes-Passwort-2026")
    TOTPDevice.objects.create(user=user, name="Handy", key=demo_key_hex(), confirmed=True)
    (error,) = _demo_errors()
    assert "k.mueller" in error.msg


def test_the_demo_may_keep_its_accounts(db, settings, django_user_model):
    from departments.demo import DEMO_PASSWORD

    settings.DEBUG = True
    django_user_model.objects.create_superuser("admin", password=DEMO_PASSWORD)
    assert _demo_errors() == []


def test_the_web_refuses_to_start_without_collected_static_files(tmp_path):
    """Without collectstatic every page was a 500 ("Missing staticfiles manifest entry")."""
    env = {**PRODUCTION_ENV, "DJANGO_STATIC_ROOT": str(tmp_path / "static")}
    code = "import landkreis_social.wsgi"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**run_env(), **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "manage.py prepare" in result.stderr and "Traceback" not in result.stderr, result.stderr[-2000:]


def run_env() -> dict:
    import os

    return {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "LANDKREIS_", "DATABASE_URL"))
    }


@pytest.mark.slow
def test_prepare_checks_migrates_and_collects_static_files_then_the_web_starts(tmp_path):
    database = tmp_path / "db.sqlite3"
    env = {
        **PRODUCTION_ENV,
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        "LANDKREIS_VAR_DIR": str(tmp_path),
    }
    result = run_manage("prepare", env=env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert (tmp_path / "static" / "staticfiles.json").is_file()
    assert "gunicorn" in result.stdout  # says what to start next
    started = subprocess.run(
        [sys.executable, "-c", "import landkreis_social.wsgi; print('ready')"],
        env={**run_env(), **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode == 0 and "ready" in started.stdout, started.stderr[-2000:]
