from etiquette.types import Severity

from .conftest import marked, of_rule, span_of


def test_press_words_and_quotes_of_the_landrat_route_to_the_press_office(check):
    text = (
        "Pressemitteilung: Neue Kita in Visselhövede. Landrat Marco Prietz sagt dazu: "
        "„Das ist ein guter Tag für die Familien.“"
    )
    findings = of_rule(check(text), "press.relevant")
    assert [(f.start, f.end) for f in findings] == [
        span_of(text, "Pressemitteilung"),
        span_of(text, "„Das ist ein guter Tag für die Familien.“"),
    ]
    assert all(f.severity == Severity.WARN and f.routes_to_press for f in findings)


def test_statement_on_behalf_of_the_county(check):
    text = "Stellungnahme des Landkreises zum Bahnausbau: Wir lehnen die Trasse ab."
    assert marked(check(text), "press.relevant", text) == ["Stellungnahme"]


def test_quotes_without_an_office_holder_and_the_word_presse_alone_pass(check):
    text = (
        'Die Kita „Kleine Strolche“ öffnet. Die Presse ist herzlich eingeladen. Motto: "Gemeinsam wachsen".'
    )
    assert marked(check(text), "press.relevant", text) == []
