"""``readability``: Amstad's Flesch reading ease for German, and the average sentence length.

FRE = 180 − ASL − 58.5 × ASW (ASL: words per sentence, ASW: syllables per word). Syllables are
estimated as groups of vowels. Links, e-mail addresses, hashtags and mentions are not counted.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ..text import count_syllables
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
        words = doc.words
        n_words = len(words)
        if n_words < self.params["min_words"]:
            return
        # Words per sentence in one pass (both lists are sorted by position).
        per_sentence: list[tuple[int, tuple[int, int]]] = []
        index = 0
        for start, end in doc.sentences:
            count = 0
            while index < n_words and words[index][0] < end:
                if words[index][0] >= start:
                    count += 1
                index += 1
            if count:
                per_sentence.append((count, (start, end)))
        n_sentences = len(per_sentence) or 1
        asl = n_words / n_sentences
        asw = count_syllables(doc.prose) / n_words
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
        if asl > maximum and per_sentence:
            longest_count, (start, end) = max(per_sentence, key=lambda item: item[0])
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
