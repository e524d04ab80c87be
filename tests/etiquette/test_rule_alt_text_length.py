from etiquette.types import MediaLike

from .conftest import of_rule


def test_alt_text_over_the_networks_limit_blocks_per_network(check):
    media = (MediaLike(alt_text="Ein Satz. " * 120, credit="Landkreis"),)  # 1,199 characters once stripped
    findings = of_rule(
        check("Text", channels=("x", "mastodon", "bluesky", "instagram"), media=media), "alt_text.length"
    )
    assert sorted(f.channel for f in findings) == ["instagram", "x"]
    assert all(f.media_index == 0 and "1199 Zeichen, erlaubt sind 1000" in f.message for f in findings)


def test_alt_text_within_the_limit_passes(check):
    media = (MediaLike(alt_text="Ein Satz. " * 100, credit="Landkreis"),)  # exactly 1,000 (stripped: 999)
    assert of_rule(check("Text", channels=("x",), media=media), "alt_text.length") == []
