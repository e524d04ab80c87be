"""Settings come from the environment; production refuses to start on unsafe defaults."""

import logging
import os
import subprocess
import sys

from django.conf import settings

PRODUCTION_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "x" * 60 + "-production-like-secret-key-for-the-check",
    "LANDKREIS_CREDENTIALS_KEYS": "P44T7emdiHUDAMAkgNATPA3m2iKaOFSF3rlIsBSCSAw=",
    "DJANGO_ALLOWED_HOSTS": "social.landkreis.example",
    "DATABASE_URL": "sqlite:////tmp/landkreis-deploy-check.sqlite3",
}


def run_manage(*args, env):
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "LANDKREIS_", "DATABASE_URL"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        env={**clean, **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SECRET_KEY"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
    assert "must be set when DJANGO_DEBUG is off" in result.stderr


def test_production_refuses_to_start_without_credentials_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "LANDKREIS_CREDENTIALS_KEYS"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "LANDKREIS_CREDENTIALS_KEYS" in result.stderr


def test_secret_key_can_come_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file-" + "y" * 50)
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SECRET_KEY"}
    env["DJANGO_SECRET_KEY_FILE"] = str(secret)
    result = run_manage(
        "shell", "-c", "from django.conf import settings; print(settings.SECRET_KEY)", env=env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "from-a-file-" + "y" * 50


def test_check_deploy_is_clean_under_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_wrong_boolean_fails_with_the_variable_name():
    result = run_manage("check", env={**PRODUCTION_ENV, "DJANGO_DEBUG": "vielleicht"})
    assert result.returncode != 0
    assert "vielleicht" in result.stderr or "DJANGO_DEBUG" in result.stderr


def test_german_is_the_default_language_and_berlin_the_time_zone():
    assert settings.LANGUAGE_CODE == "de"
    assert settings.TIME_ZONE == "Europe/Berlin"
    assert [code for code, _name in settings.LANGUAGES] == ["de", "en"]


def test_every_environment_variable_is_documented_in_the_readme():
    import re
    from pathlib import Path

    source = (Path(settings.BASE_DIR) / "landkreis_social/settings.py").read_text()
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    names = set(re.findall(r'(?:env(?:_bool|\.[a-z_]+)|service_url)\(\s*"([A-Z][A-Z0-9_]+)"', source))
    assert "DJANGO_SECRET_KEY" in names
    assert "EMAIL_URL" in names
    undocumented = sorted(name for name in names if f"`{name}`" not in readme)
    assert not undocumented


def test_a_fresh_clone_without_var_folder_migrates_on_the_embedded_default(tmp_path):
    """`make demo` on a fresh clone: no var/ folder yet, no DATABASE_URL – migrate must create it."""
    var = tmp_path / "fresh" / "var"
    result = run_manage("migrate", "--noinput", env={"DJANGO_DEBUG": "true", "LANDKREIS_VAR_DIR": str(var)})
    assert result.returncode == 0, result.stderr
    assert (var / "db.sqlite3").is_file()


def test_a_refused_configuration_is_one_clear_line_not_a_traceback():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SECRET_KEY"}
    result = run_manage("makemigrations", "--check", env=env)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().startswith("Landkreis Social: DJANGO_SECRET_KEY")


def test_network_libraries_never_log_below_warning_even_at_debug():
    """httpx logs request URLs (a Bluesky DID is in them) at INFO, tweepy/urllib3/oauthlib whole requests
    at DEBUG: with DJANGO_LOG_LEVEL=DEBUG they still log nothing below WARNING."""
    names = ("httpx", "httpcore", "tweepy", "urllib3", "oauthlib", "requests_oauthlib")
    code = (
        "import logging; "
        f"print(min(logging.getLogger(n).getEffectiveLevel() for n in {names!r}), "
        "logging.getLogger('inbox').getEffectiveLevel())"
    )
    result = run_manage("shell", "-c", code, env={**PRODUCTION_ENV, "DJANGO_LOG_LEVEL": "DEBUG"})
    assert result.returncode == 0, result.stderr
    libraries, ours = (int(value) for value in result.stdout.split()[-2:])
    assert libraries >= logging.WARNING and ours == logging.DEBUG
