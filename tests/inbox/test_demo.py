"""The demo: seed_demo publishes a post on the sandbox channel and citizens' comments arrive in the
Gesundheitsamt's inbox through the sandbox adapter; the demo page lets a person write one more."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.testing import force_login_verified
from channels.demo import SANDBOX_NAME
from channels.models import Channel, SandboxPost
from inbox import tasks
from inbox.models import InboxItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings):
    settings.PUBLISHING_NETWORK_TIMEOUT = 2
    call_command("seed_demo", "--force", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_seed_demo_brings_citizens_comments_into_the_inbox(seeded):
    items = InboxItem.objects.select_related("department", "post").order_by("pk")
    assert items.count() == 4
    assert {i.department.code for i in items} == {"GA"}
    assert {i.kind for i in items} == {"comment", "reply"}
    reply = items.get(kind="reply")
    assert reply.parent is not None and reply.parent.author_handle == "Erika M."
    assert reply.post.title == "Grippeschutzimpfung im Kreishaus"
    # Seeding again changes nothing.
    call_command("seed_demo", "--force", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert InboxItem.objects.count() == 4


def test_a_person_writes_as_a_citizen_and_it_arrives_through_the_fetch(
    seeded, client, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from django.contrib.auth import get_user_model

    settings.INBOX_DEMO_CITIZEN = True
    monkeypatch.setattr(tasks.fetch, "apply_async", _no_broker)
    force_login_verified(client, get_user_model().objects.get(username="koordination"))
    sandbox = Channel.objects.get(name=SANDBOX_NAME)
    post = SandboxPost.objects.filter(channel=sandbox).first()

    empty = client.post(
        reverse("inbox:demo_comment"), {"post": post.pk, "author_handle": "Bürger", "text": ""}
    )
    assert empty.status_code == 422
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("inbox:demo_comment"),
            {"post": post.pk, "author_handle": "Gerda S.", "text": "Ist der Parkplatz am Kreishaus frei?"},
        )
    item = InboxItem.objects.get(author_handle="Gerda S.")
    assert item.department.code == "GA" and item.kind == "comment"

    settings.INBOX_DEMO_CITIZEN = False
    assert client.get(reverse("inbox:demo_comment")).status_code == 404


def _no_broker(*args, **kwargs):
    raise ConnectionError("no broker in this test")
