from etiquette.types import Severity

from .conftest import marked

TEXT = "Liebe Bürger*innen, liebe Lehrer:innen, Schüler_innen, Kolleg·innen und MitarbeiterInnen!"


def test_off_by_default_as_niedersachsen_allows_them(check):
    assert marked(check(TEXT), "gender_characters", TEXT) == []


def test_switched_on_it_marks_every_form(check, rule_update):
    rule_update("gender_characters", severity="block")
    findings = [f for f in check(TEXT) if f.rule == "gender_characters"]
    assert [TEXT[f.start : f.end] for f in findings] == [
        "Bürger*innen",
        "Lehrer:innen",
        "Schüler_innen",
        "Kolleg·innen",
        "MitarbeiterInnen",
    ]
    assert {f.severity for f in findings} == {Severity.BLOCK}


def test_times_lists_and_pair_forms_pass(check, rule_update):
    rule_update("gender_characters", severity="warn")
    text = (
        "Bürgerinnen und Bürger, Mitarbeitende: Beginn 10:30 Uhr, Hinweis: Innenstadt gesperrt, ÖPNV fährt."
    )
    assert marked(check(text), "gender_characters", text) == []
