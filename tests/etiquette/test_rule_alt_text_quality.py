import pytest

from etiquette.types import MediaLike, Severity

from .conftest import GOOD_IMAGE, of_rule


@pytest.mark.parametrize(
    ("alt", "expected"),
    [
        ("IMG_1234.jpg", "Dateiname"),
        ("DSC01234", "Dateiname"),
        ("foto-kreishaus.png", "Dateiname"),
        ("Bild von der neuen Kreisstraße bei Scheeßel im Sonnenschein", "beginnt mit „Bild von“"),
        ("Foto von Landrat und Bürgermeistern beim Spatenstich", "beginnt mit „Foto von“"),
        ("Kreishaus", "sehr kurz (9 Zeichen"),
    ],
)
def test_useless_alt_texts_warn(check, alt, expected):
    findings = of_rule(
        check("Text", media=(MediaLike(alt_text=alt, credit="Landkreis"),)), "alt_text.quality"
    )
    assert len(findings) == 1
    assert findings[0].severity == Severity.WARN and findings[0].media_index == 0
    assert expected in findings[0].message


def test_a_real_description_passes(check):
    assert of_rule(check("Text", media=(GOOD_IMAGE,)), "alt_text.quality") == []


def test_minimum_length_is_a_parameter(check, rule_update):
    rule_update("alt_text.quality", parameters={"min_length": 5})
    media = (MediaLike(alt_text="Kreishaus", credit="Landkreis"),)
    assert of_rule(check("Text", media=media), "alt_text.quality") == []
