"""``plain_language.terms``: Amtsdeutsch from the admin-edited lexicon, each with a plainer word."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ..terms import TermMatcher
from ..types import Severity
from . import register
from .base import Hit, TextRuleKind


@register
class PlainLanguageKind(TextRuleKind):
    kind = "plain_language.terms"
    label = _("officialese (Amtsdeutsch) with a plainer suggestion")
    default_severity = Severity.INFO
    term_list = "amtsdeutsch"

    def setup(self):
        self.matcher = TermMatcher(self.data.term_list(self.term_list))

    def find(self, doc, ctx):
        if not self.matcher:
            return
        for start, end, term in self.matcher.finditer(doc.prose, doc.word_index):
            found = doc.text[start:end]
            if term.suggestion:
                message = f"„{found}“ ist Amtsdeutsch. Einfacher: „{term.suggestion}“."
                message_en = f"“{found}” is officialese. Plainer: “{term.suggestion}”."
            else:
                message = f"„{found}“ ist Amtsdeutsch. Geht es einfacher?"
                message_en = f"“{found}” is officialese. Can you say it more plainly?"
            yield Hit(
                message=message, message_en=message_en, start=start, end=end, suggestion=term.suggestion
            )
