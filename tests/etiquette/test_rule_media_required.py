from .conftest import GOOD_IMAGE, of_rule


def test_instagram_without_media_blocks_for_instagram_only(check):
    findings = of_rule(check("Text ohne Bild", channels=("facebook", "instagram")), "media.required")
    assert [f.channel for f in findings] == ["instagram"]


def test_instagram_with_an_image_and_text_only_networks_pass(check):
    assert of_rule(check("Text", channels=("instagram",), media=(GOOD_IMAGE,)), "media.required") == []
    assert of_rule(check("Text", channels=("facebook", "mastodon")), "media.required") == []


def test_networks_are_a_parameter(check, rule_update):
    rule_update("media.required", parameters={"channels": ["instagram", "bluesky"]})
    findings = of_rule(check("Text", channels=("bluesky",)), "media.required")
    assert [f.channel for f in findings] == ["bluesky"]
