from etiquette.types import Severity

from .conftest import marked, of_rule, span_of


def test_sales_language_prices_used_to_sell_and_affiliate_links_warn(check):
    text = (
        "Jetzt kaufen: Die neue Rauchmelder-Serie gibt es im Shop für nur 19,99 €! Mit dem Rabattcode "
        "KREIS10 sparen Sie mehr. https://www.amazon.de/dp/B0123?tag=landkreis-21"
    )
    findings = of_rule(check(text), "commercial")
    assert [(f.start, f.end) for f in findings] == [
        span_of(text, "Jetzt kaufen"),
        span_of(text, "19,99 €"),
        span_of(text, "Rabattcode"),
        span_of(text, "https://www.amazon.de/dp/B0123?tag=landkreis-21"),
    ]
    assert {f.severity for f in findings} == {Severity.WARN}


def test_fees_and_prices_as_information_pass(check):
    text = (
        "Der neue Personalausweis kostet 37 Euro. Für die Zulassung zahlen Sie 30,70 EUR. Das "
        "Deutschlandticket gibt es für 58 € im Monat bei den Verkehrsbetrieben."
    )
    assert marked(check(text), "commercial", text) == []
