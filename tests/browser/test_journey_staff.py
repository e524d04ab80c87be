"""Journey 1 in real Chromium: ``redaktion`` confirms the new etiquette, writes a post with an image and
alt text, sees counters, previews and findings, fixes a blocking finding and submits.

The demo world (``seed_demo``) on the live server: the Gesundheitsamt may post to the sandbox channel
(Phase 0). Every page is checked with axe-core; the editor is photographed for the README.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from posts.models import Post

from .conftest import axe, navigate, publish_guide_2, type_text, write_poster

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A private e-mail address is personal data: a blocking finding (rule personal_data).
TEXT_WITH_PRIVATE_MAIL = (
    "Ab Montag vergibt das Gesundheitsamt neue Termine für die Grippeimpfung im Kreishaus. "
    "Fragen beantwortet Frau Muster unter erika.muster@gmail.com"
)
TEXT_FIXED = (
    "Ab Montag vergibt das Gesundheitsamt neue Termine für die Grippeimpfung im Kreishaus. "
    "Fragen beantwortet das Team über die Servicenummer des Landkreises."
)
ALT_TEXT = (
    "Plakat der Impfaktion in den Farben des Landkreises: blaue Streifen, eine gelbe Sonne, ein weißes Feld"
)


def test_staff_writes_a_post_with_an_image_fixes_a_blocking_finding_and_submits(
    browse, world, screenshot, tmp_path
):
    publish_guide_2(world["admin"])  # redaktion confirmed 1.0 only: the editor asks for 2.0
    page = browse("redaktion")
    expect(page.locator("#guide-notice")).to_contain_text("Bitte lesen Sie die Social-Media-Etikette.")

    # To the editor through the navigation.
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    navigate(page, lambda: nav.get_by_role("link", name="Beiträge", exact=True).click())
    navigate(page, lambda: page.get_by_role("link", name="Neuen Beitrag schreiben").click())
    assert page.locator("h1").inner_text().startswith("Neuer Beitrag")
    notice = page.locator("#guide-notice")
    expect(notice).to_contain_text("Version 2.0")

    # The guide: read, tick, confirm.
    navigate(page, lambda: notice.get_by_role("link", name="Etikette lesen und bestätigen").click())
    expect(page.locator("#ack-status")).to_contain_text("Noch nicht bestätigt.")
    page.get_by_label("gelesen", exact=False).check()
    navigate(page, lambda: page.get_by_role("button", name="Gelesen und verstanden").click())
    expect(page.locator("#ack-status")).to_contain_text("Bestätigt.")

    # Write: title, text with a private e-mail address, the sandbox channel.
    navigate(page, lambda: page.goto(page.base + "/posts/new/"))
    expect(page.locator("#guide-notice")).to_have_count(0)
    page.get_by_label("Interner Titel").fill("Grippeimpfung im Kreishaus")
    type_text(page.get_by_label("Text", exact=True), TEXT_WITH_PRIVATE_MAIL)
    page.get_by_role("checkbox", name="Sandbox (Testkanal)").check()
    summary = page.locator("#live-summary")
    expect(summary).to_contain_text("1 Problem muss vor dem Einreichen behoben werden.")
    counter = page.locator("#counters .counter").first
    expect(counter).to_contain_text("Sandbox (Testkanal)")
    expect(counter.locator(".counter__value")).to_contain_text(str(len(TEXT_WITH_PRIVATE_MAIL)))
    expect(page.locator("#findings li[data-rule='personal_data']")).to_have_count(1)
    expect(page.locator("#findings .finding-text mark")).to_contain_text("erika.muster@gmail.com")
    expect(page.locator("#previews .preview")).to_contain_text("Ab Montag vergibt das Gesundheitsamt")
    axe(page, context="/posts/new/ (live check with a blocking finding)")

    # The image with alt text and credit; saving keeps everything.
    page.get_by_label("Bild oder Video hinzufügen").set_input_files(write_poster(tmp_path / "impfaktion.png"))
    page.get_by_label("Alternativtext: Was zeigt das Bild?").fill(ALT_TEXT)
    page.get_by_label("Bildnachweis / Lizenz").fill("Grafik: Landkreis Rotenburg (Wümme)")
    navigate(page, lambda: page.get_by_role("button", name="Speichern", exact=True).click())
    post = Post.objects.get(title="Grippeimpfung im Kreishaus")
    assert page.url == f"{page.base}/posts/{post.pk}/edit/"
    expect(page.locator(".messages")).to_contain_text("Entwurf gespeichert.")
    medium = post.media.get()
    assert (medium.alt_text, medium.width, medium.height) == (ALT_TEXT, 1200, 675)
    expect(page.locator(".media-item")).to_contain_text("impfaktion.png")
    expect(page.locator("#previews .preview img")).to_have_attribute("alt", ALT_TEXT)
    expect(page.locator("#live-summary")).to_contain_text("1 Problem muss vor dem Einreichen behoben werden.")
    assert page.input_value("#id_text") == TEXT_WITH_PRIVATE_MAIL
    screenshot(page, "editor", full_page=True)

    # Submitting with the blocking finding is refused, next to the findings; nothing is lost.
    navigate(page, lambda: page.get_by_role("button", name="Zur Freigabe einreichen").click())
    assert page.url == f"{page.base}/posts/{post.pk}/edit/"
    expect(page.locator(".messages .alert-danger")).not_to_have_count(0)
    assert page.input_value("#id_text") == TEXT_WITH_PRIVATE_MAIL
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT

    # Fix it: the live check clears, then submit.
    type_text(page.get_by_label("Text", exact=True), TEXT_FIXED)
    expect(page.locator("#live-summary")).to_contain_text("Die Etikette-Prüfung hat nichts zu beanstanden.")
    expect(page.locator("#findings li[data-rule='personal_data']")).to_have_count(0)
    axe(page, context=f"/posts/{post.pk}/edit/ (fixed)")
    navigate(page, lambda: page.get_by_role("button", name="Zur Freigabe einreichen").click())
    assert page.url == f"{page.base}/posts/{post.pk}/"
    expect(page.locator(".messages")).to_contain_text("Zur Freigabe eingereicht.")
    expect(page.locator("#post-status")).to_contain_text("in Prüfung")
    post.refresh_from_db()
    assert post.status == Post.Status.IN_REVIEW
    assert post.text == TEXT_FIXED
    assert post.revisions.count() == 1
