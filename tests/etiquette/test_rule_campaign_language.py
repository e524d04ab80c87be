from etiquette.types import Severity

from .conftest import marked, of_rule, span_of


def test_campaign_language_blocks_and_routes_to_the_press_office(check):
    text = "Am Sonntag ist Wahl: Ihre Stimme für einen starken Landkreis – wählen Sie uns! Zum Wahlkampfauftakt gibt es Bratwurst."
    findings = of_rule(check(text), "neutrality.campaign_language")
    assert [(f.start, f.end) for f in findings] == [
        span_of(text, "Ihre Stimme für"),
        span_of(text, "wählen Sie uns"),
        span_of(text, "Wahlkampfauftakt"),
    ]
    assert all(f.severity == Severity.BLOCK and f.routes_to_press for f in findings)


def test_neutral_election_information_passes(check):
    text = (
        "Die Briefwahlunterlagen können Sie ab Montag beantragen. Wählen Sie im Online-Formular Ihre "
        "Gemeinde aus. Das Wahllokal ist von 8 bis 18 Uhr geöffnet."
    )
    assert marked(check(text), "neutrality.campaign_language", text) == []
