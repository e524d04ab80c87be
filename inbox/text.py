"""Network HTML → plain text (what the inbox stores and shows).

Mastodon sends HTML (``<p>``, ``<br>``, links, mention spans), others plain text that may still hold
markup a citizen typed. The inbox stores plain text only: line breaks from paragraphs and ``<br>``,
every tag removed by nh3 (an HTML parser, not a regular expression), entities decoded, control
characters dropped. Templates escape it again on output.
"""

from __future__ import annotations

import html
import re
import unicodedata

import nh3

MAX_LENGTH = 20_000
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_PARAGRAPH_END = re.compile(r"</p\s*>", re.IGNORECASE)
_BLANK_LINES = re.compile(r"\n{3,}")


def plain_text(value: str | None) -> str:
    if not value:
        return ""
    text = _BREAK.sub("\n", str(value))
    text = _PARAGRAPH_END.sub("\n\n", text)
    # No tags at all; the content of script/style is dropped with the tag.
    text = nh3.clean(text, tags=set(), clean_content_tags={"script", "style"})
    text = html.unescape(text)
    text = "".join(
        ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in {"Cc", "Cf"} or ch == "\u200d"
    )
    text = "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    text = _BLANK_LINES.sub("\n\n", text).strip()
    return text[:MAX_LENGTH]


def one_line(value: str | None, limit: int = 300) -> str:
    """A handle or a display name: plain, one line, bounded."""
    return " ".join(plain_text(value).split())[:limit]
