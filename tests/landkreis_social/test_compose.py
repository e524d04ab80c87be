"""docker-compose.yml and the Dockerfile point at things that exist (Docker cannot run here)."""

import importlib
import re
from pathlib import Path

import yaml
from django.conf import settings
from django.core.management import get_commands

BASE = Path(settings.BASE_DIR)
COMPOSE = yaml.safe_load((BASE / "docker-compose.yml").read_text())


def test_compose_has_the_five_services_with_health_checks_and_volumes():
    services = COMPOSE["services"]
    assert set(services) == {"postgres", "redis", "web", "worker", "beat"}
    for name in ("postgres", "redis", "web", "worker"):
        assert "healthcheck" in services[name], name
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    assert set(COMPOSE["volumes"]) == {"pgdata", "appdata"}
    for name in ("web", "worker", "beat"):
        assert services[name]["environment"]["DATABASE_URL"].startswith("postgres://")
        assert services[name]["environment"]["REDIS_URL"] == "redis://redis:6379/0"


def test_web_prepares_then_runs_gunicorn_on_the_real_wsgi_module(db):  # wsgi checks for demo accounts
    command = " ".join(COMPOSE["services"]["web"]["command"])
    assert "manage.py prepare &&" in command  # checks, migrate, collectstatic (issue 14)
    target = re.search(r"gunicorn (\S+)", command).group(1)
    module, attribute = target.split(":")
    assert callable(getattr(importlib.import_module(module), attribute))


def test_worker_and_beat_use_the_real_celery_app():
    from celery import Celery

    for name, subcommand in (("worker", "worker"), ("beat", "beat")):
        command = COMPOSE["services"][name]["command"]
        assert command[:3] == ["celery", "-A", "landkreis_social"]
        assert command[3] == subcommand
    assert isinstance(importlib.import_module("landkreis_social").celery_app, Celery)


def test_manage_commands_used_by_compose_and_make_exist():
    commands = get_commands()
    for name in ("prepare", "migrate", "collectstatic", "seed_demo", "audit_verify"):
        assert name in commands, name


def test_dockerfile_installs_the_lock_file_and_collects_static():
    dockerfile = (BASE / "Dockerfile").read_text()
    assert "requirements/base.txt" in dockerfile and (BASE / "requirements/base.txt").exists()
    assert "collectstatic" in dockerfile
    assert "python:3.11" in dockerfile


def test_every_variable_compose_sets_is_documented_in_the_readme():
    readme = (BASE / "README.md").read_text()
    names = set()
    for service in COMPOSE["services"].values():
        names |= set((service.get("environment") or {}).keys())
    names -= {"POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD"}
    undocumented = sorted(name for name in names if f"`{name}`" not in readme)
    assert not undocumented
