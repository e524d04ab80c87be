from etiquette.types import Severity

from .conftest import marked, of_rule


def test_two_words_in_capitals_and_double_marks_warn(check):
    text = "ACHTUNG: Das Kreishaus bleibt HEUTE geschlossen!! Warum nur??"
    findings = of_rule(check(text), "tone.shouting")
    assert [text[f.start : f.end] for f in findings] == ["ACHTUNG", "HEUTE", "!!", "??"]
    assert {f.severity for f in findings} == {Severity.WARN}


def test_one_capital_word_abbreviations_and_single_marks_pass(check):
    text = "WICHTIG: Die DSGVO gilt auch für den ÖPNV und die COVID-19-Impfung. Kommen Sie vorbei! Fragen?"
    assert marked(check(text), "tone.shouting", text) == []


def test_exempt_abbreviations_are_a_parameter(check, rule_update):
    text = "Der LANDKREIS informiert über die KREISUMLAGE."
    assert marked(check(text), "tone.shouting", text) == ["LANDKREIS", "KREISUMLAGE"]
    rule_update("tone.shouting", parameters={"exempt": ["LANDKREIS"], "min_words": 2})
    assert marked(check(text), "tone.shouting", text) == []
