"""NINA / MoWaS (Bundesamt für Bevölkerungsschutz): the dashboard of a county by its regional key.

``GET {base}/dashboard/{ARS}.json`` → ``[{"id", "payload": {"version", "type", "id", "hash", "data":
{"headline", "provider", "severity", "msgType", "transKeys": {"event"}, "area"}}, "i18nTitle": {"de"},
"sent"}]``; the details (description, instruction) come from ``GET {base}/warnings/{id}.json`` (CAP as
JSON: ``info[0].description`` …). ``msgType`` Alert / Update / Cancel. The ARS has 12 digits, the last
seven zero (county level).
"""

from __future__ import annotations

from . import FeedError, FeedMessage

OFFICIAL = "https://warnung.bund.de/api31"
KINDS = {"alert": "alert", "update": "update", "cancel": "cancel"}


def county_ars(region: str) -> str:
    digits = "".join(ch for ch in region if ch.isdigit())
    if len(digits) != 12:
        raise FeedError("the regional key (ARS) must have 12 digits")
    return digits[:5] + "0000000"


def fetch(source, session) -> list[FeedMessage]:
    base = (source.base_url or OFFICIAL).rstrip("/")
    dashboard = _json(session, f"{base}/dashboard/{county_ars(source.region)}.json")
    if not isinstance(dashboard, list):
        raise FeedError("the dashboard is not a list")
    messages = []
    for entry in dashboard:
        payload = entry.get("payload") or {}
        data = payload.get("data") or {}
        identifier = entry.get("id") or payload.get("id")
        if not identifier:
            continue
        kind = KINDS.get(str(data.get("msgType", "Alert")).lower(), "alert")
        details = _json(session, f"{base}/warnings/{identifier}.json")
        info = ((details or {}).get("info") or [{}])[0]
        messages.append(
            FeedMessage(
                external_id=identifier,
                version=str(payload.get("version", "1")),
                kind=kind,
                data={
                    "headline": data.get("headline") or (entry.get("i18nTitle") or {}).get("de", ""),
                    "severity": data.get("severity", ""),
                    "provider": data.get("provider", ""),
                    "description": info.get("description", ""),
                    "instruction": info.get("instruction", ""),
                    "sent": entry.get("sent", ""),
                },
            )
        )
    return messages


def _json(session, url):
    try:
        response = session.get(url, timeout=15)
    except Exception as error:  # requests' errors and the like: the source is unreachable
        raise FeedError(f"{type(error).__name__} for {url}") from None
    if response.status_code != 200:
        raise FeedError(f"HTTP {response.status_code} for {url}")
    try:
        return response.json()
    except ValueError:
        raise FeedError(f"no JSON from {url}") from None


# NINA says "Cancel" itself; a warning that simply ends drops out of the dashboard without one.
CANCEL_ON_DISAPPEARANCE = False
