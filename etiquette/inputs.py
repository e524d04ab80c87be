"""Turning outside input (the live-check form, the CLI's JSON) into a :class:`PostLike`.

Errors are :class:`InputError` with a German message and the name of the field, so the endpoint can
show them next to the field and the CLI can print them.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .channels import channel_kinds
from .types import MediaLike, PostLike

BERLIN = ZoneInfo("Europe/Berlin")
MAX_TEXT_LENGTH = 100_000
MAX_MEDIA = 20


class InputError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def parse_scheduled_at(value) -> datetime | None:
    """``YYYY-MM-DDTHH:MM`` (local time, Europe/Berlin – what ``<input type=datetime-local>`` sends)
    or ISO 8601 with an offset. Empty: None."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise InputError("scheduled_at", "Der Zeitpunkt muss ein Text wie „2027-03-01T20:00“ sein.")
    try:
        parsed = parse_datetime(value.strip())
    except ValueError:
        parsed = None
    if parsed is None:
        raise InputError(
            "scheduled_at",
            f"„{value[:40]}“ ist kein gültiger Zeitpunkt. Erwartet: „2027-03-01T20:00“ oder "
            "„2027-03-01T20:00:00+01:00“.",
        )
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=BERLIN)
    return parsed


def parse_channels(values) -> tuple[str, ...]:
    if values in (None, ""):
        return ()
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
        raise InputError(
            "channels", '„channels“ muss eine Liste von Netzwerken sein, z. B. ["x", "mastodon"].'
        )
    known = channel_kinds()
    unknown = [v for v in values if v not in known]
    if unknown:
        raise InputError(
            "channels",
            f"Unbekanntes Netzwerk „{unknown[0]}“. Bekannt sind: {', '.join(known)}.",
        )
    return tuple(dict.fromkeys(values))


def parse_media(values) -> tuple[MediaLike, ...]:
    if values in (None, ""):
        return ()
    if not isinstance(values, list):
        raise InputError("media", "„media“ muss eine Liste von Objekten sein.")
    if len(values) > MAX_MEDIA:
        raise InputError("media", f"Höchstens {MAX_MEDIA} Medien je Beitrag.")
    media = []
    for number, item in enumerate(values, start=1):
        if not isinstance(item, dict):
            raise InputError("media", f"Medium {number} muss ein Objekt sein.")
        kind = item.get("kind", "image")
        if kind not in ("image", "video"):
            raise InputError("media", f"Medium {number}: „kind“ muss „image“ oder „video“ sein.")
        texts = {}
        for key in ("alt_text", "credit"):
            value = item.get(key, "") or ""
            if not isinstance(value, str):
                raise InputError("media", f"Medium {number}: „{key}“ muss ein Text sein.")
            texts[key] = value
        flags = {}
        for key in ("shows_people", "consent", "has_captions"):
            value = item.get(key, False)
            if not isinstance(value, bool):
                raise InputError("media", f"Medium {number}: „{key}“ muss true oder false sein.")
            flags[key] = value
        media.append(MediaLike(kind=kind, **texts, **flags))
    return tuple(media)


def _text(value, field: str, *, required: bool = False, max_length: int = MAX_TEXT_LENGTH) -> str:
    if value is None:
        if required:
            raise InputError(field, f"„{field}“ fehlt.")
        return ""
    if not isinstance(value, str):
        raise InputError(field, f"„{field}“ muss ein Text sein.")
    if len(value) > max_length:
        raise InputError(field, f"„{field}“ ist zu lang ({len(value)} Zeichen, höchstens {max_length}).")
    return value


def post_like_from_json(data) -> PostLike:
    """One CLI object: ``{"text": …, "link": …, "channels": […], "media": […], "scheduled_at": …}``."""
    if not isinstance(data, dict):
        raise InputError("", "Jeder Eintrag muss ein JSON-Objekt mit mindestens „text“ sein.")
    known = {
        "text",
        "link",
        "channels",
        "media",
        "scheduled_at",
        "department",
        "variants",
        "reply_to",
        "direct",
    }
    unknown = sorted(set(data) - known)
    if unknown:
        raise InputError(unknown[0], f"Unbekanntes Feld „{unknown[0]}“. Erlaubt: {', '.join(sorted(known))}.")
    channels = parse_channels(data.get("channels"))
    variants = data.get("variants") or {}
    if not isinstance(variants, dict) or not all(isinstance(v, str) for v in variants.values()):
        raise InputError("variants", "„variants“ muss ein Objekt von Netzwerk und Text sein.")
    parse_channels(list(variants))
    return PostLike(
        text=_text(data.get("text"), "text", required=True),
        link=_text(data.get("link"), "link", max_length=2000),
        channels=channels,
        media=parse_media(data.get("media")),
        scheduled_at=parse_scheduled_at(data.get("scheduled_at")),
        department=_text(data.get("department"), "department", max_length=20),
        variants={k: _text(v, f"variants.{k}") for k, v in variants.items()},
        reply_to=_text(data.get("reply_to"), "reply_to"),
        direct=_flag(data.get("direct"), "direct"),
    )


def _flag(value, field: str) -> bool:
    if value in (None, False, True):
        return bool(value)
    raise InputError(field, f"„{field}“ muss true oder false sein.")


def post_like_from_form(data) -> tuple[PostLike, dict[str, str]]:
    """The live-check form (a QueryDict). Bad fields are reported and left out; the rest is checked,
    so the editor still sees findings while one field is wrong."""
    import json

    errors: dict[str, str] = {}

    def field(name, parse, default):
        try:
            return parse()
        except InputError as exc:
            errors[exc.field or name] = exc.message
            return default

    known = channel_kinds()
    raw_channels = data.getlist("channels")
    channels = tuple(dict.fromkeys(c for c in raw_channels if c in known))
    if len(channels) < len(set(raw_channels)):
        field("channels", lambda: parse_channels(raw_channels), ())
    media = ()
    if data.get("media"):
        try:
            media_json = json.loads(data.get("media"))
        except (ValueError, RecursionError):  # 5,000 × "[" overflows the parser's stack (issue 14)
            errors["media"] = "„media“ ist kein gültiges JSON."
        else:
            media = field("media", lambda: parse_media(media_json), ())
    variants = {}
    for kind in known:
        value = data.get(f"variant_{kind}")
        if value:
            variants[kind] = field(f"variant_{kind}", lambda v=value, k=kind: _text(v, f"variant_{k}"), "")
    post = PostLike(
        text=field("text", lambda: _text(data.get("text", ""), "text"), ""),
        link=field("link", lambda: _text(data.get("link", ""), "link", max_length=2000), ""),
        channels=channels,
        media=media,
        scheduled_at=field("scheduled_at", lambda: parse_scheduled_at(data.get("scheduled_at", "")), None),
        department=field(
            "department", lambda: _text(data.get("department", ""), "department", max_length=20), ""
        ),
        variants={k: v for k, v in variants.items() if v},
    )
    return post, errors
