"""``gender_characters``: gender star, colon, underscore, middle dot or Binnen-I inside words.

Off by default: Niedersachsen allows them; Bayern and Hessen forbid them in state administrations,
so a county there would switch the rule on.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

from ..types import Severity
from . import register
from .base import Hit, TextRuleKind
from .params import BoolParam, StrListParam

_ENDINGS = r"(?:innen|in|r|n|e|s)"


@register
class GenderCharactersKind(TextRuleKind):
    kind = "gender_characters"
    label = _("gender characters inside words (gender star, colon, underscore, middle dot, Binnen-I)")
    default_severity = Severity.OFF
    parameters = {
        "characters": StrListParam(["*", ":", "_", "·"], pattern=r"\S"),
        "binnen_i": BoolParam(True),
    }

    def setup(self):
        alternatives = []
        characters = "".join(re.escape(ch) for ch in self.params["characters"])
        if characters:
            alternatives.append(rf"[^\W\d_]*[a-zäöüß][{characters}]{_ENDINGS}(?!\w)")
        if self.params["binnen_i"]:
            alternatives.append(r"[^\W\d_]*[a-zäöüß]I(?:nnen|n)(?!\w)")
        self.pattern = re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + ")") if alternatives else None

    def find(self, doc, ctx):
        if self.pattern is None:
            return
        for m in self.pattern.finditer(doc.prose):
            yield Hit(
                message=(
                    f"„{m.group()}“ enthält ein Genderzeichen. In der Verwaltung dieses Landes sind sie "
                    "nicht vorgesehen – nutzen Sie Paarformen oder neutrale Wörter (z. B. „Mitarbeitende“)."
                ),
                message_en=f"“{m.group()}” contains a gender character; use pair forms or neutral words.",
                start=m.start(),
                end=m.end(),
            )
