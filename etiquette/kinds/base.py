"""The interface of a rule kind, and the data the kinds read.

A *rule kind* is a small Python class that knows how to find one kind of problem (``length``,
``personal_data`` …). A *rule* (``etiquette.models.Rule``) is an admin-configured instance of a kind:
its code, severity, channels and parameters. The engine builds one kind object per active rule with
the rule's cleaned parameters and the term lists and allowlists (:class:`EtiquetteData`), once per
rule-set version, and calls :meth:`RuleKind.run` for every check.

Three shapes cover the catalogue:

- :class:`TextRuleKind` reads the words of a text; it runs on the main text and on every channel's
  own variant, and its findings carry offsets into the text they were found in.
- :class:`ChannelRuleKind` asks something per network (length, alt text limit, media required).
- :class:`PostRuleKind` looks at the post as a whole (media, publication time).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import ClassVar

from ..text import Doc
from ..types import Finding, PostLike, Severity
from .params import Param, clean_parameters, default_parameters


@dataclass(frozen=True)
class RuleConfig:
    code: str
    kind: str
    severity: Severity
    channels: frozenset[str] = frozenset()  # empty: every network
    parameters: Mapping = field(default_factory=dict)  # cleaned by the kind


@dataclass(frozen=True)
class TermData:
    term: str
    suggestion: str = ""
    case_sensitive: bool = False


@dataclass(frozen=True)
class ElectionData:
    name: str
    date: date
    window_days: int = 90


@dataclass(frozen=True)
class EtiquetteData:
    """Term lists and allowlists as plain values (loaded from the database by ``etiquette.ruleset``)."""

    terms: Mapping[str, tuple[TermData, ...]] = field(default_factory=dict)
    own_domains: tuple[str, ...] = ()
    trusted_domains: tuple[str, ...] = ()
    emails: frozenset[str] = frozenset()  # full addresses, lower case
    email_domains: tuple[str, ...] = ()  # "landkreis-rotenburg.de": every address there is official
    phones: tuple[str, ...] = ()  # normalised digits; a found number starting with one is official
    ibans: frozenset[str] = frozenset()  # upper case, no spaces
    addresses: frozenset[str] = frozenset()  # normalised "street number"
    elections: tuple[ElectionData, ...] = ()

    def term_list(self, name: str) -> tuple[TermData, ...]:
        return tuple(self.terms.get(name, ()))


@dataclass(frozen=True)
class Hit:
    """What a kind found; the engine turns it into a :class:`Finding` of the rule."""

    message: str  # German
    message_en: str
    start: int | None = None
    end: int | None = None
    severity: Severity | None = None  # overrides the rule's severity (e.g. a network's hard cap)
    routes_to_press: bool | None = None  # overrides the kind's default
    media_index: int | None = None
    suggestion: str = ""


@dataclass(frozen=True)
class CheckContext:
    post: PostLike
    now: datetime  # aware

    @property
    def when(self) -> datetime:
        """The moment the post will appear: its planned time, or now when it goes out on approval."""
        return self.post.scheduled_at or self.now


class RuleKind:
    kind: ClassVar[str]
    label: ClassVar[str]  # lazily translated, for the admin
    default_severity: ClassVar[Severity]
    parameters: ClassVar[dict[str, Param]] = {}
    routes_to_press: ClassVar[bool] = False
    # Term list (``etiquette.models.Term.List``) the kind reads, if any; shown in the admin.
    term_list: ClassVar[str | None] = None

    def __init__(self, config: RuleConfig, data: EtiquetteData):
        self.config = config
        self.data = data
        self.params = config.parameters
        self.setup()

    def setup(self) -> None:
        """Compile patterns from the parameters and data; runs once per rule-set version."""

    @classmethod
    def validate_parameters(cls, raw) -> dict:
        return clean_parameters(cls.parameters, raw)

    @classmethod
    def default_parameters(cls) -> dict:
        return default_parameters(cls.parameters)

    def applies_to(self, channel: str) -> bool:
        return not self.config.channels or channel in self.config.channels

    def finding(self, hit: Hit, channel: str | None, in_variant: bool) -> Finding:
        severity = hit.severity or self.config.severity
        routes = self.routes_to_press if hit.routes_to_press is None else hit.routes_to_press
        return Finding(
            rule=self.config.code,
            severity=Severity(severity),
            message=hit.message,
            message_en=hit.message_en,
            channel=channel,
            start=hit.start,
            end=hit.end,
            in_variant=in_variant and hit.start is not None,
            routes_to_press=routes,
            media_index=hit.media_index,
            suggestion=hit.suggestion,
        )

    def run(
        self, post: PostLike, main: Doc, variants: Mapping[str, Doc], ctx: CheckContext
    ) -> Iterator[Finding]:
        raise NotImplementedError


class TextRuleKind(RuleKind):
    """Runs on the main text (for the networks that use it) and on each network's own variant."""

    def find(self, doc: Doc, ctx: CheckContext) -> Iterable[Hit]:
        raise NotImplementedError

    def run(self, post, main, variants, ctx):
        if not variants and not self.config.channels:  # the common case: one text for every network
            for hit in self.find(main, ctx):
                yield self.finding(hit, None, False)
            return
        channels = list(dict.fromkeys(post.channels))
        main_channels = [channel for channel in channels if channel not in variants]
        targets: list[tuple[Doc, str | None, bool]] = []
        if not self.config.channels:
            if main_channels or not channels:
                targets.append((main, None, False))
        else:
            targets += [
                (main, channel, False) for channel in main_channels if channel in self.config.channels
            ]
        targets += [(doc, channel, True) for channel, doc in variants.items() if self.applies_to(channel)]
        hits_by_doc: dict[int, list[Hit]] = {}
        for doc, channel, in_variant in targets:
            hits = hits_by_doc.get(id(doc))
            if hits is None:
                hits = hits_by_doc[id(doc)] = list(self.find(doc, ctx))
            for hit in hits:
                yield self.finding(hit, channel, in_variant)


class ChannelRuleKind(RuleKind):
    """Asks something per network the post goes to, of the text that network gets."""

    def check_channel(self, channel: str, doc: Doc, ctx: CheckContext) -> Iterable[Hit]:
        raise NotImplementedError

    def run(self, post, main, variants, ctx):
        for channel in dict.fromkeys(post.channels):
            if not self.applies_to(channel):
                continue
            doc = variants.get(channel, main)
            for hit in self.check_channel(channel, doc, ctx):
                yield self.finding(hit, channel, channel in variants)


class PostRuleKind(RuleKind):
    """Looks at the post as a whole (media, time); findings apply to every network."""

    def check_post(self, post: PostLike, ctx: CheckContext) -> Iterable[Hit]:
        raise NotImplementedError

    def run(self, post, main, variants, ctx):
        if self.config.channels and not self.config.channels.intersection(post.channels):
            return
        for hit in self.check_post(post, ctx):
            yield self.finding(hit, None, False)
