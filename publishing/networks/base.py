"""The interface every social network adapter offers, and the one error type they raise.

After Healthchecks' transports: one small class per network in ``publishing/networks/<kind>.py``,
registered in :mod:`publishing.networks.registry`, which also feeds ``Channel.kind``'s choices.
Nothing else in the code base branches on the network kind.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import ClassVar

from . import textlength


class ErrorKind(enum.StrEnum):
    RETRYABLE = "retryable"  # try again later (connection refused before sending, 429, 5xx)
    PERMANENT = "permanent"  # do not retry (bad credentials, content refused)
    UNCERTAIN = "uncertain"  # the request may have reached the network; outcome unknown


class PublishError(Exception):
    """The only exception an adapter raises. Its message never contains a credential."""

    def __init__(
        self,
        message: str,
        *,
        kind: ErrorKind,
        retry_after: float | None = None,
        status_code: int | None = None,
        credentials_problem: bool = False,
    ):
        super().__init__(message)
        self.message = message
        self.kind = ErrorKind(kind)
        self.retry_after = retry_after  # seconds from now, where the network says when
        self.status_code = status_code
        self.credentials_problem = credentials_problem  # the channel needs attention (token revoked …)

    @property
    def retryable(self) -> bool:
        return self.kind is ErrorKind.RETRYABLE

    @property
    def permanent(self) -> bool:
        return self.kind is ErrorKind.PERMANENT

    @property
    def uncertain(self) -> bool:
        return self.kind is ErrorKind.UNCERTAIN

    def __repr__(self):
        return f"PublishError({self.message!r}, kind={self.kind.value}, retry_after={self.retry_after})"


@dataclass(frozen=True)
class PublishedRef:
    external_id: str
    url: str = ""


@dataclass(frozen=True)
class MediaItem:
    """One image or video of a post, as the adapter needs it."""

    path: str  # local file path
    mime_type: str
    alt_text: str = ""
    kind: str = "image"  # "image" or "video"
    public_url: str = ""  # for networks that fetch media themselves (Instagram)
    captions_path: str = ""  # WebVTT/SRT captions of a video


@dataclass(frozen=True)
class PostContent:
    """What gets published on one channel: the channel's text variant, the link, the media."""

    text: str
    link: str = ""
    media: tuple[MediaItem, ...] = ()
    language: str = "de"
    # Stable per delivery; networks that deduplicate (Mastodon's Idempotency-Key) use it.
    idempotency_key: str = ""


@dataclass(frozen=True)
class NetworkLimits:
    max_length: int
    alt_text_max: int | None = None
    requires_media: bool = False
    max_images: int = 4
    max_hashtags: int | None = None
    # Posting limit the per-channel rate limiter keeps under: (count, seconds).
    posts_per_window: tuple[int, int] | None = None


@dataclass
class ChannelConfig:
    """What an adapter is built from: decrypted credentials and where the API lives."""

    credentials: dict = field(default_factory=dict)
    account: str = ""
    base_url: str = ""
    channel_id: int | None = None
    timeout: float = 30.0


class NetworkAdapter:
    kind: ClassVar[str]
    label: ClassVar[str]
    limits: ClassVar[NetworkLimits]
    # True where the network drops a repeated request with the same idempotency key, so a delivery
    # whose outcome is unknown may be sent again safely.
    deduplicates: ClassVar[bool] = False
    # Credential fields the admin form asks for (name -> label); validated by ``validate_credentials``.
    credential_fields: ClassVar[dict[str, str]] = {}

    def __init__(self, config: ChannelConfig):
        self.config = config

    @classmethod
    def count_length(cls, text: str) -> int:
        """The text's length counted the network's way."""
        return textlength.codepoints(text)

    @classmethod
    def validate_credentials(cls, credentials: dict) -> list[str]:
        """Return German error messages for malformed credentials (empty list = fine)."""
        return [
            f"„{label}“ fehlt." for name, label in cls.credential_fields.items() if not credentials.get(name)
        ]

    def publish(self, content: PostContent) -> PublishedRef:
        raise NotImplementedError

    def delete(self, external_id: str) -> None:
        raise NotImplementedError

    def check_credentials(self) -> str:
        """Ask the network who we are; return its answer (account name) or raise PublishError."""
        raise NotImplementedError
