"""``readability``: Amstad's Flesch reading ease for German, and the average sentence length.

FRE = 180 − ASL − 58.5 × ASW (ASL: words per sentence, ASW: syllables per word). Syllables are
estimated as groups of vowels. Links, e-mail addresses, hashtags and mentions are not counted.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ..text import WORD_RE, count_syllables
from ..types import Severity
from . import register
from .base import Hit, TextRuleKind
from .params import FloatParam, IntParam


@register
class ReadabilityKind(TextRuleKind):
    kind = "readability"
    label = _("hard to read (Flesch reading ease for German, sentence length)")
    default_severity = Severity.WARN
    parameters = {
        "fre_min": FloatParam(50.0, min_value=-100.0, max_value=180.0),
        "sentence_max": IntParam(20, min_value=3, max_value=200),
        "min_words": IntParam(15, min_value=1, max_value=1000, help_text=_("Shorter texts are not rated.")),
    }

    def find(self, doc, ctx):
        prose = doc.prose
        n_words = len(WORD_RE.findall(prose))
        if n_words < self.params["min_words"]:
            return
        sentences = doc.sentences
        n_sentences = sum(1 for start, end in sentences if WORD_RE.search(prose, start, end)) or 1
        asl = n_words / n_sentences
        asw = count_syllables(prose) / n_words
        fre = 180 - asl - 58.5 * asw
        if fre < self.params["fre_min"]:
            yield Hit(
                message=(
                    f"Der Text ist schwer lesbar: Lesbarkeitsindex {fre:.0f} (Flesch nach Amstad, "
                    f"mindestens {self.params['fre_min']:.0f}). Kürzere Sätze und kürzere Wörter helfen "
                    "(§ 11 BGG, Leichte und Einfache Sprache)."
                ),
                message_en=(
                    f"The text is hard to read: reading ease {fre:.0f} (Amstad's Flesch for German, at "
                    f"least {self.params['fre_min']:.0f}). Use shorter sentences and shorter words."
                ),
            )
        maximum = self.params["sentence_max"]
        if asl > maximum:
            longest_count, (start, end) = max(
                ((len(WORD_RE.findall(prose, start, end)), (start, end)) for start, end in sentences),
                key=lambda item: item[0],
            )
            yield Hit(
                message=(
                    f"Die Sätze sind im Schnitt {asl:.0f} Wörter lang (höchstens {maximum}). Der längste "
                    f"(markiert) hat {longest_count} Wörter – teilen Sie ihn."
                ),
                message_en=(
                    f"Sentences average {asl:.0f} words (at most {maximum}). The longest (marked) has "
                    f"{longest_count} words – split it."
                ),
                start=start,
                end=end,
            )
