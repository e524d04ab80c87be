"""``press.relevant``: press work stays with the press office (Pressestelle).

Press-like words (admin-edited list) and quotations next to the name of an office holder such as
"Landrat" route the post to the press office for a second review.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

from ..terms import TermLike, TermMatcher
from ..types import Severity
from . import register
from .base import Hit, TextRuleKind
from .params import IntParam, StrListParam

QUOTE_RE = re.compile(r"„[^“”\"\n]{3,}[“”\"]|»[^«\n]{3,}«|\"[^\"\n]{3,}\"|“[^”\n]{3,}”")


@register
class PressRelevantKind(TextRuleKind):
    kind = "press.relevant"
    label = _("press-like content (press release, statement, quote of the Landrat)")
    default_severity = Severity.WARN
    routes_to_press = True
    term_list = "press"
    parameters = {
        "speakers": StrListParam(
            [
                "Landrat",
                "Landrätin",
                "Kreisrat",
                "Kreisrätin",
                "Erster Kreisrat",
                "Erste Kreisrätin",
                "Dezernent*",
            ],
            help_text=_("A quotation near one of these words counts as a statement on behalf of the county."),
        ),
        "quote_window": IntParam(
            120, min_value=0, max_value=1000, help_text=_("Characters around the quotation.")
        ),
    }

    def setup(self):
        self.matcher = TermMatcher(self.data.term_list(self.term_list))
        self.speakers = TermMatcher([TermLike(s) for s in self.params["speakers"]])

    def find(self, doc, ctx):
        text = doc.text
        seen = []
        if self.matcher:
            for start, end, _term in self.matcher.finditer(doc.prose, doc.word_index):
                seen.append((start, end))
                yield Hit(
                    message=(
                        f"„{text[start:end]}“ klingt nach Pressearbeit. Pressemitteilungen und Stellungnahmen "
                        "gibt die Pressestelle heraus; sie prüft den Beitrag mit."
                    ),
                    message_en=(
                        f"“{text[start:end]}” sounds like press work, which stays with the press office; "
                        "it reviews the post too."
                    ),
                    start=start,
                    end=end,
                )
        if not self.speakers or not any(ch in text for ch in '„»"“'):
            return
        window = self.params["quote_window"]
        quotes = list(QUOTE_RE.finditer(text))
        if not quotes:
            return
        speakers = list(self.speakers.finditer(text))
        for m in quotes:
            speaker = next((s for s in speakers if m.start() - window <= s[0] < m.end() + window), None)
            if speaker is None or any(s < m.end() and e > m.start() for s, e in seen):
                continue
            yield Hit(
                message=(
                    f"Ein Zitat neben „{text[speaker[0] : speaker[1]]}“ ist eine Äußerung für den Landkreis. "
                    "Die Pressestelle stimmt solche Zitate ab und prüft den Beitrag mit."
                ),
                message_en=(
                    "A quotation next to an office holder's title speaks for the county. The press office "
                    "agrees such quotes and reviews the post too."
                ),
                start=m.start(),
                end=m.end(),
            )
