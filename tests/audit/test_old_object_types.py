"""Events written before issue 13 name channels as ``publishing.channel``; the hash covers that text, so it
stays – lookups by object accept the old label (audit.selectors.OBJECT_TYPE_ALIASES)."""

import pytest

from audit import selectors
from audit.models import AuditEvent
from audit.services import _append, actor_display_name, audit_record, audit_verify_chain
from channels import services


@pytest.mark.django_db
def test_events_under_the_old_label_still_belong_to_the_channel(admin_user):
    channel = services.channel_create(actor=admin_user, kind="sandbox", name="Alt und neu")
    # As publishing wrote it before the move (same fields as audit_record, only the old label).
    _append(
        [
            AuditEvent(
                actor=admin_user,
                actor_name=actor_display_name(admin_user),
                verb="channel.enabled",
                object_type="publishing.channel",
                object_id=str(channel.pk),
                object_repr=str(channel),
            )
        ]
    )
    audit_record(actor=admin_user, verb="channel.disabled", obj=channel)
    other = services.channel_create(actor=admin_user, kind="sandbox", name="Anderer Kanal")

    events = list(selectors.events_for(channel))
    assert [e.object_type for e in events] == ["channels.channel", "publishing.channel", "channels.channel"]
    assert [e.verb for e in events][-2:] == ["channel.enabled", "channel.disabled"]
    assert all(e.object_id == str(channel.pk) for e in events)
    assert not selectors.events_for(other).filter(object_type="publishing.channel").exists()
    assert list(audit_verify_chain()) == []
