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
    length: int


class TermMatcher:
    """Finds every term of a list in a text, leftmost-longest, without overlaps."""

    def __init__(self, terms: Iterable[TermLike]):
        self.terms = [t for t in terms if t.term.strip().rstrip("*").strip()]
        self._by_first: dict[str, list[_Compiled]] = {}  # first word (lower case) -> terms
        self._prefixes: list[tuple[str, _Compiled]] = []  # one-word terms with "*": (prefix, term)
        loose = []  # terms that do not start with a word character ("% Rabatt")
        for term in self.terms:
            text = term.term.strip()
            flags = 0 if term.case_sensitive else re.IGNORECASE
            compiled = _Compiled(term, re.compile(term_pattern(text), flags), len(text))
            first = FIRST_WORD_RE.match(text)
            if first is None:
                loose.append(compiled)
            elif text.endswith("*") and first.end() == len(text.rstrip("*").rstrip()):
                self._prefixes.append((first.group().lower(), compiled))
            else:
                self._by_first.setdefault(first.group().lower(), []).append(compiled)
        self._prefixes.sort(key=lambda item: item[0])
        self._first_words = frozenset(self._by_first)
        self._loose = (
            re.compile("|".join(f"(?:{c.regex.pattern})" for c in loose), re.IGNORECASE) if loose else None
        )
        self._loose_terms = loose

    def __bool__(self) -> bool:
        return bool(self.terms)

    def finditer(
        self, text: str, word_index: dict[str, list[int]] | None = None
    ) -> Iterator[tuple[int, int, TermLike]]:
        """``(start, end, term)`` for each match. ``word_index`` (lower-case word -> start offsets) may
        be passed in when the caller already has it (``Doc.word_index``)."""
        if not self.terms:
            return
        if word_index is None:
            word_index = build_word_index(text)
        found: list[tuple[int, int, TermLike]] = []
        for word in self._first_words.intersection(word_index):
            for start in word_index[word]:
                for candidate in self._by_first[word]:
                    m = candidate.regex.match(text, start)
                    if m:
                        found.append((start, m.end(), candidate.term))
        if self._prefixes:
            words = sorted(word_index)
            for prefix, candidate in self._prefixes:
                index = bisect.bisect_left(words, prefix)
                while index < len(words) and words[index].startswith(prefix):
                    for start in word_index[words[index]]:
                        m = candidate.regex.match(text, start)
                        if m:
                            found.append((start, m.end(), candidate.term))
                    index += 1
        if self._loose is not None:
            for m in self._loose.finditer(text):
                term = next(c.term for c in self._loose_terms if c.regex.fullmatch(m.group()))
                found.append((m.start(), m.end(), term))
        if not found:
            return
        found.sort(key=lambda item: (item[0], -item[1]))
        last_end = -1
        for item in found:
            if item[0] >= last_end:
                yield item
                last_end = item[1]


def build_word_index(text: str) -> dict[str, list[int]]:
    """Lower-case word -> its start offsets. Lower-casing the whole text at once is faster than word
    by word; where it changes the length (rare letters such as "İ") words are lowered one by one."""
    index: dict[str, list[int]] = {}
    lowered = text.lower()
    if len(lowered) == len(text):
        for m in FIRST_WORD_RE.finditer(lowered):
            word = m.group()
            positions = index.get(word)
            if positions is None:
                index[word] = [m.start()]
            else:
                positions.append(m.start())
    else:
        for m in FIRST_WORD_RE.finditer(text):
            index.setdefault(m.group().lower(), []).append(m.start())
    return index
