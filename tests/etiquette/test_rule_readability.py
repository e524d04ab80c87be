"""``readability``: Amstad's reading ease and the average sentence length."""

from etiquette.text import count_syllables, syllables
from etiquette.types import Severity

from .conftest import of_rule

BUREAUCRATIC = (
    "Die Inanspruchnahme der Beratungsleistungen der Schuldnerberatungsstelle des Landkreises setzt "
    "grundsätzlich eine vorherige telefonische Terminvereinbarung mit der zuständigen Sachbearbeitung "
    "voraus, wobei entsprechende Antragsunterlagen einschließlich sämtlicher Einkommensnachweise "
    "vollständig mitzubringen sind, damit eine ordnungsgemäße Bearbeitung gewährleistet werden kann."
)
PLAIN = (
    "Sie haben Schulden? Die Schuldnerberatung hilft Ihnen. Rufen Sie vorher an und machen Sie einen "
    "Termin. Bringen Sie Ihre Unterlagen mit. Dazu gehören auch Ihre Lohnzettel."
)


def test_german_syllables_are_estimated_from_vowel_groups():
    assert [syllables(w) for w in ("Haus", "Kreisverwaltung", "Zulassungsstelle", "Kfz")] == [1, 4, 5, 1]
    assert count_syllables("Das Haus, die Kfz-Stelle") == 1 + 1 + 1 + 1 + 2


def test_a_long_bureaucratic_sentence_warns_on_both_counts(check):
    findings = of_rule(check(BUREAUCRATIC), "readability")
    messages = [f.message for f in findings]
    assert len(findings) == 2 and all(f.severity == Severity.WARN for f in findings)
    assert any(m.startswith("Der Text ist schwer lesbar: Lesbarkeitsindex") for m in messages)
    long_sentence = next(f for f in findings if f.start is not None)
    assert (long_sentence.start, long_sentence.end) == (0, len(BUREAUCRATIC))
    assert "im Schnitt 35 Wörter" in long_sentence.message


def test_plain_language_passes(check):
    assert of_rule(check(PLAIN), "readability") == []


def test_texts_under_fifteen_words_are_exempt(check):
    assert (
        of_rule(
            check("Inanspruchnahmevoraussetzungen Zuständigkeitsbereichsleitung Antragsformularvordrucke."),
            "readability",
        )
        == []
    )


def test_abbreviations_and_dates_do_not_end_sentences(check):
    text = (
        "Am 1. März öffnet z. B. die Kfz-Stelle bzw. das Bürgerbüro wieder. Bitte bringen Sie Ihren "
        "Ausweis mit. Wir freuen uns auf Sie."
    )
    assert of_rule(check(text), "readability") == []


def test_thresholds_are_parameters(check, rule_update):
    rule_update("readability", parameters={"fre_min": 95.0, "sentence_max": 5, "min_words": 15})
    assert len(of_rule(check(PLAIN), "readability")) == 2
