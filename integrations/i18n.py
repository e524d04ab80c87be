"""German and English for every message the API returns.

The API runs the services with English active, so every message arrives as its English msgid with the
placeholders filled in. :func:`bilingual` finds the German text in the merged German catalogue (the
project's, every app's, Django's and DRF's): a message without placeholders by a dictionary lookup, a
formatted one by matching it against the msgids that have placeholders and filling the German msgstr
with the same values (values that are themselves msgids, such as a status name, are translated too).
A message the catalogue does not know stays English in both.
"""

from __future__ import annotations

import re
from functools import lru_cache

from django.utils.translation import trans_real

_PLACEHOLDER = re.compile(r"%\((\w+)\)([sd])|%%")


@lru_cache(maxsize=4)
def _catalogue(language: str):
    catalogue = trans_real.translation(language)._catalog
    exact: dict[str, str] = {}
    patterns: list[tuple[re.Pattern, str]] = []
    for msgid, msgstr in catalogue.items():
        if not isinstance(msgid, str) or not msgstr or "\x04" in msgid:
            continue
        exact.setdefault(msgid, msgstr)
        if "%(" in msgid:
            regex, last, seen = [], 0, set()
            for match in _PLACEHOLDER.finditer(msgid):
                regex.append(re.escape(msgid[last : match.start()]))
                if match.group(0) == "%%":
                    regex.append("%")
                elif match.group(1) in seen:
                    regex.append(f"(?P={match.group(1)})")
                else:
                    seen.add(match.group(1))
                    regex.append(
                        f"(?P<{match.group(1)}>.+?)"
                        if match.group(2) == "s"
                        else f"(?P<{match.group(1)}>-?\\d+)"
                    )
                last = match.end()
            regex.append(re.escape(msgid[last:]))
            literal = len(_PLACEHOLDER.sub("", msgid).strip())
            if literal < 8:  # "%(a)s %(b)s" and the like would match anything
                continue
            try:
                patterns.append((literal, re.compile("".join(regex) + r"\Z", re.DOTALL), msgstr))
            except re.error:
                continue
    # The most literal text first: the most specific msgid wins.
    patterns.sort(key=lambda item: -item[0])
    return exact, [(pattern, msgstr) for _literal, pattern, msgstr in patterns]


def translate(message: str, language: str = "de") -> str:
    message = str(message)
    exact, patterns = _catalogue(language)
    if message in exact:
        return exact[message]
    for pattern, msgstr in patterns:
        match = pattern.match(message)
        if match:
            values = {k: exact.get(v, v) for k, v in match.groupdict().items()}
            try:
                return msgstr % values
            except (KeyError, TypeError, ValueError):
                continue
    return message


def bilingual(message) -> dict[str, str]:
    english = str(message)
    return {"de": translate(english, "de"), "en": english}


def request_language(request) -> str:
    """``en`` if the request asked for English (Accept-Language, as the rest of the site), else ``de``."""
    language = getattr(request, "api_language", None) or getattr(request, "LANGUAGE_CODE", None) or "de"
    return "en" if language.startswith("en") else "de"


def preferred(texts: dict[str, str], language: str) -> str:
    return texts.get(language) or texts["de"]
