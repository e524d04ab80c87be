"""Marks on what citizens write (the inbox shows them; nothing is hidden automatically).

``mark(text, data)`` is pure: the citizen's text and the etiquette's data (term lists, allowlist) in,
findings out – no database, no network. It reuses the engine's rule kinds with fixed settings:

- ``incoming.insult``: words of the admin-edited list of forbidden terms (``tone.forbidden_terms``,
  edited under Administration → Begriffslisten, “unzulässige Begriffe”);
- ``incoming.personal_data``: phone numbers, e-mail and street addresses, IBANs and dates of birth
  (``personal_data``; the county's own contacts on the allowlist are not marked) – in a public comment
  they are usually a third person's data, or the writer's own that should not stay public;
- ``incoming.link_spam``: URL shorteners, more than ``max_links`` links, the same link repeated, or
  advertising (``commercial``) together with a link.

``check_incoming(text)`` does the same with the current rule set's data (one token read).
"""

from __future__ import annotations

import threading
from collections import Counter

from .engine import current_ruleset
from .kinds.base import CheckContext, EtiquetteData, RuleConfig
from .kinds.commercial import CommercialKind
from .kinds.links import DEFAULT_SHORTENERS
from .kinds.personal_data import PersonalDataKind
from .kinds.tone import ForbiddenTermsKind
from .text import Doc, host_matches
from .types import Finding, PostLike, Severity

MAX_LINKS = 2

INSULT = "incoming.insult"
PERSONAL_DATA = "incoming.personal_data"
LINK_SPAM = "incoming.link_spam"


class _Kinds:
    def __init__(self, data: EtiquetteData):
        def config(code, kind_class):
            return RuleConfig(
                code=code,
                kind=kind_class.kind,
                severity=Severity.WARN,
                parameters=kind_class.default_parameters(),
            )

        self.data = data
        self.insults = ForbiddenTermsKind(config(INSULT, ForbiddenTermsKind), data)
        self.personal = PersonalDataKind(config(PERSONAL_DATA, PersonalDataKind), data)
        self.commercial = CommercialKind(config(LINK_SPAM, CommercialKind), data)


_lock = threading.Lock()
_compiled: _Kinds | None = None


def _kinds_for(data: EtiquetteData) -> _Kinds:
    """The kinds compiled for ``data``, kept while the rule set's data stays the same object."""
    global _compiled
    kinds = _compiled
    if kinds is None or kinds.data is not data:
        with _lock:
            kinds = _compiled
            if kinds is None or kinds.data is not data:
                kinds = _compiled = _Kinds(data)
    return kinds


def _finding(code: str, message: str, message_en: str, start=None, end=None) -> Finding:
    return Finding(
        rule=code, severity=Severity.WARN, message=message, message_en=message_en, start=start, end=end
    )


def mark(text: str, data: EtiquetteData, *, max_links: int = MAX_LINKS) -> list[Finding]:
    """What to mark in a citizen's ``text``, sorted by position."""
    if not text or not text.strip():
        return []
    kinds = _kinds_for(data)
    doc = Doc(text)
    ctx = CheckContext(post=PostLike(text=text), now=None)  # the kinds used here never read the time
    findings: list[Finding] = []
    for hit in kinds.insults.find(doc, ctx):
        found = text[hit.start : hit.end]
        findings.append(
            _finding(
                INSULT,
                f"Möglicherweise beleidigend: „{found}“ steht auf der Liste unzulässiger Begriffe "
                "(Netiquette: respektvoll und sachlich).",
                f"Possibly insulting: “{found}” is on the list of forbidden terms.",
                hit.start,
                hit.end,
            )
        )
    for hit in kinds.personal.find(doc, ctx):
        found = text[hit.start : hit.end]
        findings.append(
            _finding(
                PERSONAL_DATA,
                f"Persönliche Daten: „{found}“ – oft die Daten einer dritten Person. Prüfen Sie, ob der "
                "Beitrag ausgeblendet werden muss (Netiquette: persönliche Daten schützen).",
                f"Personal data: “{found}” – often a third person's. Check whether to hide the item.",
                hit.start,
                hit.end,
            )
        )
    findings.extend(_link_spam(doc, kinds, ctx, max_links))
    findings.sort(key=Finding.sort_key)
    return findings


def _link_spam(doc: Doc, kinds: _Kinds, ctx: CheckContext, max_links: int) -> list[Finding]:
    links = [link for link in doc.links if link.host]
    if not links:
        return []
    found: list[Finding] = []
    for link in links:
        if host_matches(link.host, DEFAULT_SHORTENERS):
            found.append(
                _finding(
                    LINK_SPAM,
                    f"Kurz-URL „{link.value}“: Das Ziel ist nicht zu erkennen (Netiquette: keine Werbung, "
                    "kein Spam).",
                    f"URL shortener “{link.value}”: the target cannot be seen.",
                    link.start,
                    link.end,
                )
            )
    repeated = [value for value, count in Counter(link.value for link in links).items() if count > 1]
    if len(links) > max_links or repeated:
        found.append(
            _finding(
                LINK_SPAM,
                f"Viele Links ({len(links)}) oder derselbe Link mehrfach: möglicherweise Spam.",
                f"Many links ({len(links)}) or the same link repeated: possibly spam.",
            )
        )
    for hit in kinds.commercial.find(doc, ctx):
        found.append(
            _finding(
                LINK_SPAM,
                f"Werbung mit Link: „{doc.text[hit.start : hit.end]}“ (Netiquette: keine Werbung)."
                if hit.start is not None
                else "Werbung mit Link (Netiquette: keine Werbung).",
                "Advertising with a link.",
                hit.start,
                hit.end,
            )
        )
    return found


def check_incoming(text: str) -> list[Finding]:
    """:func:`mark` with the current rule set's term lists and allowlist."""
    return mark(text, current_ruleset().data)
