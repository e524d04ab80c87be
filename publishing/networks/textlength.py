"""Counting a text's length the way each network counts it.

- X: twitter-text's weighted length (NFC; URLs count 23; emoji and CJK count 2).
- Mastodon: grapheme clusters, every URL counts 23 (what Mastodon's StatusLengthValidator does).
- Bluesky: grapheme clusters.
- Others: Unicode code points.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import regex
import twitter_text

MASTODON_URL_LENGTH = 23
_GRAPHEME = regex.compile(r"\X")


def codepoints(text: str) -> int:
    return len(unicodedata.normalize("NFC", text))


def graphemes(text: str) -> int:
    return len(_GRAPHEME.findall(unicodedata.normalize("NFC", text)))


@lru_cache(maxsize=4096)
def x_weighted(text: str) -> int:
    return twitter_text.parse_tweet(text).weightedLength


_REMOTE_MENTION = regex.compile(r"(?<![\w/])(@[A-Za-z0-9_]+)@[A-Za-z0-9.\-]+[A-Za-z0-9]")


def mastodon(text: str) -> int:
    # A mention of a remote account counts as the local part only (``@name@host`` → ``@name``).
    text = _REMOTE_MENTION.sub(r"\1", unicodedata.normalize("NFC", text))
    total, last = 0, 0
    for found in twitter_text.extract_urls_with_indices(text):
        start, end = found["indices"]
        if not found["url"].lower().startswith(("http://", "https://")):
            continue  # Mastodon only shortens URLs with a scheme
        total += graphemes(text[last:start]) + MASTODON_URL_LENGTH
        last = end
    return total + graphemes(text[last:])
