"""``emoji.count``: screen readers read every emoji's full name aloud."""

from __future__ import annotations

import re

import regex
from django.utils.translation import gettext_lazy as _

from ..types import Severity
from . import register
from .base import Hit, TextRuleKind
from .params import IntParam

# One emoji as people see it: a flag (two regional indicators), a keycap, or a pictograph with its
# variation selector, skin tone and zero-width-joined parts ("👩‍⚕️" is one emoji).
EMOJI_RE = regex.compile(
    r"\p{RI}\p{RI}"
    r"|[#*0-9]\uFE0F?\u20E3"
    r"|\p{Extended_Pictographic}[\uFE0F\uFE0E]?\p{EMod}?"
    r"(?:\u200D\p{Extended_Pictographic}[\uFE0F\uFE0E]?\p{EMod}?)*"
)
# Every emoji contains a character from U+2000 up (arrows, dingbats, pictographs, flags, keycap mark).
HIGH_RE = re.compile("[\u2000-\U0010ffff]")
# Pictographs that are ordinary text unless written with the emoji variation selector U+FE0F.
TEXT_SYMBOLS = frozenset("©®™")


def find_emoji(text: str) -> list[tuple[int, int]]:
    found = []
    for m in EMOJI_RE.finditer(text):
        value = m.group()
        if value[0] in TEXT_SYMBOLS and "\ufe0f" not in value:
            continue
        if value.endswith("\ufe0e") and len(value) == 2:  # explicitly requested as text
            continue
        found.append((m.start(), m.end()))
    return found


@register
class EmojiCountKind(TextRuleKind):
    kind = "emoji.count"
    label = _("too many emoji, or several in a row")
    default_severity = Severity.WARN
    parameters = {
        "max": IntParam(3, min_value=0, max_value=100),
        "max_in_row": IntParam(2, min_value=1, max_value=100, help_text=_("Emoji side by side allowed.")),
    }

    def find(self, doc, ctx):
        text = doc.text
        if not HIGH_RE.search(text):
            return
        emoji = find_emoji(text)
        maximum = self.params["max"]
        if len(emoji) > maximum:
            start, end = emoji[maximum]
            yield Hit(
                message=(
                    f"{len(emoji)} Emoji – empfohlen sind höchstens {maximum}. Screenreader lesen jedes "
                    "Emoji mit seinem vollen Namen vor."
                ),
                message_en=f"{len(emoji)} emoji; at most {maximum} are recommended (screen readers read each one).",
                start=start,
                end=end,
            )
        in_row = self.params["max_in_row"]
        run: list[tuple[int, int]] = []
        for span in [*emoji, None]:
            if span is not None and run and not text[run[-1][1] : span[0]].strip():
                run.append(span)
                continue
            if len(run) > in_row:
                yield Hit(
                    message=(
                        f"{len(run)} Emoji hintereinander: Screenreader lesen sie alle einzeln vor. "
                        f"Höchstens {in_row} nebeneinander."
                    ),
                    message_en=f"{len(run)} emoji in a row; at most {in_row} side by side.",
                    start=run[0][0],
                    end=run[-1][1],
                )
            run = [span] if span is not None else []
