from etiquette.types import Severity

from .conftest import marked, of_rule, span_of


def test_shorteners_and_unknown_domains_warn_with_their_place(check):
    text = "Infos unter bit.ly/3xYz und https://www.example-shop.com/angebot?id=5. Karte: https://www.lk-row.de/karte."
    findings = of_rule(check(text), "links.domain")
    assert [(f.start, f.end) for f in findings] == [
        span_of(text, "bit.ly/3xYz"),
        span_of(text, "https://www.example-shop.com/angebot?id=5"),
    ]
    assert "Kurz-URL" in findings[0].message and "example-shop.com" in findings[1].message
    assert {f.severity for f in findings} == {Severity.WARN}


def test_own_and_trusted_domains_and_subdomains_pass(check):
    text = (
        "Mehr: https://www.lk-row.de/impfen, https://www.nlga.niedersachsen.de/ und www.bund.de "
        "sowie https://warnung.bund.de/meldungen (Stand: heute)."
    )
    assert marked(check(text), "links.domain", text) == []


def test_the_separate_link_field_is_checked_too(check):
    findings = of_rule(check("Alle Infos im Link.", link="https://tinyurl.com/abc"), "links.domain")
    assert len(findings) == 1 and findings[0].start is None and "Kurz-URL" in findings[0].message


def test_e_mail_addresses_and_file_names_are_no_links(check):
    text = "Schreiben Sie an info@lk-row.de. Formular: antrag.pdf, Foto: IMG_1234.jpg"
    assert marked(check(text), "links.domain", text) == []
