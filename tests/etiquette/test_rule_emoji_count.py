from etiquette.types import Severity

from .conftest import marked, of_rule


def test_more_than_three_emoji_warn_at_the_fourth(check):
    text = "Sommerfest 🎉 mit Musik 🎵, Eis 🍦 und Hüpfburg 🏰!"
    findings = of_rule(check(text), "emoji.count")
    assert [(f.severity, text[f.start : f.end]) for f in findings] == [(Severity.WARN, "🏰")]


def test_three_in_a_row_warn_as_one_finding(check):
    text = "Schulstart! 🎒📚✏️ Wir wünschen allen einen guten Start."
    assert marked(check(text), "emoji.count", text) == ["🎒📚✏️"]


def test_combined_emoji_count_once_and_text_symbols_are_no_emoji(check):
    text = "Unsere Ärztin 👩‍⚕️ berät Familien 👨‍👩‍👧. © Landkreis, Marke® 2027 🇩🇪"
    assert marked(check(text), "emoji.count", text) == []


def test_limits_are_parameters(check, rule_update):
    rule_update("emoji.count", parameters={"max": 1, "max_in_row": 2})
    text = "Danke 🙏 und bis bald 👋"
    assert marked(check(text), "emoji.count", text) == ["👋"]
