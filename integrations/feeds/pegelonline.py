"""PEGELONLINE (federal waterways): the current water level of one gauge against a threshold.

``GET {base}/stations/{uuid}.json?includeTimeseries=true&includeCurrentMeasurement=true`` →
``{"uuid", "shortname", "longname", "water": {"longname"}, "timeseries": [{"shortname": "W", "unit":
"cm", "currentMeasurement": {"timestamp", "value", "stateMnwMhw"}}]}``. A level at or above the
threshold is a warning (one per crossing: id = gauge + the first measurement above); falling below the
threshold again cancels it (an all-clear).
"""

from __future__ import annotations

from . import FeedError, FeedMessage

OFFICIAL = "https://www.pegelonline.wsv.de/webservices/rest-api/v2"


def fetch(source, session) -> list[FeedMessage]:
    base = (source.base_url or OFFICIAL).rstrip("/")
    url = f"{base}/stations/{source.region}.json"
    try:
        response = session.get(
            url, params={"includeTimeseries": "true", "includeCurrentMeasurement": "true"}, timeout=15
        )
    except Exception as error:
        raise FeedError(f"{type(error).__name__} for {url}") from None
    if response.status_code != 200:
        raise FeedError(f"HTTP {response.status_code} for {url}")
    try:
        station = response.json()
    except ValueError:
        raise FeedError(f"no JSON from {url}") from None
    series = next((s for s in station.get("timeseries", []) if s.get("shortname") == "W"), None)
    measurement = (series or {}).get("currentMeasurement")
    if not measurement or source.threshold_cm is None:
        return []
    try:
        value = float(measurement["value"])
    except (KeyError, TypeError, ValueError):
        raise FeedError("the gauge sent no level") from None
    data = {
        "pegel": station.get("longname") or station.get("shortname", ""),
        "gewaesser": (station.get("water") or {}).get("longname", ""),
        "stand": value,
        "einheit": (series or {}).get("unit", "cm"),
        "schwelle": source.threshold_cm,
        "zeit": measurement.get("timestamp", ""),
        "trend": measurement.get("stateMnwMhw", ""),
    }
    # One message stands for "above the threshold now"; the importer gives it its crossing's id.
    return [
        FeedMessage(
            external_id="", version="1", kind="alert" if value >= source.threshold_cm else "cancel", data=data
        )
    ]


CANCEL_ON_DISAPPEARANCE = False


def resolve(messages: list[FeedMessage], open_ids: list[str], source) -> list[FeedMessage]:
    """Give the level its crossing: above with no open crossing → a new warning; above with one → nothing
    new; below with one → the all-clear of that crossing; below with none → nothing."""
    out = []
    for message in messages:
        if message.kind == "alert" and not open_ids:
            crossing = f"pegel.{source.region}.{message.data.get('zeit') or 'now'}"
            out.append(FeedMessage(external_id=crossing, version="1", kind="alert", data=message.data))
        elif message.kind == "cancel" and open_ids:
            out.append(
                FeedMessage(external_id=open_ids[0], version="cancel", kind="cancel", data=message.data)
            )
    return out
