from etiquette.types import MediaLike, Severity

from .conftest import GOOD_IMAGE, of_rule


def test_image_without_credit_blocks(check):
    findings = of_rule(
        check("Text", media=(MediaLike(alt_text="Der neue Spielplatz am Kreishaus", credit=""),)),
        "media.credit",
    )
    assert [(f.media_index, f.severity) for f in findings] == [(0, Severity.BLOCK)]
    assert "§ 13 UrhG" in findings[0].message


def test_credited_image_passes(check):
    assert of_rule(check("Text", media=(GOOD_IMAGE,)), "media.credit") == []
