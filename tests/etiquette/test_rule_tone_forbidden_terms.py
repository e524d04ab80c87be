from etiquette.types import Severity

from .conftest import of_rule, span_of


def test_insults_from_the_list_block(check):
    text = "Wer hier parkt, ist ein Vollidiot. So ein Schwachsinn!"
    findings = of_rule(check(text), "tone.forbidden_terms")
    assert [(f.start, f.end) for f in findings] == [span_of(text, "Vollidiot"), span_of(text, "Schwachsinn")]
    assert {f.severity for f in findings} == {Severity.BLOCK}


def test_words_that_merely_contain_a_term_pass(check):
    text = "Die Versagensangst vor Prüfungen, das Zigarettenverbot und ein Spaziergang am Deich."
    assert of_rule(check(text), "tone.forbidden_terms") == []


def test_a_trailing_star_covers_the_word_endings(check):
    text = "Das sind doch Idioten, die so fahren."
    assert [text[f.start : f.end] for f in of_rule(check(text), "tone.forbidden_terms")] == ["Idioten"]


def test_the_list_is_admin_edited(check):
    from etiquette import services

    text = "Die Querdenker von gestern."
    assert of_rule(check(text), "tone.forbidden_terms") == []
    services.term_add(actor=None, term_list="forbidden", term="Querdenker")
    assert len(of_rule(check(text), "tone.forbidden_terms")) == 1
