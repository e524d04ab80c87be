"""Credentials are encrypted at rest, rotate to a new key, and never show up anywhere."""

from __future__ import annotations

import logging

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse

from audit.models import AuditEvent
from channels import crypto, services
from channels.adapters import adapter_for
from channels.models import Channel
from channels.networks.base import PostContent, PublishError

SECRET = "EAAB-very-secret-page-token-4711"


def raw_columns(channel) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT credentials_encrypted, session_encrypted FROM publishing_channel WHERE id = %s",
            [channel.pk],
        )
        return cursor.fetchone()


@pytest.fixture
def channel(db, admin_user):
    return services.channel_create(
        actor=admin_user,
        kind="facebook",
        name="Facebook",
        account="1234567890",
        credentials={"page_access_token": SECRET},
    )


def test_database_column_holds_no_plaintext(channel):
    stored, _session = raw_columns(channel)
    assert stored
    assert SECRET not in stored
    assert "page_access_token" not in stored
    assert crypto.decrypt_json(stored) == {"page_access_token": SECRET}


def test_rotation_re_encrypts_with_the_new_key(channel, settings):
    old_key = settings.CREDENTIALS_KEYS[0]
    before, _ = raw_columns(channel)
    new_key = Fernet.generate_key().decode()
    settings.CREDENTIALS_KEYS = [new_key, old_key]  # the new key in front, the old one still decrypts
    call_command("rotate_credentials_key", stdout=open("/dev/null", "w"))  # noqa: SIM115
    after, _ = raw_columns(channel)
    assert after != before
    assert SECRET not in after
    settings.CREDENTIALS_KEYS = [new_key]  # the old key is dropped: everything still decrypts
    assert crypto.decrypt_json(after) == {"page_access_token": SECRET}
    assert Fernet(new_key.encode()).decrypt(after.encode())  # encrypted with the new key
    assert AuditEvent.objects.filter(verb="channel.credentials_key_rotated").exists()


def test_rotation_without_the_old_key_fails_and_changes_nothing(channel, settings):
    before, _ = raw_columns(channel)
    settings.CREDENTIALS_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(CommandError) as caught:
        call_command("rotate_credentials_key")
    assert SECRET not in str(caught.value)
    assert raw_columns(channel)[0] == before


def test_unreadable_credentials_stop_publishing_without_sending(channel, settings):
    settings.CREDENTIALS_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(PublishError) as caught:
        adapter_for(Channel.objects.get(pk=channel.pk))
    assert caught.value.credentials_problem


def test_channel_without_credentials_cannot_publish(db, admin_user):
    channel = services.channel_create(actor=admin_user, kind="x", name="X (geplant)")
    with pytest.raises(PublishError) as caught:
        adapter_for(channel).publish(PostContent(text="x"))
    assert caught.value.credentials_problem
    assert "fehlt" in caught.value.message


def test_secrets_stay_out_of_repr_audit_and_logs(channel, admin_user, caplog):
    caplog.set_level(logging.DEBUG)
    services.channel_set_credentials(
        actor=admin_user, channel=channel, credentials={"page_access_token": SECRET + "2"}
    )
    adapter = adapter_for(Channel.objects.get(pk=channel.pk))
    assert SECRET not in repr(channel) and SECRET not in str(channel)
    assert SECRET not in repr(adapter) and SECRET not in repr(adapter.config)
    for event in AuditEvent.objects.all():
        dump = f"{event.before} {event.after} {event.comment} {event.object_repr}"
        assert SECRET not in dump
    event = AuditEvent.objects.get(verb="channel.credentials_changed")
    assert event.after == {"fields": ["page_access_token"]}
    assert SECRET not in caplog.text


def test_bluesky_session_is_stored_encrypted_and_reused(db, admin_user, fake_bluesky):
    channel = services.channel_create(actor=admin_user, name="Bluesky", **fake_bluesky.channel_kwargs())
    adapter_for(channel).publish(PostContent(text="erster"))
    channel.refresh_from_db()
    _credentials, session = raw_columns(channel)
    assert session and "landkreis.test" not in session and "eyJ" not in session
    adapter_for(channel).publish(PostContent(text="zweiter"))
    assert fake_bluesky.sessions_created == 1
    # New credentials invalidate the stored session.
    services.channel_set_credentials(
        actor=admin_user, channel=channel, credentials=fake_bluesky.channel_kwargs()["credentials"]
    )
    channel.refresh_from_db()
    assert channel.session_encrypted == ""


def test_admin_change_list_and_form_never_show_credentials(client, channel, admin_user):
    client.force_login(admin_user)
    listing = client.get(reverse("admin:channels_channel_changelist")).content.decode()
    assert "Facebook" in listing
    assert SECRET not in listing
    form = client.get(reverse("admin:channels_channel_change", args=[channel.pk])).content.decode()
    assert SECRET not in form
    assert channel.credentials_encrypted not in form
    assert 'type="password"' in form


def test_check_credentials_shows_the_networks_answer(client, db, admin_user, fake_facebook):
    channel = services.channel_create(
        actor=admin_user, name="Facebook-Fake", **fake_facebook.channel_kwargs()
    )
    client.force_login(admin_user)
    response = client.post(reverse("admin:channels_channel_check", args=[channel.pk]), follow=True)
    shown = [str(m) for m in response.context["messages"]]
    assert any("Landkreis Test" in m for m in shown), shown
    channel.refresh_from_db()
    assert channel.check_ok is True
    assert AuditEvent.objects.filter(verb="channel.credentials_checked").exists()


def test_check_credentials_action_reports_a_refused_token_without_the_token(
    client, db, admin_user, fake_facebook
):
    kwargs = fake_facebook.channel_kwargs()
    kwargs["credentials"] = {"page_access_token": "EAAB-revoked-token-0815"}
    channel = services.channel_create(actor=admin_user, name="Facebook-Fake", **kwargs)
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:channels_channel_changelist"),
        {"action": "check_credentials", "_selected_action": [channel.pk]},
        follow=True,
    )
    shown = " ".join(str(m) for m in response.context["messages"])
    assert "access token" in shown
    assert "EAAB-revoked-token-0815" not in response.content.decode()
    channel.refresh_from_db()
    assert channel.check_ok is False
    assert "EAAB-revoked-token-0815" not in channel.check_message
