"""Text length the way each network counts it (table per network), and the limits the etiquette
engine reads from the registry."""

from __future__ import annotations

import pytest

from channels.networks import registry
from channels.networks.base import NetworkAdapter, PostContent

FAMILY = "👨\u200d👩\u200d👧\u200d👦"  # one grapheme, seven code points
FLAG = "🇩🇪"  # one grapheme, two code points
Q_DOT = "q\u0307"  # q + combining dot above: no precomposed form, one grapheme, two code points
URL = "https://www.lk-row.de/impfen/termine?ort=rotenburg"  # 50 characters

X_TABLE = [
    ("Hallo", 5),
    ("Impfen 💉", 9),  # emoji count 2
    (FAMILY, 2),  # an emoji sequence counts 2 as a whole
    ("日本語", 6),  # CJK counts 2
    (URL, 23),  # every URL counts 23
    ("lk-row.de", 23),  # a bare domain is a URL for X
    (f"Mehr: {URL} und {URL}", 6 + 23 + 5 + 23),
    ("e\u0301", 1),  # NFC: e + combining acute = é
    ("x" * 280, 280),
]

MASTODON_TABLE = [
    ("Hallo", 5),
    (URL, 23),
    ("lk-row.de", 9),  # without a scheme Mastodon does not shorten
    ("@landkreis@social.example hallo", len("@landkreis hallo")),  # remote mention counts the local part
    (FAMILY, 1),
    (FLAG, 1),
    (Q_DOT, 1),
    ("Impfen 💉", 8),
]

BLUESKY_TABLE = [
    ("Hallo", 5),
    (FAMILY, 1),
    (FLAG, 1),
    (Q_DOT, 1),
    ("e\u0301", 1),
    (URL, len(URL)),  # no URL shortening on Bluesky
    ("Grüße 👋🏽", 7),  # skin-tone modifier belongs to the emoji
]

CODEPOINT_TABLE = [
    ("Hallo", 5),
    (URL, len(URL)),
    (Q_DOT, 2),
    ("e\u0301", 1),
]


@pytest.mark.parametrize(("text", "expected"), X_TABLE)
def test_x_weighted_length(text, expected):
    assert registry.get("x").count_length(text) == expected


@pytest.mark.parametrize(("text", "expected"), MASTODON_TABLE)
def test_mastodon_length(text, expected):
    assert registry.get("mastodon").count_length(text) == expected


@pytest.mark.parametrize(("text", "expected"), BLUESKY_TABLE)
def test_bluesky_graphemes(text, expected):
    assert registry.get("bluesky").count_length(text) == expected


@pytest.mark.parametrize("kind", ["facebook", "instagram", "sandbox"])
@pytest.mark.parametrize(("text", "expected"), CODEPOINT_TABLE)
def test_code_point_networks(kind, text, expected):
    assert registry.get(kind).count_length(text) == expected


@pytest.mark.parametrize(
    ("kind", "max_length", "alt_text_max", "requires_media"),
    [
        ("x", 280, 1000, False),
        ("mastodon", 500, 1500, False),
        ("bluesky", 300, 2000, False),
        ("instagram", 2200, 1000, True),
        ("facebook", 63206, None, False),
    ],
)
def test_limits_from_the_etiquette_catalogue(kind, max_length, alt_text_max, requires_media):
    limits = registry.get(kind).limits
    assert (limits.max_length, limits.alt_text_max, limits.requires_media) == (
        max_length,
        alt_text_max,
        requires_media,
    )


def test_registry_feeds_the_channel_choices():
    assert [kind for kind, _label in registry.choices()] == registry.kinds()
    assert set(registry.kinds()) == {"facebook", "instagram", "mastodon", "bluesky", "x", "sandbox"}
    with pytest.raises(KeyError):
        registry.get("myspace")


def test_link_is_appended_once_and_facebook_sends_it_separately():
    content = PostContent(text="Infos zum Impfen", link=URL)
    assert NetworkAdapter.compose_text(content) == f"Infos zum Impfen\n\n{URL}"
    assert NetworkAdapter.compose_text(PostContent(text=f"Infos: {URL}", link=URL)) == f"Infos: {URL}"
    assert registry.get("facebook").compose_text(content) == "Infos zum Impfen"
