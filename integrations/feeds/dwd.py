"""Deutscher Wetterdienst: warnings of one warn cell from the warnings JSON of the DWD's app.

``GET {base}/warnings.json`` → ``{"time", "warnings": {"<warncell>": [{"type", "level", "start", "end",
"regionName", "event", "headline", "description", "instruction", ...}]}}`` (the DWD serves it wrapped as
``warnWetter.loadWarnings(…);`` – both forms are read). The app JSON has no message id: a warning is
identified by warn cell, type and start; its version is a hash of what it says (level, end, headline,
description). A warning seen before that is missing now (before its end) is cancelled. Attribution:
"Quelle: Deutscher Wetterdienst" (GeoNutzV).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from . import FeedError, FeedMessage

OFFICIAL = "https://www.dwd.de/DWD/warnungen/warnapp/json"


def _time(ms) -> str:
    if not ms:
        return ""
    return datetime.fromtimestamp(int(ms) / 1000, tz=UTC).isoformat()


def fetch(source, session) -> list[FeedMessage]:
    base = (source.base_url or OFFICIAL).rstrip("/")
    url = f"{base}/warnings.json"
    try:
        response = session.get(url, timeout=15)
    except Exception as error:
        raise FeedError(f"{type(error).__name__} for {url}") from None
    if response.status_code != 200:
        raise FeedError(f"HTTP {response.status_code} for {url}")
    text = response.text.strip()
    if text.startswith("warnWetter.loadWarnings("):
        text = text[len("warnWetter.loadWarnings(") :].rstrip(";").rstrip(")")
    try:
        body = json.loads(text)
    except ValueError:
        raise FeedError(f"no JSON from {url}") from None
    current = (body.get("warnings") or {}).get(str(source.region), [])
    messages = []
    for warning in current:
        identity = f"dwd.{source.region}.{warning.get('type')}.{warning.get('start')}"
        content = {k: warning.get(k) for k in ("level", "end", "headline", "description", "instruction")}
        version = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:16]
        messages.append(
            FeedMessage(
                external_id=identity,
                version=version,
                kind="alert",  # the importer makes it an update when it knows an earlier version
                data={
                    "headline": warning.get("headline", ""),
                    "event": warning.get("event", ""),
                    "level": warning.get("level"),
                    "description": warning.get("description", ""),
                    "instruction": warning.get("instruction", ""),
                    "region": warning.get("regionName", ""),
                    "start": _time(warning.get("start")),
                    "end": _time(warning.get("end")),
                },
            )
        )
    return messages


# A warning that is no longer in the feed before its end was cancelled.
CANCEL_ON_DISAPPEARANCE = True
