"""Tone: no shouting, no disparaging words (Sachlichkeitsgebot)."""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

from ..terms import TermMatcher
from ..types import Severity
from . import register
from .base import Hit, TextRuleKind
from .params import BoolParam, IntParam, StrListParam

CAPS_WORD_RE = re.compile(r"(?<![\w\-])[A-ZÄÖÜẞ]{2,}(?:-[A-ZÄÖÜẞ]+)*(?![\w])")
PUNCTUATION_RE = re.compile(r"[!?]*(?:!!|\?\?)[!?]*")

DEFAULT_ABBREVIATIONS = [
    "ADAC",
    "AIDS",
    "BAFÖG",
    "BITV",
    "BUND",
    "COVID",
    "DEKRA",
    "DLRG",
    "DSGVO",
    "ELSTER",
    "FSME",
    "IBAN",
    "JUZ",
    "KITA",
    "MRSA",
    "NABU",
    "NATO",
    "ÖPNV",
    "SARS",
    "UNESCO",
    "UNICEF",
    "WLAN",
    "HTML",
    "BUGA",
    "EXPO",
    "BARMER",
    "HAWK",
    "TÜV",
    "VHS",
]


@register
class ShoutingKind(TextRuleKind):
    kind = "tone.shouting"
    label = _("shouting: words in capitals or “!!”")
    default_severity = Severity.WARN
    parameters = {
        "min_letters": IntParam(4, min_value=2, max_value=50),
        "min_words": IntParam(2, min_value=1, max_value=50),
        "exempt": StrListParam(
            DEFAULT_ABBREVIATIONS, help_text=_("Abbreviations that are written in capitals.")
        ),
        "punctuation": BoolParam(True, help_text=_("Also flag “!!” and “??”.")),
    }

    def setup(self):
        self.exempt = {word.upper() for word in self.params["exempt"]}

    def find(self, doc, ctx):
        prose = doc.prose
        minimum = self.params["min_letters"]
        shouted = []
        for m in CAPS_WORD_RE.finditer(prose):
            parts = m.group().split("-")
            if any(len(part) >= minimum and part not in self.exempt for part in parts):
                shouted.append(m)
        if len(shouted) >= self.params["min_words"]:
            for m in shouted:
                yield Hit(
                    message=(
                        f"„{m.group()}“ in Großbuchstaben wirkt wie Schreien. Bleiben Sie sachlich; "
                        "Abkürzungen trägt die Administration als Ausnahme ein."
                    ),
                    message_en=f"“{m.group()}” in capitals reads as shouting. Keep a factual tone.",
                    start=m.start(),
                    end=m.end(),
                )
        if self.params["punctuation"]:
            for m in PUNCTUATION_RE.finditer(prose):
                yield Hit(
                    message=f"„{m.group()}“ wirkt aufgeregt. Ein Satzzeichen genügt.",
                    message_en=f"“{m.group()}” reads as agitated. One punctuation mark is enough.",
                    start=m.start(),
                    end=m.end(),
                )


@register
class ForbiddenTermsKind(TextRuleKind):
    kind = "tone.forbidden_terms"
    label = _("insulting or disparaging words (admin-edited list)")
    default_severity = Severity.BLOCK
    term_list = "forbidden"

    def setup(self):
        self.matcher = TermMatcher(self.data.term_list(self.term_list))

    def find(self, doc, ctx):
        if not self.matcher:
            return
        for start, end, _term in self.matcher.finditer(doc.prose, doc.word_index):
            found = doc.text[start:end]
            yield Hit(
                message=(
                    f"„{found}“ steht auf der Liste unzulässiger Begriffe. Eine Behörde äußert sich "
                    "sachlich (Sachlichkeitsgebot)."
                ),
                message_en=f"“{found}” is on the list of forbidden terms. A public body stays factual.",
                start=start,
                end=end,
            )
