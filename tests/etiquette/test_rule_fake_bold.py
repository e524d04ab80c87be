from etiquette.types import Severity

from .conftest import of_rule, span_of


def test_mathematical_bold_and_italic_block_with_a_plain_suggestion(check):
    text = "𝐖𝐢𝐜𝐡𝐭𝐢𝐠𝐞 𝐈𝐧𝐟𝐨: Das Kreishaus ist geschlossen. Bitte 𝘯𝘪𝘤𝘩𝘵 anrufen."
    findings = of_rule(check(text), "unicode.fake_bold")
    assert [(f.start, f.end) for f in findings] == [span_of(text, "𝐖𝐢𝐜𝐡𝐭𝐢𝐠𝐞 𝐈𝐧𝐟𝐨"), span_of(text, "𝘯𝘪𝘤𝘩𝘵")]
    assert findings[0].severity == Severity.BLOCK
    assert findings[0].suggestion == "Wichtige Info" and findings[1].suggestion == "nicht"


def test_umlauts_greek_letters_and_math_operators_pass(check):
    assert of_rule(check("Größe ≥ 5 m² – Öffnung: α-Version, Straße"), "unicode.fake_bold") == []
