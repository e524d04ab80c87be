"""The inbox in real Chromium: a citizen comments on a published post (the demo page, through the sandbox
adapter's fetch) → it is in the Gesundheitsamt's inbox with its clock → ``redaktion`` takes it over and
closes it with a reason; a mention of unknown origin waits in the triage list and ``koordination``
assigns it with a note. axe-core on every page."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from channels.models import Channel
from channels.networks.base import InboundItem, InboundKind
from inbox import routing, tasks
from inbox.models import InboxItem

from .conftest import navigate

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

QUESTION = "Kann ich meine Tochter (10) auch mitbringen?"
REASON = "Telefonisch beantwortet: Kinder ab 6 Jahren."


@pytest.fixture
def demo_page(settings, monkeypatch):
    settings.INBOX_DEMO_CITIZEN = True

    # No worker in this journey: the demo page fetches in the request when the broker is not there.
    def no_broker(*args, **kwargs):
        raise ConnectionError("no broker")

    monkeypatch.setattr(tasks.fetch, "apply_async", no_broker)


def test_citizen_comment_is_taken_over_and_closed_and_a_mention_is_assigned(browse, world, demo_page):
    # A person of the demo writes as a citizen under the demo post on the sandbox feed.
    author = browse("redaktion")
    nav = author.get_by_role("navigation", name="Hauptnavigation")
    navigate(author, lambda: nav.get_by_role("link", name="Posteingang").click())
    expect(author.locator("#inbox-items .inbox-item")).to_have_count(4)  # seeded comments
    navigate(author, lambda: author.locator("#demo-citizen-link").click())
    author.get_by_label("Name der Bürgerin / des Bürgers").fill("Gerda S.")
    navigate(author, lambda: author.get_by_role("button", name="Kommentar schreiben").click(), status=422)
    expect(author.locator("#text-error")).to_be_visible()
    author.get_by_label("Name der Bürgerin / des Bürgers").fill("Gerda S.")
    author.get_by_label("Kommentar", exact=True).fill(QUESTION)
    navigate(author, lambda: author.get_by_role("button", name="Kommentar schreiben").click())
    expect(author.locator(".messages")).to_contain_text("Posteingang ruft ihn gleich ab")

    # It is in the Gesundheitsamt's inbox, unread, with its clock.
    navigate(author, lambda: nav.get_by_role("link", name="Posteingang").click())
    card = author.locator(".inbox-item", has_text=QUESTION)
    expect(card).to_contain_text("ungelesen")
    expect(card).to_contain_text("Kommentar")
    navigate(author, lambda: card.get_by_role("link", name="Gerda S.").click())
    expect(author.locator("#item-department")).to_have_text("Gesundheitsamt")
    expect(author.locator("#item-clock")).to_contain_text("erste Reaktion fällig bis")
    expect(author.locator("#county-post")).to_contain_text("Grippeschutzimpfung im Kreishaus")

    # Take over, then close: without a reason it is refused next to the field.
    navigate(author, lambda: author.get_by_role("button", name="Übernehmen").click())
    expect(author.locator("#item-state")).to_have_text("in Bearbeitung")
    author.get_by_label("beantwortet").check()
    navigate(author, lambda: author.get_by_role("button", name="Als erledigt schließen").click(), status=422)
    expect(author.locator("#reason-error")).to_be_visible()
    author.get_by_label("beantwortet").check()
    author.locator("#id_reason").fill(REASON)  # the close form's "Begründung" (moderation has one too)
    navigate(author, lambda: author.get_by_role("button", name="Als erledigt schließen").click())
    expect(author.locator("#item-state")).to_contain_text("erledigt – beantwortet")
    expect(author.locator("#history")).to_contain_text(REASON)
    item = InboxItem.objects.get(text=QUESTION)
    assert (item.state, item.closed_by.username) == ("done", "redaktion")

    # A mention of unknown origin (as the Mastodon fetch stores it) waits in Koordination's triage list.
    mastodon = Channel.objects.get(kind="mastodon")
    routing.upsert_items(
        channel=mastodon,
        inbound=[
            InboundItem(
                network_id="990001",
                kind=InboundKind.MENTION,
                text="<p>@landkreis Die Ampel an der B71 in Scheeßel ist seit Tagen aus.</p>",
                author_handle="@jan@social.example",
                author_name="Jan",
            )
        ],
        now=timezone.now(),
    )
    coordinator = browse("koordination")
    nav = coordinator.get_by_role("navigation", name="Hauptnavigation")
    navigate(coordinator, lambda: nav.get_by_role("link", name="Posteingang").click())
    navigate(coordinator, lambda: coordinator.locator("#triage-hint a").click())
    card = coordinator.locator(".inbox-item", has_text="Ampel an der B71")
    expect(card).to_contain_text("Triage")
    navigate(coordinator, lambda: card.get_by_role("link", name="Jan").click())
    assign = coordinator.locator("#assign")
    assign.get_by_label("Fachbereich").select_option(label="Straßenverkehrsamt")
    navigate(coordinator, lambda: assign.get_by_role("button", name="Zuweisen").click(), status=422)
    expect(coordinator.locator("#note-error")).to_be_visible()
    assign.get_by_label("Fachbereich").select_option(label="Straßenverkehrsamt")
    assign.get_by_label("Notiz").fill("Ampeln betreut das Straßenverkehrsamt.")
    navigate(coordinator, lambda: assign.get_by_role("button", name="Zuweisen").click())
    expect(coordinator.locator("#item-department")).to_have_text("Straßenverkehrsamt")
    expect(coordinator.locator("#history")).to_contain_text("Ampeln betreut das Straßenverkehrsamt.")
    assert InboxItem.objects.get(network_id="990001").department.code == "SVA"
