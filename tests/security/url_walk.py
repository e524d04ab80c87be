"""Every URL pattern of the project as a concrete path, so that tests cover new pages automatically."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

SAMPLES = {"int": "1", "str": "x", "slug": "x", "path": "x", "uuid": str(uuid.UUID(int=1))}


def _route(pattern) -> str | None:
    if isinstance(pattern, RoutePattern):
        route = str(pattern._route)
        return re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES.get(m.group(1) or "str", "1"), route)
    if isinstance(pattern, RegexPattern):
        regex = pattern._regex
        if regex.startswith("^"):
            regex = regex[1:]
        regex = regex.removesuffix("$").removesuffix("\\Z")
        # Named groups get a sample value; anything else that is not plain text is not walked.
        regex = re.sub(r"\(\?P<\w+>[^)]*\)", "1", regex)
        return None if re.search(r"[\\()\[\]*+?|^$]", regex) else regex
    return None


def concrete_paths(resolver=None, prefix: str = "") -> Iterator[str]:
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        part = _route(entry.pattern)
        if part is None:
            continue
        if isinstance(entry, URLResolver):
            yield from concrete_paths(entry, prefix + part)
        elif isinstance(entry, URLPattern):
            yield "/" + prefix + part
