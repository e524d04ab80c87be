"""Matching admin-edited term lists in a text.

A term is a word or phrase. Matching ignores case unless the term is marked case-sensitive (party
names: "Die Linke" but not "die linke Spur"), treats any whitespace as a space, lets a full stop be
followed by optional space ("i. V. m." also finds "i.V.m."), and a trailing ``*`` stands for any word
ending ("Wahlkampf*" finds "Wahlkampfauftakt"). Terms match whole words only.

Speed: a term is tried only where the text has its first word. Each :class:`~etiquette.text.Doc`
knows its words once (``Doc.word_index``); a list is looked up with a set intersection, so a list
of hundreds of terms costs next to nothing on a text that contains none of them.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

FIRST_WORD_RE = re.compile(r"\w+")


@dataclass(frozen=True)
class TermLike:
    term: str
    suggestion: str = ""
    case_sensitive: bool = False


def term_pattern(term: str) -> str:
    term = term.strip()
    wildcard = term.endswith("*")
    if wildcard:
        term = term[:-1].rstrip()
    parts = []
    for ch in re.sub(r"\.\s+", ".", term):
        if ch.isspace():
            if not parts or parts[-1] != r"\s+":
                parts.append(r"\s+")
        elif ch == ".":
            parts.append(r"\.\s*")
        elif ch in "-‐‑–":
            parts.append(r"[\-‐‑–]")
        else:
            parts.append(re.escape(ch))
    pattern = "".join(parts)
    if pattern.endswith(r"\.\s*"):
        pattern = pattern[: -len(r"\s*")]
    if wildcard:
        pattern += r"\w*"
    if term and (term[0].isalnum() or term[0] == "_"):
        pattern = r"(?<!\w)" + pattern
    if wildcard or (term and term[-1].isalnum()):
        pattern += r"(?!\w)"
    return pattern


@dataclass(frozen=True)
class _Compiled:
    term: TermLike
    regex: re.Pattern
    before: int  # how far before the key word a match may start
    after: int  # how far after the key word's start a match may end


class TermMatcher:
    """Finds every term of a list in a text, leftmost-longest, without overlaps.

    Each term is looked for only where the text has the term's *key word*: its longest word, so that
    "zu entrichten" is tried where "entrichten" stands, not at every "zu". A term whose only word ends
    in ``*`` is keyed by that word as a prefix.
    """

    def __init__(self, terms: Iterable[TermLike]):
        self.terms = [t for t in terms if t.term.strip().rstrip("*").strip()]
        self._by_word: dict[str, list[_Compiled]] = {}  # key word (lower case) -> terms
        self._by_prefix: list[tuple[str, _Compiled]] = []  # (prefix, term), sorted by prefix
        loose = []  # terms without any word character ("%")
        for term in self.terms:
            text = term.term.strip()
            wildcard = text.endswith("*")
            body = text.rstrip("*").rstrip()
            flags = 0 if term.case_sensitive else re.IGNORECASE
            regex = re.compile(term_pattern(text), flags)
            words = list(FIRST_WORD_RE.finditer(body))
            if not words:
                loose.append(_Compiled(term, regex, 0, 0))
                continue
            exact = words[:-1] if wildcard else words
            key = max(exact, key=lambda m: len(m.group())) if exact else words[-1]
            # Whitespace in the text may be longer than in the term; allow for it generously.
            compiled = _Compiled(term, regex, before=3 * key.start() + 8, after=3 * len(body) + 8)
            if exact:
                self._by_word.setdefault(key.group().lower(), []).append(compiled)
            else:
                self._by_prefix.append((key.group().lower(), compiled))
        self._by_prefix.sort(key=lambda item: item[0])
        self._words = frozenset(self._by_word)
        self._loose = loose

    def __bool__(self) -> bool:
        return bool(self.terms)

    def finditer(self, text: str, word_index: WordIndex | None = None) -> Iterator[tuple[int, int, TermLike]]:
        """``(start, end, term)`` for each match. ``word_index`` of ``text`` may be passed in when the
        caller already has it (``Doc.word_index``)."""
        if not self.terms:
            return
        if word_index is None:
            word_index = WordIndex(text)
        found: set[tuple[int, int, TermLike]] = set()

        def around(position: int, candidate: _Compiled) -> None:
            low = max(0, position - candidate.before)
            high = min(len(text), position + candidate.after)
            while high < len(text) and (text[high].isalnum() or text[high] == "_"):
                high += 1  # never cut a word: "(?!\w)" would match at an artificial end
            for m in candidate.regex.finditer(text, low, high):
                if m.end() > m.start():
                    found.add((m.start(), m.end(), candidate.term))

        for word in self._words.intersection(word_index.words):
            for position in word_index.positions(word):
                for candidate in self._by_word[word]:
                    around(position, candidate)
        if self._by_prefix:
            words = word_index.sorted_words
            for prefix, candidate in self._by_prefix:
                index = bisect.bisect_left(words, prefix)
                while index < len(words) and words[index].startswith(prefix):
                    for position in word_index.positions(words[index]):
                        around(position, candidate)
                    index += 1
        for candidate in self._loose:
            for m in candidate.regex.finditer(text):
                if m.end() > m.start():
                    found.add((m.start(), m.end(), candidate.term))
        if not found:
            return
        last_end = -1
        for item in sorted(found, key=lambda item: (item[0], -item[1], item[2].term)):
            if item[0] >= last_end:
                yield item
                last_end = item[1]


class WordIndex:
    """The distinct words of a text (lower case) – cheap to build – and, only for the words a term list
    asks about, where they stand."""

    __slots__ = ("_positions", "_sorted", "text", "words")

    def __init__(self, text: str):
        self.text = text
        self.words = frozenset(FIRST_WORD_RE.findall(text.lower()))
        self._positions: dict[str, list[int]] = {}
        self._sorted: list[str] | None = None

    @property
    def sorted_words(self) -> list[str]:
        if self._sorted is None:
            self._sorted = sorted(self.words)
        return self._sorted

    def positions(self, word: str) -> list[int]:
        found = self._positions.get(word)
        if found is None:
            pattern = re.compile(r"(?<!\w)" + re.escape(word) + r"(?!\w)", re.IGNORECASE)
            found = self._positions[word] = [m.start() for m in pattern.finditer(self.text)]
        return found
