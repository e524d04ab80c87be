"""The German/English switch in real Chromium: the footer's language form (signed out) and the user
menu (signed in) change every page – the
server-rendered ones and the editor's live check (htmx) – and switches back; German is the default."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import axe, navigate, sign_in, type_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = "Am Samstag ist das Kreishaus geschlossen. Fragen an erika.muster@gmail.com"


def switch_language(page, code: str, button: str) -> None:
    """Signed out: the footer's language form."""
    page.select_option("#language-select", code)
    navigate(page, lambda: page.get_by_role("button", name=button).click())


def switch_language_in_user_menu(page, language: str) -> None:
    """Signed in: the user menu in the top bar lists the languages."""
    page.locator("#user-menu-button").click()
    navigate(page, lambda: page.locator(".user-menu").get_by_role("button", name=language).click())


def test_german_by_default_english_on_request_and_back(browse):
    page = browse(None)  # a browser that asks for German first (Accept-Language de-DE)
    navigate(page, lambda: page.goto(page.base + "/accounts/login/"))
    assert page.get_attribute("html", "lang") == "de"
    expect(page.locator("label[for=id_username]")).to_contain_text("Benutzername")

    switch_language(page, "en", "Sprache wechseln")
    assert page.url == page.base + "/accounts/login/"  # the same page, now in English
    assert page.get_attribute("html", "lang") == "en"
    expect(page.locator("label[for=id_username]")).to_contain_text("User name")

    # Signing in keeps the language; the pages and the editor's live check are English.
    sign_in(page, "redaktion")
    expect(page.locator("h1")).to_contain_text("Welcome, Renate Redlich")
    nav = page.get_by_role("navigation", name="Main navigation")
    expect(nav.get_by_role("link", name="Posts", exact=True)).to_be_visible()
    navigate(page, lambda: page.goto(page.base + "/posts/new/"))
    expect(page.locator("h1")).to_contain_text("New post")
    page.get_by_label("Internal title").fill("Kreishaus geschlossen")
    type_text(page.get_by_label("Text", exact=True), TEXT)
    page.get_by_role("checkbox", name="Sandbox (Testkanal)").check()
    expect(page.locator("#live-summary")).to_contain_text("1 problem must be fixed before submitting.")
    axe(page, context="/posts/new/ (English, live check)")

    switch_language_in_user_menu(page, "Deutsch")
    assert page.url == page.base + "/posts/new/"
    assert page.get_attribute("html", "lang") == "de"
    expect(page.locator("h1")).to_contain_text("Neuer Beitrag")
    # What was typed survives the switch (the editor keeps unsaved text in this browser).
    assert page.input_value("#id_text") == TEXT
    expect(page.locator("#live-summary")).to_contain_text("1 Problem muss vor dem Einreichen behoben werden.")
    axe(page, context="/posts/new/ (German again, restored text)")
