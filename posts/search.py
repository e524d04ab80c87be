"""German spelling variants for the search: "Kreisstrasse" finds "Kreisstraßen", "Muenster" finds
"Münster" and the other way round (ß/ss, ä/ae, ö/oe, ü/ue).

The words are expanded, not the stored texts: every variant is an ordinary ``icontains`` on the same
columns, so the trigram indexes keep serving the search at 100,000 posts.
"""

from __future__ import annotations

import itertools
import re

from django.db.models import Q

PAIRS = (("ß", "ss"), ("ä", "ae"), ("ö", "oe"), ("ü", "ue"))
# Each place that could be spelt either way doubles the variants; beyond this many places the rest
# stay as typed (16 variants per word at most).
MAX_PLACES = 4
_PLACE = re.compile("|".join(re.escape(s) for pair in PAIRS for s in pair))
_OTHER = dict(PAIRS) | {b: a for a, b in PAIRS}


def spelling_variants(word: str) -> list[str]:
    """``word`` and its spellings with each ß/ss, ä/ae, ö/oe, ü/ue swapped (lower case)."""
    word = word.lower()
    pieces, places = [], []
    position = 0
    for match in _PLACE.finditer(word):
        if len(places) == MAX_PLACES:
            break
        pieces.append(word[position : match.start()])
        places.append(match.group())
        position = match.end()
    tail = word[position:]
    variants = []
    for choice in itertools.product((False, True), repeat=len(places)):
        parts = []
        for piece, place, swap in zip(pieces, places, choice, strict=True):
            parts += [piece, _OTHER[place] if swap else place]
        variants.append("".join(parts) + tail)
    return list(dict.fromkeys(variants))


def matches_any_spelling(word: str, *fields: str) -> Q:
    """``Q`` that finds ``word`` in any of ``fields`` in any of its spellings."""
    query = Q()
    for variant in spelling_variants(word):
        for name in fields:
            query |= Q(**{f"{name}__icontains": variant})
    return query
