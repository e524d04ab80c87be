"""Fixtures of the integrations tests: live channels, the etiquette guide, an integration and tokens.

Posts are created through the real API views and the real posts/approvals services; the etiquette
engine runs with its default rules.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

CLEAN_TEXT = "Ab Montag vergibt das Gesundheitsamt neue Termine. Mehr unter https://www.lk-row.de/impfen"


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://social.landkreis.example"


@pytest.fixture
def channels(db, department, other_department):
    """Mastodon and Facebook live for both departments, X only for the other department."""
    from channels.models import Channel, RolloutPhase

    phase = RolloutPhase.objects.create(order=0, name="Phase 0", status=RolloutPhase.Status.ACTIVE)
    made = {}
    for kind, name, departments in (
        ("mastodon", "Mastodon Landkreis", [department, other_department]),
        ("facebook", "Facebook Landkreis", [department, other_department]),
        ("x", "X Verkehr", [other_department]),
    ):
        channel = Channel.objects.create(kind=kind, name=name, account=f"@{kind}-landkreis", enabled=True)
        channel.departments.set(departments)
        made[kind] = channel
    phase.channels.set(made.values())
    return made


@pytest.fixture
def guide(db, admin_user):
    from etiquette.services import guide_version_create, guide_version_publish

    version = guide_version_create(actor=admin_user, major=1, body="# Etikette\n\nSachlich bleiben.")
    return guide_version_publish(actor=admin_user, version=version)


@pytest.fixture
def integration(admin_user, head, department, guide, channels):
    """ "CMS Kreishaus": Gesundheitsamt, the department head answers for it (and confirmed the guide)."""
    from etiquette.services import guide_acknowledge
    from integrations.services import integration_create

    guide_acknowledge(actor=head, version=guide)
    return integration_create(
        actor=admin_user, name="CMS Kreishaus", responsible=head, departments=[department]
    )


@pytest.fixture
def make_token(admin_user, integration, department):
    """``make_token(rights=…, departments=…, channels=…, expires_at=…, rate_limit=…) -> secret``."""
    from integrations.services import token_create

    def make(rights=("read", "draft", "submit"), *, departments=None, channels=(), **extra):
        token, secret = token_create(
            actor=admin_user,
            integration=extra.pop("for_integration", integration),
            label=extra.pop("label", "CMS production"),
            rights=rights,
            departments=departments or [department],
            channels=channels,
            **extra,
        )
        make.last = token
        return secret

    return make


@pytest.fixture
def api():
    """``api(secret)``: an API client sending that token."""

    def client(secret: str | None = None, **headers) -> APIClient:
        c = APIClient()
        if secret:
            c.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}", **headers)
        return c

    return client


@pytest.fixture
def post_body(department, channels):
    def body(**overrides):
        data = {
            "department": department.code,
            "title": "Impftermine",
            "text": CLEAN_TEXT,
            "channels": [channels["mastodon"].pk],
        }
        data.update(overrides)
        return data

    return body


@pytest.fixture
def role_groups(transactional_db):
    """Transactional tests empty the database afterwards, the role groups of the data migration included:
    they are made again (as tests/publishing does)."""
    from django.contrib.auth.models import Group

    from departments import roles

    for name in roles.ALL_GROUPS:
        Group.objects.get_or_create(name=name)
