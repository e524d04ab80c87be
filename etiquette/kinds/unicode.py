"""``unicode.fake_bold``: "bold" or "italic" letters from the Mathematical Alphanumeric Symbols block."""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext_lazy as _

from ..types import Severity
from . import register
from .base import Hit, TextRuleKind

# A run of such letters, including the spaces and punctuation between words written the same way.
FAKE_RE = re.compile(r"[\U0001D400-\U0001D7FF]+(?:[^\w\n]+[\U0001D400-\U0001D7FF]+)*")


@register
class FakeBoldKind(TextRuleKind):
    kind = "unicode.fake_bold"
    label = _("letters from mathematical symbols used as bold or italic text")
    default_severity = Severity.BLOCK

    def find(self, doc, ctx):
        if doc.text.isascii():
            return
        for m in FAKE_RE.finditer(doc.text):
            plain = unicodedata.normalize("NFKC", m.group())
            yield Hit(
                message=(
                    f"„{m.group()}“ ist keine fette oder kursive Schrift, sondern besteht aus mathematischen "
                    f"Sonderzeichen, die Screenreader Buchstabe für Buchstabe vorlesen. Schreiben Sie „{plain}“."
                ),
                message_en=(
                    f"“{m.group()}” is made of mathematical symbols that screen readers spell out letter by "
                    f"letter. Write “{plain}”."
                ),
                start=m.start(),
                end=m.end(),
                suggestion=plain,
            )
