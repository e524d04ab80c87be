"""Moderation as each network allows: the action names a netiquette clause and a reason, the original
is kept as evidence, deleting needs Koordination, everything is audited and shown on the page."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEvent
from etiquette.selectors import netiquette_clause
from inbox import moderation
from inbox.models import ModerationAction

from .test_replies import make_item

pytestmark = pytest.mark.django_db
INSULT = "Ihr seid doch alle Idioten!"


@pytest.fixture
def facebook_item(fake_facebook, live_channels, department):
    channel = live_channels(fake_facebook)["facebook"]
    comment = fake_facebook.add_comment("1234567890_55", INSULT)
    return make_item(channel, department, network_id=comment, text=INSULT)


@pytest.fixture
def mastodon_item(fake_mastodon, live_channels, department):
    item = make_item(live_channels(fake_mastodon)["mastodon"], department, text=INSULT)
    item.author_network_id = "109876"  # as the fetcher stores it: a report names the account
    item.save(update_fields=["author_network_id"])
    return item


def test_koordination_hides_an_insult_naming_clause_and_reason(coordinator, facebook_item, fake_facebook):
    clause = netiquette_clause("respekt")
    record = moderation.item_moderate(
        actor=coordinator,
        item=facebook_item,
        action="hide",
        clause=clause,
        reason="Beleidigung aller Beschäftigten",
    )
    assert fake_facebook.comments[facebook_item.network_id]["is_hidden"]
    assert moderation.state(facebook_item) == "hidden"
    assert (record.evidence_text, record.evidence_network_id) == (INSULT, facebook_item.network_id)
    event = AuditEvent.objects.get(verb="inbox_item.hide")
    assert event.comment == "Beleidigung aller Beschäftigten" and event.after["clause"] == "1 #respekt"
    assert INSULT not in str(event.after)  # the citizen's text stays out of the audit trail
    moderation.item_moderate(
        actor=coordinator, item=facebook_item, action="unhide", clause=clause, reason="Irrtum"
    )
    assert not fake_facebook.comments[facebook_item.network_id]["is_hidden"]
    assert moderation.state(facebook_item) == ""


def test_deleting_needs_koordination(editor, coordinator, facebook_item, fake_facebook):
    clause = netiquette_clause("rechtswidrige-inhalte")
    assert "delete" not in moderation.allowed_actions(editor, facebook_item)
    with pytest.raises(PermissionDenied):
        moderation.item_moderate(actor=editor, item=facebook_item, action="delete", clause=clause, reason="x")
    moderation.item_moderate(
        actor=coordinator, item=facebook_item, action="delete", clause=clause, reason="Drohung"
    )
    assert fake_facebook.deleted == [facebook_item.network_id]
    facebook_item.delete()  # the item may go (retention); the evidence stays
    record = ModerationAction.objects.get(action="delete")
    assert record.item is None and record.evidence_text == INSULT


def test_mastodon_offers_only_reporting(editor, mastodon_item, fake_mastodon):
    assert moderation.allowed_actions(editor, mastodon_item) == ["report"]
    with pytest.raises(PermissionDenied):
        moderation.item_moderate(
            actor=editor, item=mastodon_item, action="hide", clause=netiquette_clause("respekt"), reason="x"
        )


def test_a_refusal_is_shown_and_recorded(coordinator, facebook_item, fake_facebook):
    fake_facebook.fail(400, path=r"/v21\.0/\d+_\d+$", method="POST", message="(#100) cannot hide")
    with pytest.raises(ValidationError) as caught:
        moderation.item_moderate(
            actor=coordinator,
            item=facebook_item,
            action="hide",
            clause=netiquette_clause("respekt"),
            reason="x",
        )
    assert "cannot hide" in " ".join(caught.value.messages)
    record = ModerationAction.objects.get()
    assert not record.succeeded and "cannot hide" in record.error
    assert AuditEvent.objects.filter(verb="inbox_item.hide_failed").exists()


def test_the_page_offers_what_the_network_allows_and_shows_the_hidden_state(
    client, coordinator, editor, facebook_item, mastodon_item
):
    client.force_login(editor)
    html = client.get(f"/inbox/{mastodon_item.pk}/").content.decode()
    assert "Antworten lassen sich hier nicht ausblenden" in html and 'value="report"' in html
    client.force_login(coordinator)
    response = client.post(
        f"/inbox/{facebook_item.pk}/moderate/",
        {"action": "hide", "clause": netiquette_clause("respekt").pk, "reason": ""},
    )
    assert response.status_code == 422 and 'id="moderation-reason-error"' in response.content.decode()
    response = client.post(
        f"/inbox/{facebook_item.pk}/moderate/",
        {"action": "hide", "clause": netiquette_clause("respekt").pk, "reason": "Beleidigung"},
    )
    assert response.status_code == 302
    html = client.get(f"/inbox/{facebook_item.pk}/").content.decode()
    assert (
        'id="moderation-state"' in html
        and "Respektvoll und sachlich" in html
        and "/netiquette/versions/" in html
    )


def test_evidence_is_deleted_after_the_retention_period(coordinator, facebook_item, settings):
    moderation.item_moderate(
        actor=coordinator, item=facebook_item, action="hide", clause=netiquette_clause("respekt"), reason="x"
    )
    assert moderation.evidence_delete_expired() == 0
    ModerationAction.objects.update(created_at="2020-01-01T00:00:00Z")
    assert moderation.evidence_delete_expired() == 1
    assert AuditEvent.objects.get(verb="moderation_evidence.deleted").after == {"count": 1}


def test_incoming_checks_mark_items_in_the_list_and_on_the_page(client, coordinator, facebook_item):
    client.force_login(coordinator)
    html = client.get("/inbox/").content.decode()
    assert "möglicherweise beleidigend" in html
    page = client.get(f"/inbox/{facebook_item.pk}/").content.decode()
    assert 'id="incoming-marks"' in page and 'data-rule="incoming.insult"' in page
    assert moderation.state(facebook_item) == ""  # marked, not hidden
