"""The values the etiquette engine works on. Plain data, no models: posts, the CLI and the live check
endpoint all build a :class:`PostLike`; the engine returns :class:`Finding` objects."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime


class Severity(enum.StrEnum):
    BLOCK = "block"  # cannot be submitted or approved
    WARN = "warn"  # the reviewer must acknowledge it with a reason
    INFO = "info"  # shown, nothing required
    OFF = "off"  # rule not applied


@dataclass(frozen=True)
class MediaLike:
    kind: str = "image"  # "image" or "video"
    alt_text: str = ""
    credit: str = ""
    shows_people: bool = False
    consent: bool = False
    has_captions: bool = False


@dataclass(frozen=True)
class PostLike:
    text: str
    link: str = ""
    channels: tuple[str, ...] = ()  # network kinds, e.g. ("x", "mastodon")
    media: tuple[MediaLike, ...] = ()
    scheduled_at: datetime | None = None  # aware; None = as soon as approved
    department: str = ""  # department code
    # Per-channel text variants (kind -> text); a channel without one uses ``text``.
    variants: dict[str, str] = field(default_factory=dict)
    # A reply: the citizen's text it answers (plain text). The ``reply.*`` rules run only on replies.
    reply_to: str = ""
    # The reply goes out as a direct message, not in the public thread.
    direct: bool = False

    @property
    def is_public_reply(self) -> bool:
        return bool(self.reply_to) and not self.direct

    def text_for(self, channel: str) -> str:
        return self.variants.get(channel) or self.text


@dataclass(frozen=True)
class Finding:
    """One thing a rule found."""

    rule: str  # the rule's code, e.g. "personal_data"
    severity: Severity
    message: str  # German
    message_en: str = ""
    channel: str | None = None  # network kind the finding applies to, or None for all
    start: int | None = None  # character offsets into the text the finding is about, or None
    end: int | None = None
    # Whether the offsets refer to the channel's text variant rather than the main text.
    in_variant: bool = False
    routes_to_press: bool = False
    # Which of the post's media items the finding is about (0-based), for media rules.
    media_index: int | None = None
    # A plainer alternative to the marked words (plain-language lexicon), if the rule has one.
    suggestion: str = ""

    def sort_key(self) -> tuple:
        """Findings are listed by position (those without one last), then rule code, then channel.

        The trailing fields only break ties, so that equal positions still sort the same way every time.
        """
        return (
            self.start is None,
            self.start or 0,
            self.rule,
            self.channel or "",
            self.media_index if self.media_index is not None else -1,
            self.end or 0,
            self.message,
        )

    @property
    def blocking(self) -> bool:
        return self.severity == Severity.BLOCK

    def as_dict(self) -> dict:
        """The JSON shape the CLI and the live-check endpoint answer with."""
        return {
            "rule": self.rule,
            "severity": str(self.severity),
            "channel": self.channel,
            "message": self.message,
            "message_en": self.message_en,
            "start": self.start,
            "end": self.end,
            "in_variant": self.in_variant,
            "routes_to_press": self.routes_to_press,
            "media_index": self.media_index,
            "suggestion": self.suggestion,
        }
