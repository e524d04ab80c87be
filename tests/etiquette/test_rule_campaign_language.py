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


def test_a_call_to_vote_for_a_named_party_is_campaign_language_at_any_time(check):
    """Outside every election window (the check's default date): the party name alone is only a note,
    but an appeal to vote for it blocks (issue 14)."""
    for text, passage in (
        ("Wählen Sie am Sonntag die SPD!", "Wählen Sie am Sonntag die SPD"),
        ("Bei der Kreistagswahl: wählen Sie die Grünen.", "wählen Sie die Grünen"),
        ("Geben Sie Ihre Stimme der AfD.", "Geben Sie Ihre Stimme der AfD"),
        ("Am 12. September Ihr Kreuz für die Freie Wähler-Liste machen.", "Ihr Kreuz für die Freie Wähler"),
        ("Stimmen Sie für die Linke – für den Landkreis.", "Stimmen Sie für die Linke"),
    ):
        findings = of_rule(check(text), "neutrality.campaign_language")
        assert [text[f.start : f.end] for f in findings] == [passage], text
        assert findings[0].severity == Severity.BLOCK and findings[0].routes_to_press


def test_a_call_to_vote_for_a_named_candidate_blocks(check):
    from etiquette import services

    services.term_add(actor=None, term_list="party", term="Erika Mustermann", case_sensitive=True)
    text = "Wählen Sie Erika Mustermann zur Landrätin."
    assert marked(check(text), "neutrality.campaign_language", text) == ["Wählen Sie Erika Mustermann"]


def test_neutral_calls_to_vote_and_emergency_numbers_stay_clean(check):
    for text in (
        "Nutzen Sie Ihr Wahlrecht: Am Sonntag ist Kreistagswahl, die Wahllokale sind von 8 bis 18 Uhr offen.",
        "Im Notfall wählen Sie die 112, den ärztlichen Bereitschaftsdienst erreichen Sie unter 116117.",
        "Wählen Sie die linke Spur nur zum Überholen.",
        "Die SPD-Fraktion und die CDU haben im Kreistag den Radweg beantragt. Wählen Sie Ihre Route online.",
    ):
        assert marked(check(text), "neutrality.campaign_language", text) == [], text
