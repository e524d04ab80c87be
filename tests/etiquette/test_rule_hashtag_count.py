from etiquette.types import Severity

from .conftest import GOOD_IMAGE, of_rule, span_of


def test_more_than_three_hashtags_warn_from_the_fourth(check):
    text = "Sommerferien! #Ferien #Landkreis #Rotenburg #Sommer"
    findings = of_rule(check(text), "hashtag.count")
    assert [(f.severity, f.start, f.end) for f in findings] == [(Severity.WARN, *span_of(text, "#Sommer"))]


def test_three_hashtags_pass(check):
    assert of_rule(check("Sommerferien! #Ferien #Landkreis #Rotenburg"), "hashtag.count") == []


def test_over_instagrams_cap_blocks_for_instagram(check):
    tags = " ".join(f"#Tag{chr(65 + i // 26)}{chr(65 + i % 26)}" for i in range(31))
    findings = of_rule(
        check("Bilder vom Kreisfest " + tags, channels=("instagram", "facebook"), media=(GOOD_IMAGE,)),
        "hashtag.count",
    )
    assert sorted((f.severity, f.channel or "") for f in findings) == [
        (Severity.BLOCK, "instagram"),
        (Severity.WARN, ""),
    ]
