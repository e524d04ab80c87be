"""Replying in real Chromium (issue 16): ``redaktion`` answers a citizen's sandbox comment with a
Textbaustein that still contains a phone number → blocked next to the field → fixed → ``koordination``
approves → the answer is in the sandbox's comment section and in the conversation with its link;
``koordination`` hides an insulting comment naming clause and reason. axe-core on every page."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from inbox import replying, services
from inbox.models import InboxItem, Reply, SandboxComment

from .conftest import navigate

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SAVED = "Danke für Ihre Frage! Rufen Sie Frau Meyer unter 0171 1234567 an."


@pytest.fixture
def no_worker(monkeypatch):
    sent = []
    monkeypatch.setattr(replying, "_enqueue", lambda reply_id, when=None: sent.append(reply_id))
    return sent


def test_redaktion_answers_with_a_textbaustein_koordination_approves_and_hides(browse, world, no_worker):
    User = get_user_model()
    services.saved_reply_create(
        actor=User.objects.get(username="koordination"), title="Impftermine", text=SAVED
    )
    item = InboxItem.objects.filter(kind="comment", channel__kind="sandbox").order_by("pk").first()

    author = browse("redaktion")
    author.goto(author.url.split("/", 3)[0] + "//" + author.url.split("/")[2] + f"/inbox/{item.pk}/")
    author.locator("#saved-reply-picker summary").click()
    author.get_by_label("Textbausteine durchsuchen").fill("Impf")
    insert = author.get_by_role("button", name=re.compile(r"Zum Bearbeiten einfügen.*Impftermine"))
    expect(insert).to_be_visible()
    insert.click()
    expect(author.locator("#id_reply_text")).to_have_value(SAVED)
    expect(author.locator("#reply-check li[data-rule='personal_data']")).to_be_visible()  # the live check
    navigate(author, lambda: author.get_by_role("button", name="Zur Freigabe einreichen").click(), status=422)
    expect(author.locator("#reply-text-error")).to_contain_text("0171 1234567")
    author.locator("#id_reply_text").fill("Danke für Ihre Frage! Die Termine stehen auf lk-row.de.")
    navigate(author, lambda: author.get_by_role("button", name="Zur Freigabe einreichen").click())
    expect(author.locator("#replies")).to_contain_text("wartet auf Freigabe")

    coordinator = browse("koordination")
    base = coordinator.url.split("/", 3)
    # The start page and the navigation say a reply waits; the queue leads to the conversation.
    expect(coordinator.locator("#panel-replies")).to_contain_text(item.channel.name)
    expect(coordinator.locator("nav a.nav-link[href='/inbox/replies/']")).to_contain_text("1")
    navigate(coordinator, lambda: coordinator.locator("nav a.nav-link[href='/inbox/replies/']").click())
    expect(coordinator.locator("#reply-queue")).to_contain_text("Die Termine stehen auf lk-row.de.")
    navigate(
        coordinator,
        lambda: coordinator.get_by_role("link", name=re.compile("Gespräch lesen und entscheiden")).click(),
    )
    assert coordinator.url.split("#")[0].endswith(f"/inbox/{item.pk}/")
    navigate(coordinator, lambda: coordinator.get_by_role("button", name="Freigeben und senden").click())
    reply = Reply.objects.get()
    assert no_worker == [reply.pk]
    assert replying.reply_send(reply.pk) == Reply.Status.PUBLISHED  # what the worker does
    coordinator.reload()
    expect(coordinator.locator("#replies")).to_contain_text("veröffentlicht")
    expect(coordinator.locator("#replies .reply-link")).to_be_visible()
    assert SandboxComment.objects.get(by_county=True).text.startswith("Danke für Ihre Frage!")

    # Hiding an insulting comment, naming the clause and the reason.
    other = InboxItem.objects.filter(channel__kind="sandbox").exclude(pk=item.pk).order_by("pk").first()
    coordinator.goto(f"{base[0]}//{base[2]}/inbox/{other.pk}/")
    form = coordinator.locator("#moderation-form")
    form.get_by_label("ausgeblendet").check()
    form.get_by_label("Netiquette-Regel").select_option(label="1. Respektvoll und sachlich")
    form.get_by_label("Begründung").fill("Beleidigung anderer Nutzer")
    navigate(coordinator, lambda: form.get_by_role("button", name="Ausführen").click())
    expect(coordinator.locator("#moderation-state")).to_contain_text("im Netzwerk ausgeblendet")
    expect(coordinator.locator("#moderation-history")).to_contain_text("Beleidigung anderer Nutzer")
    assert SandboxComment.objects.get(pk=int(other.network_id[1:])).hidden


def test_a_journalists_question_goes_to_the_press_office_who_answers_it(browse, world, no_worker):
    item = InboxItem.objects.filter(channel__kind="sandbox").order_by("-pk").first()
    author = browse("redaktion")
    base = author.url.split("/", 3)
    author.goto(f"{base[0]}//{base[2]}/inbox/{item.pk}/")
    author.locator("#id_press_note").fill("Frage einer Journalistin der Kreiszeitung")
    navigate(author, lambda: author.get_by_role("button", name="An die Pressestelle").click())
    expect(author.locator("#press-state")).to_contain_text("Für den Fachbereich gesperrt")
    expect(author.locator("#reply-form")).to_have_count(0)

    press = browse("presse")
    press.goto(f"{base[0]}//{base[2]}/inbox/{item.pk}/")
    expect(press.locator("#hand-back")).to_be_visible()
    press.locator("#id_reply_text").fill(
        "Die Pressestelle meldet sich dazu bei Ihnen. Schreiben Sie uns eine Direktnachricht."
    )
    navigate(press, lambda: press.get_by_role("button", name="Antwort senden").click())
    reply = Reply.objects.get()
    assert no_worker == [reply.pk] and reply.author.username == "presse"
    assert replying.reply_send(reply.pk) == Reply.Status.PUBLISHED
    press.reload()
    expect(press.locator("#replies")).to_contain_text("veröffentlicht")
    expect(press.locator("#press-history")).to_contain_text("von der Pressestelle beantwortet")
