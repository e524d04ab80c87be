from etiquette.types import MediaLike, Severity

from .conftest import of_rule

ALT = "Schülerinnen und Schüler pflanzen Bäume am Schulzentrum"


def test_identifiable_people_without_consent_block(check):
    media = (MediaLike(alt_text=ALT, credit="Landkreis", shows_people=True, consent=False),)
    findings = of_rule(check("Text", media=media), "media.people_consent")
    assert [(f.media_index, f.severity) for f in findings] == [(0, Severity.BLOCK)]


def test_people_with_recorded_consent_or_no_people_pass(check):
    media = (
        MediaLike(alt_text=ALT, credit="Landkreis", shows_people=True, consent=True),
        MediaLike(alt_text=ALT, credit="Landkreis", shows_people=False),
    )
    assert of_rule(check("Text", media=media), "media.people_consent") == []
