"""Readers of the official data feeds: each turns its source's answer into :class:`FeedMessage` s.

One module per source kind with a ``fetch(source, session) -> list[FeedMessage]``; ``registry`` maps the
kind to it (no if/elif over kinds elsewhere). The importer (:func:`integrations.services.feed_import`)
deduplicates by ``(external_id, version)`` and turns messages into posts through the source's templates.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FeedMessage:
    external_id: str
    version: str
    kind: str  # "alert" | "update" | "cancel"
    data: dict = field(default_factory=dict)


class FeedError(Exception):
    """The source did not answer usefully (network, status, unreadable body)."""
