"""``personal_data``: phone numbers, e-mail addresses, valid IBANs, dates of birth, street addresses –
unless they are the county's official contacts on the allowlist."""

import pytest

from etiquette.types import Severity

from .conftest import marked, of_rule, span_of


@pytest.mark.parametrize(
    ("text", "passage"),
    [
        ("Bei Fragen erreichen Sie Frau Meyer unter 0171 1234567.", "0171 1234567"),
        ("Rückfragen bitte an +49 4281 71234 (Hausmeister).", "+49 4281 71234"),
        ("Tel.: (04282) 59 30 12, auch am Wochenende.", "(04282) 59 30 12"),
        ("Schreiben Sie an heinz.mueller@gmx.de, er sammelt die Anmeldungen.", "heinz.mueller@gmx.de"),
        ("Spenden bitte an DE89 3704 0044 0532 0130 00, Stichwort Tierheim.", "DE89 3704 0044 0532 0130 00"),
        ("Wir gratulieren Frau Schulz (geb. 12.03.1941) zur Ehrennadel.", "geb. 12.03.1941"),
        ("Herr Brandt, geboren am 4. Mai 1950, erhält die Ehrennadel.", "geboren am 4. Mai 1950"),
        ("Abholung bei Familie Kruse, Lindenweg 4 in Sottrum.", "Lindenweg 4"),
        ("Die Fundsachen liegen bei Frau Peters, Große Straße 17a.", "Große Straße 17a"),
        ("Der Hund wohnt jetzt bei Herrn Ahrens, An der Wiese 5, in Bothel.", "An der Wiese 5"),
        ("Treffpunkt ist bei Familie Brandt, Am Sande 3.", "Am Sande 3"),
    ],
)
def test_personal_data_is_found_with_its_place(check, text, passage):
    findings = of_rule(check(text), "personal_data")
    assert len(findings) == 1, [f.message for f in findings]
    assert findings[0].severity == Severity.BLOCK
    assert (findings[0].start, findings[0].end) == span_of(text, passage)


def test_the_county_switchboard_its_mailboxes_and_the_kreishaus_are_allowlisted(check):
    text = (
        "Fragen beantwortet das Bürgertelefon unter 04261 983-0 oder 04261 983-2345, per Mail an "
        "buergerservice@lk-row.de oder vor Ort im Kreishaus, Hopfengarten 2."
    )
    assert of_rule(check(text), "personal_data") == []


@pytest.mark.parametrize(
    "text",
    [
        "Die Zulassungsstelle ist am Montag geschlossen.",
        "Der Termin ist am 01.03.2027 um 10:00 Uhr, Einlass ab 09:30 Uhr.",
        "Die Gebühr beträgt 30,70 Euro. Im Jahr 2026 gab es 12.345 Anträge.",
        "Aktenzeichen 2026/0815 – die Frist endet am 15.04.2027.",
        "Die Kundennummer DE12 3456 7890 1234 5678 90 ist keine gültige IBAN.",
        "Die Sperrung der Kreisstraße 12 dauert 3 Wochen.",
        "Im Jahr 2027 feiert der Landkreis sein Jubiläum. Am Montag 12 Uhr beginnt das Fest.",
        "Der Rückweg 20 Minuten, der Marktplatz 3 Kilometer entfernt.",
        "Postleitzahl 27356 Rotenburg (Wümme), Telefonzentrale siehe Webseite.",
    ],
)
def test_ordinary_numbers_dates_and_invalid_ibans_are_not_personal_data(check, text):
    assert marked(check(text), "personal_data", text) == []


def test_an_allowlist_entry_added_by_the_admin_is_followed(check):
    from etiquette import services

    text = "Die Schuldnerberatung erreichen Sie unter 04281 9520."
    assert marked(check(text), "personal_data", text) == ["04281 9520"]
    services.allowlist_entry_add(actor=None, kind="phone", value="04281 952")
    assert marked(check(text), "personal_data", text) == []


def test_parts_can_be_switched_off(check, rule_update):
    text = "Kontakt: 0171 1234567 oder privat@example.org"
    rule_update("personal_data", parameters={"phones": False})
    assert marked(check(text), "personal_data", text) == ["privat@example.org"]
