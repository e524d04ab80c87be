from etiquette.types import Severity

from .conftest import of_rule, span_of


def test_officialese_is_marked_with_a_plainer_word(check):
    text = "Gemäß § 5 ist bzgl. der Inanspruchnahme i.V.m. der Satzung eine Gebühr zu entrichten."
    findings = of_rule(check(text), "plain_language.terms")
    assert [(text[f.start : f.end], f.suggestion) for f in findings] == [
        ("Gemäß", "nach"),
        ("bzgl.", "zu, über"),
        ("Inanspruchnahme", "Nutzung"),
        ("i.V.m.", "zusammen mit"),
        ("zu entrichten", "zu bezahlen"),
    ]
    assert all(f.severity == Severity.INFO for f in findings)
    assert findings[0].message == "„Gemäß“ ist Amtsdeutsch. Einfacher: „nach“."


def test_words_that_only_contain_a_term_pass(check):
    text = "Die Seitenstraße ist gesperrt. Gemäßigte Temperaturen am Wochenende."
    assert of_rule(check(text), "plain_language.terms") == []


def test_the_lexicon_is_admin_edited(check):
    from etiquette import services

    text = "Die Ausfertigung erhalten Sie postalisch. Das Verbringungsverbot gilt weiter."
    assert [text[f.start : f.end] for f in of_rule(check(text), "plain_language.terms")] == [
        "Ausfertigung",
        "postalisch",
    ]
    services.term_add(
        actor=None, term_list="amtsdeutsch", term="Verbringungsverbot", suggestion="Verbot, Tiere zu bringen"
    )
    findings = of_rule(check(text), "plain_language.terms")
    assert (findings[-1].start, findings[-1].end) == span_of(text, "Verbringungsverbot")
