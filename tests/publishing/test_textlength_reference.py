"""The fast length counters agree with the reference implementations on generated texts.

``channels.networks.textlength`` runs twitter-text's URL and emoji expressions and ``regex``'s
grapheme clusters only where they can match (see its docstring). These property tests compare it
with the plain, slow way on texts built from the pieces that make counting hard: URLs with and
without scheme, emoji (keycaps, ZWJ sequences, flags, skin tones, ©/®), combining marks, CJK,
Hangul jamo, Arabic prepend marks, line endings and punctuation next to all of them.
"""

import unicodedata

import regex
import twitter_text
from hypothesis import given, settings
from hypothesis import strategies as st

from channels.networks import textlength

PIECES = [
    "Die Zulassungsstelle",
    " ",
    "  ",
    "\n",
    "\r\n",
    "\r",
    "\t",
    ".",
    ". ",
    ",",
    ":",
    "/",
    "-",
    "(",
    ")",
    "#",
    "*",
    "@",
    "1",
    "0",
    "Öffnungszeiten",
    "Straße",
    "é",
    "e\u0301",
    "q\u0301",
    "a\u0308\u0301",
    "https://www.lk-row.de/impfen",
    "http://example.com",
    "www.landkreis-rotenburg.de",
    "lk-row.de/a?b=1",
    "niedersachsen.de.",
    "http://127.0.0.1:8000/x",
    "https://xn--bcher-kva.de",
    "z.B.",
    "3.",
    "Uhr.",
    "‼",
    "\u2049",
    "„",
    "“",
    "–",
    "https://t.co/abcdef",
    "example.com中国語",
    "日本語.jp",
    "foo.bar",
    "a.b",
    "😀",
    "👍🏽",
    "👨\u200d👩\u200d👧",
    "🇩🇪",
    "🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",
    "#\ufe0f\u20e3",
    "1\ufe0f\u20e3",
    "*\u20e3",
    "©",
    "®",
    "©\ufe0f",
    "©\u200d😀",
    "\u2764\ufe0f",
    "\u200d",
    "\ufe0f",
    "日本語",
    "한국어",
    "\u1100\u1161\u11a8",
    "\u0600",
    "\u06001",
    "\u0915\u094d\u0937",
    "\u2019",
    "\u2026",
    "\u00a0",
    "\u3000",
    "\u200b",
    "@name@mastodon.social",
    "@amt@social.example.de",
    "ⓐ",
    "𝐁𝐨𝐥𝐝",
]

texts = st.lists(st.sampled_from(PIECES) | st.text(max_size=3), max_size=40).map("".join)


def reference_graphemes(text: str) -> int:
    return len(regex.findall(r"\X", unicodedata.normalize("NFC", text)))


def reference_mastodon(text: str) -> int:
    text = textlength._REMOTE_MENTION.sub(r"\1", unicodedata.normalize("NFC", text))
    total, last = 0, 0
    for found in twitter_text.extract_urls_with_indices(text):
        start, end = found["indices"]
        if not found["url"].lower().startswith(("http://", "https://")):
            continue
        total += reference_graphemes(text[last:start]) + 23
        last = end
    return total + reference_graphemes(text[last:])


@settings(max_examples=int(__import__("os").environ.get("TEXTLENGTH_EXAMPLES", "400")), deadline=None)
@given(texts)
def test_x_weighted_length_matches_twitter_text(text):
    textlength.x_weighted.cache_clear()
    assert textlength.x_weighted(text) == twitter_text.parse_tweet(text).weightedLength


@settings(max_examples=int(__import__("os").environ.get("TEXTLENGTH_EXAMPLES", "400")), deadline=None)
@given(texts)
def test_graphemes_match_regex_clusters(text):
    assert textlength.graphemes(text) == reference_graphemes(text)


@settings(max_examples=int(__import__("os").environ.get("TEXTLENGTH_EXAMPLES", "400")), deadline=None)
@given(texts)
def test_mastodon_length_matches_the_whole_text_extraction(text):
    textlength.mastodon.cache_clear()
    assert textlength.mastodon(text) == reference_mastodon(text)


def test_known_values():
    assert textlength.x_weighted("english text 日本語 😷 https://example.com") == 46
    assert textlength.x_weighted("Hallo 1\ufe0f\u20e3 ©") == 11
    assert textlength.graphemes("👨\u200d👩\u200d👧 e\u0301") == 3
    assert (
        textlength.mastodon("Infos: https://www.lk-row.de/" + "x" * 80 + " @amt@social.example.de")
        == 7 + 23 + 5
    )
