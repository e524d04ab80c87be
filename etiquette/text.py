"""Text analysis shared by the rule kinds.

A :class:`Doc` wraps one text (the main text or a channel's variant) and computes, once and only when
a rule asks, what several rules need: links, e-mail addresses, hashtags, words and sentences. All
offsets are indices into the Python string (code points), the same offsets findings carry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property

# Characters that end a link or address written in running text.
_STOP = r"\s<>\"'„“”‚‘’»«`"
_TLDS = (
    "de|com|org|net|eu|info|ly|gl|co|io|me|at|ch|nrw|berlin|hamburg|bremen|app|gov|edu|link|to|"
    "tv|fm|cc|biz|online|social|digital|news|site|website|ru|uk|fr|nl|it|es|pl|dk|se|no|be|lu|us"
)
URL_RE = re.compile(
    rf"""(?ix)
    (?<![@\w.\-/])
    (?:
        https?://[^{_STOP}]+
      | www\.[^{_STOP}]+
      | (?:[a-z0-9](?:[a-z0-9\-]{{0,61}}[a-z0-9])?\.)+(?:{_TLDS})\b(?![\-@])(?:/[^{_STOP}]*)?
    )
    """
)
# Where a link can be: a scheme, "www." or a dot before a known top-level domain. Links are only
# looked for around these anchors, which is much faster than trying URL_RE at every position.
_URL_ANCHOR_RE = re.compile(rf"(?i)https?://|www\.|\.(?:{_TLDS})\b(?![\-@])")
_DOMAIN_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")
EMAIL_RE = re.compile(r"(?<![\w.+\-])[\w.+\-]+@(?:[\w\-]+\.)+[^\W\d_]{2,}\b")
HASHTAG_RE = re.compile(r"(?<![\w#&/])#(\w+)")
MENTION_RE = re.compile(r"(?<![\w@/])@\w+(?:@[\w.\-]+\w)?")
# Words for readability: letters, hyphenated compounds count as one word ("Kfz-Zulassungsstelle").
WORD_RE = re.compile(r"[^\W\d_]+(?:[\-'’][^\W\d_]+)*")
_VOWELS = "aeiouyäöüáàéèêíóôúAEIOUYÄÖÜÁÀÉÈÊÍÓÔÚ"
VOWEL_GROUP_RE = re.compile(f"[{_VOWELS}]+")
VOWELLESS_WORD_RE = re.compile(rf"(?<![^\W\d_\-])[^\W\d_{_VOWELS}]+(?![^\W\d_\-])")
_TRAILING = ".,;:!?…"


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    value: str


@dataclass(frozen=True, slots=True)
class Link(Span):
    host: str  # lower case, without "www."; "" when the link has no recognisable host


def _trim(text: str, start: int, end: int) -> int:
    """Drop punctuation that ends the sentence rather than the link; keep balanced brackets."""
    while end > start:
        last = text[end - 1]
        if last in _TRAILING or (last == ")" and text.count("(", start, end) < text.count(")", start, end)):
            end -= 1
        else:
            break
    return end


def link_host(url: str) -> str:
    rest = url.split("://", 1)[1] if "://" in url else url
    host = re.split(r"[/?#:]", rest, maxsplit=1)[0].lower().rstrip(".")
    if "@" in host:  # user@host
        host = host.rsplit("@", 1)[1]
    return host[4:] if host.startswith("www.") else host


def host_matches(host: str, domains: Iterable[str]) -> bool:
    """True when ``host`` is one of ``domains`` or a subdomain of one."""
    return any(host == domain or host.endswith("." + domain) for domain in domains)


class Doc:
    """One text and what the rules read from it, computed lazily and at most once."""

    def __init__(self, text: str):
        self.text = text

    @cached_property
    def emails(self) -> tuple[Span, ...]:
        if "@" not in self.text:
            return ()
        return tuple(Span(m.start(), m.end(), m.group()) for m in EMAIL_RE.finditer(self.text))

    @cached_property
    def links(self) -> tuple[Link, ...]:
        text = self.text
        found: list[Link] = []
        last_end = -1
        for anchor in _URL_ANCHOR_RE.finditer(text):
            if anchor.start() < last_end:
                continue
            start = anchor.start()
            if anchor.group()[0] == ".":  # a bare domain: walk back to where it begins
                while start > 0 and text[start - 1] in _DOMAIN_CHARS:
                    start -= 1
                while start < anchor.start() and text[start] in ".-":
                    start += 1
                if start == anchor.start():
                    continue
            m = URL_RE.match(text, start)
            if m is None:
                continue
            end = _trim(text, m.start(), m.end())
            if end <= m.start() or any(e.start <= m.start() < e.end for e in self.emails):
                last_end = max(last_end, m.end())
                continue
            value = text[m.start() : end]
            found.append(Link(m.start(), end, value, link_host(value)))
            last_end = m.end()
        return tuple(found)

    @cached_property
    def protected(self) -> tuple[tuple[int, int], ...]:
        """Spans of links and e-mail addresses, sorted: rules that read words skip them."""
        spans = [(s.start, s.end) for s in self.links] + [(s.start, s.end) for s in self.emails]
        return tuple(sorted(spans))

    def in_protected(self, start: int, end: int) -> bool:
        """True when [start, end) overlaps a link or an e-mail address (few per post: a plain scan)."""
        return any(p_start < end and p_end > start for p_start, p_end in self.protected)

    @cached_property
    def hashtags(self) -> tuple[Span, ...]:
        """Hashtags with at least one letter, outside links (``…/seite#abschnitt`` is no hashtag)."""
        found: list[Span] = []
        if "#" not in self.text:
            return ()
        for m in HASHTAG_RE.finditer(self.text):
            body = m.group(1)
            if not any(ch.isalpha() for ch in body) or self.in_protected(m.start(), m.end()):
                continue
            found.append(Span(m.start(), m.end(), body))
        return tuple(found)

    @cached_property
    def prose(self) -> str:
        """The text with links, addresses, hashtags and mentions blanked out (same length, same offsets)."""
        chars = list(self.text)
        spans = list(self.protected) + [(h.start, h.end) for h in self.hashtags]
        if "@" in self.text:
            spans += [(m.start(), m.end()) for m in MENTION_RE.finditer(self.text)]
        if not spans:
            return self.text
        for start, end in spans:
            chars[start:end] = " " * (end - start)
        return "".join(chars)

    @cached_property
    def word_index(self):
        """The words of the prose for term lists (``etiquette.terms.WordIndex``)."""
        from .terms import WordIndex

        return WordIndex(self.prose)

    @cached_property
    def lower(self) -> str:
        return self.text.lower()

    @cached_property
    def words(self) -> tuple[tuple[int, int], ...]:
        return tuple([m.span() for m in WORD_RE.finditer(self.prose)])

    @cached_property
    def sentences(self) -> tuple[tuple[int, int], ...]:
        return tuple(split_sentences(self.prose))


# Abbreviations after which a full stop does not end a sentence.
ABBREVIATIONS = frozenset(
    [
        "z",
        "b",
        "bzw",
        "bzgl",
        "ca",
        "dr",
        "prof",
        "nr",
        "str",
        "tel",
        "fax",
        "gem",
        "ggf",
        "evtl",
        "inkl",
        "exkl",
        "usw",
        "etc",
        "vgl",
        "u",
        "a",
        "o",
        "ä",
        "s",
        "v",
        "m",
        "i",
        "d",
        "h",
        "jan",
        "feb",
        "mär",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "okt",
        "nov",
        "dez",
        "mo",
        "di",
        "mi",
        "do",
        "fr",
        "sa",
        "so",
        "st",
        "hl",
        "abs",
        "art",
        "kap",
        "ziff",
        "lt",
        "mind",
        "max",
        "min",
        "std",
        "sog",
        "verw",
        "allg",
        "dipl",
        "ing",
        "frau",
        "herrn",
        "hr",
        "fr",
        "orig",
        "abt",
        "amtl",
        "geb",
    ]
)
_SENTENCE_END = re.compile(r"[.!?…]+(?=[\s\"“”»)]|$)|\n\s*")


def split_sentences(text: str) -> Iterator[tuple[int, int]]:
    """Sentence spans: ends at . ! ? … before a space, and at line breaks (social posts use them as
    separators). A full stop after an abbreviation, a single letter or a number (``1. März``) does not
    end a sentence."""
    start = 0
    for m in _SENTENCE_END.finditer(text):
        mark = m.group()
        if mark[0] == ".":
            token_start = max(text.rfind(" ", start, m.start()), text.rfind("\n", start, m.start())) + 1
            token = text[max(token_start, start) : m.start()].lstrip("(„\"'»")
            if token and (token.isdigit() or token.lower() in ABBREVIATIONS):
                continue
        end = m.start() if mark[0] == "\n" else m.end()
        span = _strip_span(text, start, end)
        if span[0] < span[1]:
            yield span
        start = m.end()
    span = _strip_span(text, start, len(text))
    if span[0] < span[1]:
        yield span


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def syllables(word: str) -> int:
    """German syllables of one word, estimated as groups of vowels (diphthongs and doubled vowels
    count once); every word has at least one."""
    return max(1, len(VOWEL_GROUP_RE.findall(word)))


def count_syllables(prose: str) -> int:
    """Syllables of all words of a text at once: its vowel groups, plus one for each word without a
    vowel ("Kfz", "Nr")."""
    return len(VOWEL_GROUP_RE.findall(prose)) + len(VOWELLESS_WORD_RE.findall(prose))


def normalise_phone(value: str) -> str:
    """Digits in national form: ``+49 (0) 4261 983-0`` and ``0049 4261 9830`` become ``042619830``;
    foreign numbers keep their ``00`` prefix."""
    digits = re.sub(r"\D", "", value)
    if value.strip().startswith("+"):
        international = digits
    elif digits.startswith("00"):
        international = digits[2:]
    else:
        return digits
    if international.startswith("49"):
        return "0" + international[2:].lstrip("0")
    return "00" + international
