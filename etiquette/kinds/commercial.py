"""``commercial``: no advertising by a public body – sales phrases, discount codes, prices used to sell,
affiliate links. Fees and prices stated as information ("Die Gebühr beträgt 37 Euro") pass: a price is
flagged only when a sales cue stands in the same sentence."""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

from ..terms import TermLike, TermMatcher
from ..types import Severity
from . import register
from .base import Hit, TextRuleKind
from .params import StrListParam

PRICE_RE = re.compile(
    r"(?<![\w,.])(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,(?:\d{1,2}|-|–))?\s?(?:€|EUR\b|Euro\b)"
    r"|(?:€|\bEUR)\s?\d+(?:,\d{1,2})?(?![\d,])",
)

DEFAULT_PHRASES = [
    "jetzt kaufen",
    "jetzt bestellen",
    "jetzt zuschlagen",
    "Rabattcode",
    "Rabatt-Code",
    "Gutscheincode",
    "Gutschein-Code",
    "Promo-Code",
    "Promocode",
    "Aktionscode",
    "Rabattaktion",
    "Sonderangebot*",
    "solange der Vorrat reicht",
    "nur für kurze Zeit",
    "Schnäppchen",
]
DEFAULT_PRICE_CUES = [
    "kaufen",
    "kauft",
    "Rabatt*",
    "reduziert",
    "Sale",
    "sparen",
    "sparen Sie",
    "günstig*",
    "Sonderpreis*",
    "Aktionspreis*",
    "Angebotspreis*",
    "statt nur",
    "nur noch",
    "Shop",
    "Onlineshop",
    "Preisknaller",
    "Deal",
]
DEFAULT_AFFILIATE_PARAMETERS = [
    "tag",
    "aff",
    "aff_id",
    "affid",
    "affiliate",
    "partner",
    "partnerid",
    "awc",
    "clickref",
    "ref_",
]


@register
class CommercialKind(TextRuleKind):
    kind = "commercial"
    label = _("advertising: sales phrases, discount codes, prices used to sell, affiliate links")
    default_severity = Severity.WARN
    parameters = {
        "phrases": StrListParam(DEFAULT_PHRASES),
        "price_cues": StrListParam(
            DEFAULT_PRICE_CUES,
            help_text=_("A price is flagged only with one of these words in the same sentence."),
        ),
        "affiliate_parameters": StrListParam(
            DEFAULT_AFFILIATE_PARAMETERS, lower=True, pattern=r"[a-z0-9_\-]+"
        ),
    }

    def setup(self):
        self.phrases = TermMatcher([TermLike(p) for p in self.params["phrases"]])
        self.cues = TermMatcher([TermLike(c) for c in self.params["price_cues"]])
        names = "|".join(re.escape(p) for p in self.params["affiliate_parameters"])
        self.affiliate = re.compile(rf"[?&#](?:{names})[\w\-]*=", re.IGNORECASE) if names else None

    def find(self, doc, ctx):
        prose = doc.prose
        for start, end, _term in self.phrases.finditer(prose, doc.word_index):
            found = doc.text[start:end]
            yield Hit(
                message=f"„{found}“ ist Werbesprache. Eine Behörde wirbt nicht für Produkte oder Anbieter.",
                message_en=f"“{found}” is sales language. A public body does not advertise.",
                start=start,
                end=end,
            )
        has_currency = "€" in prose or "eur" in doc.lower
        prices = list(PRICE_RE.finditer(prose)) if has_currency else []
        if prices and self.cues:
            cues = list(self.cues.finditer(prose, doc.word_index))
            for m in prices:
                sentence = next(((s, e) for s, e in doc.sentences if s <= m.start() < e), None)
                if sentence is None:
                    continue
                cue = next((c for c in cues if sentence[0] <= c[0] < sentence[1]), None)
                if cue is None:
                    continue
                yield Hit(
                    message=(
                        f"Preis „{m.group()}“ zusammen mit „{doc.text[cue[0] : cue[1]]}“ wirkt wie Werbung. "
                        "Nennen Sie Preise nur als Information (z. B. Gebühren)."
                    ),
                    message_en=f"The price “{m.group()}” next to a sales word reads as advertising.",
                    start=m.start(),
                    end=m.end(),
                )
        if self.affiliate is not None:
            for link in doc.links:
                if self.affiliate.search(link.value):
                    yield Hit(
                        message=(
                            f"Der Link „{link.value}“ enthält einen Partner- oder Affiliate-Parameter. "
                            "Verlinken Sie ohne Provisionskennung."
                        ),
                        message_en=f"The link “{link.value}” carries an affiliate parameter.",
                        start=link.start,
                        end=link.end,
                    )
