"""Counting a text's length the way each network counts it.

- X: twitter-text's weighted length (NFC; line endings as one; URLs count 23; an emoji counts 2;
  CJK and other characters outside the light ranges count 2).
- Mastodon: grapheme clusters, every URL with a scheme counts 23, a remote mention counts as its
  local part (what Mastodon's ``StatusLengthValidator`` does).
- Bluesky: grapheme clusters.
- Others: Unicode code points.

The editor counts on every pause in typing and the etiquette engine counts for every selected
network, so this is on a hot path. The twitter-text library is the reference (the tests compare
with it on generated texts), but running its URL and emoji expressions over a whole 500-character
post costs about 3 ms; here they run only over the few places where a URL or an emoji can be:

- URLs never contain ASCII white space and always contain a dot, so the URL expression runs on
  each white-space separated token that has a dot (a token's neighbours, white space or the text's
  ends, are equally valid places for a URL to start and end).
- Below U+2000 only ©, ® and keycap bases (``#*0-9`` followed by U+FE0F/U+20E3) belong to emoji, and
  typographic punctuation (U+2000–U+2048 but ‼ and the zero-width joiner) holds none, so the emoji expression runs on each run
  of the remaining characters, with the character before it.
- Grapheme clusters: a run of characters from U+0300 up, together with its neighbours, is counted
  by the ``regex`` module's ``\\X``; every other character is a cluster of its own.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import regex
import twitter_text
from twitter_text.config import config as _twitter_config
from twitter_text.regexp.emoji import emoji as _TWITTER_EMOJI

MASTODON_URL_LENGTH = 23
X_URL_LENGTH = _twitter_config["defaults"]["transformed_url_length"]

_GRAPHEME = regex.compile(r"\X")
_LINE_ENDINGS = regex.compile(r"\r\n|\r")
# Every domain has a dot before a letter (its top-level domain); ``re`` is faster than ``regex`` here.
_DOT_LETTER = re.compile(r"\.[^\W\d_]")
_ASCII_SPACE = re.compile(r"[ \t\n\r\f\v]")
_ASCII_SPACE_CHARS = " \t\n\r\f\v"
# U+2000–U+2048 (spaces, dashes, quotes, ellipsis) hold no emoji but ‼ (U+203C) and the joiner U+200D.
_EMOJI_CANDIDATES = regex.compile(r"[\u00a9\u00ae\u200d\u203c\u2049-\U0010ffff]+")
_CLUSTERING = regex.compile(r"[^\x00-\u02ff]+")
# X counts these code points 1 (weight 100); everything else 2 (weight 200).
_X_HEAVY = regex.compile(r"[^\u0000-\u10ff\u2000-\u200d\u2010-\u201f\u2032-\u2037]")
_REMOTE_MENTION = regex.compile(r"(?<![\w/])(@[A-Za-z0-9_]+)@[A-Za-z0-9.\-]+[A-Za-z0-9]")


def _nfc(text: str) -> str:
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def codepoints(text: str) -> int:
    return len(_nfc(text))


def _graphemes_of_normalised(text: str) -> int:
    text = text.replace("\r\n", "\n")  # one cluster either way
    windows: list[list[int]] = []
    for match in _CLUSTERING.finditer(text):
        start, end = max(match.start() - 1, 0), min(match.end() + 1, len(text))
        if windows and start < windows[-1][1]:  # overlaps the previous window: one window
            windows[-1][1] = end
        else:
            windows.append([start, end])
    total = len(text)
    for start, end in windows:
        total += len(_GRAPHEME.findall(text, start, end)) - (end - start)
    return total


def graphemes(text: str) -> int:
    return _graphemes_of_normalised(_nfc(text))


@lru_cache(maxsize=1024)
def url_spans(text: str) -> tuple[tuple[int, int, str], ...]:
    """(start, end, url) of every URL twitter-text finds in ``text`` (already normalised)."""
    if "." not in text:
        return ()
    spans = []
    token_end = -1
    for dot in _DOT_LETTER.finditer(text):
        if dot.start() < token_end:
            continue  # another dot of the token already looked at
        token_start = max(text.rfind(char, 0, dot.start()) for char in _ASCII_SPACE_CHARS) + 1
        space = _ASCII_SPACE.search(text, dot.start())
        token_end = space.start() if space else len(text)
        # With the white space before it, as twitter-text's expression looks at that character too.
        offset = max(token_start - 1, 0)
        for found in twitter_text.extract_urls_with_indices(text[offset:token_end]):
            start, end = found["indices"]
            spans.append((offset + start, offset + end, found["url"]))
    return tuple(spans)


def emoji_spans(text: str) -> tuple[tuple[int, int], ...]:
    """(start, end) of every emoji twitter-text finds in ``text`` (already normalised)."""
    spans = []
    for run in _EMOJI_CANDIDATES.finditer(text):
        offset = max(run.start() - 1, 0)  # a keycap base (#, *, 0-9) stands right before the run
        for found in _TWITTER_EMOJI.finditer(text, offset, run.end()):
            spans.append((found.start(), found.end()))
    return tuple(spans)


@lru_cache(maxsize=1024)
def x_weighted(text: str) -> int:
    text = _LINE_ENDINGS.sub("\n", _nfc(text))
    # At the same position a URL wins over an emoji, as in twitter-text's loop.
    entities = sorted(
        [(start, 0, end, X_URL_LENGTH) for start, end, _url in url_spans(text)]
        + [(start, 1, end, 2) for start, end in emoji_spans(text)]
    )
    total, position = 0, 0
    for start, _order, end, weight in entities:
        if start < position:  # twitter-text skips an entity that starts inside the previous one
            continue
        plain = text[position:start]
        total += len(plain) + len(_X_HEAVY.findall(plain)) + weight
        position = end
    plain = text[position:]
    return total + len(plain) + len(_X_HEAVY.findall(plain))


@lru_cache(maxsize=1024)
def mastodon(text: str) -> int:
    # A mention of a remote account counts as the local part only (``@name@host`` → ``@name``).
    text = _REMOTE_MENTION.sub(r"\1", _nfc(text))
    total, last = 0, 0
    for start, end, url in url_spans(text):
        if not url.lower().startswith(("http://", "https://")):
            continue  # Mastodon only shortens URLs with a scheme
        total += _graphemes_of_normalised(text[last:start]) + MASTODON_URL_LENGTH
        last = end
    return total + _graphemes_of_normalised(text[last:])
