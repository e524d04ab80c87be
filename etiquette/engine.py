"""The etiquette engine: ``check(post_like) -> list[Finding]``.

Rules and the data they read are loaded from the database once per process and kept, compiled, in
memory (:class:`RuleSet`). Every check first reads the rule-set token (``RuleSetState``, one
primary-key read); when an admin has changed a rule, a term list, the allowlist or an election, the
token differs and this process reloads – so the next check in every web and worker process follows
the change.

The engine never raises because of a text: a rule that fails anyway is logged and reported as a
warning finding of that rule, so a bug cannot silently let a post through.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from . import kinds
from .kinds.base import CheckContext, ElectionData, EtiquetteData, RuleConfig, RuleKind, TermData
from .text import Doc
from .types import Finding, PostLike, Severity

logger = logging.getLogger(__name__)
BERLIN = ZoneInfo("Europe/Berlin")


class RuleSet:
    """The active rules of one rule-set version, compiled."""

    def __init__(self, configs: Iterable[RuleConfig], data: EtiquetteData, token: str = ""):
        self.token = token
        self.data = data
        self.configs = tuple(configs)
        self.rules: list[RuleKind] = []
        self.broken: list[RuleConfig] = []  # rules whose set-up failed: reported with every check
        for config in self.configs:
            if config.severity == Severity.OFF:
                continue
            try:
                self.rules.append(kinds.get(config.kind)(config, data))
            except Exception:
                logger.exception("etiquette: rule %s (%s) could not be set up", config.code, config.kind)
                self.broken.append(config)

    def check(self, post: PostLike, *, now: datetime | None = None) -> list[Finding]:
        now = now or timezone.now()
        if post.scheduled_at is not None and timezone.is_naive(post.scheduled_at):
            post = _replace_time(post, timezone.make_aware(post.scheduled_at, BERLIN))
        ctx = CheckContext(post=post, now=now)
        main = Doc(post.text or "")
        variants = {}
        for channel in dict.fromkeys(post.channels):
            variant = post.variants.get(channel) if post.variants else None
            if variant and variant != post.text:
                variants[channel] = Doc(variant)
        findings: list[Finding] = [_not_checked(config.code) for config in self.broken]
        for rule in self.rules:
            try:
                findings.extend(rule.run(post, main, variants, ctx))
            except Exception:
                logger.exception("etiquette: rule %s failed", rule.config.code)
                findings.append(_not_checked(rule.config.code))
        findings.sort(key=Finding.sort_key)
        return findings


def _not_checked(code: str) -> Finding:
    """A rule that failed is reported, not skipped: a bug must not let a post through unnoticed."""
    return Finding(
        rule=code,
        severity=Severity.WARN,
        message=(
            f"Die Regel „{code}“ konnte wegen eines internen Fehlers nicht geprüft werden. Bitte prüfen "
            "Sie diesen Punkt selbst und informieren Sie die Administration."
        ),
        message_en=f"Rule “{code}” could not be checked (internal error).",
    )


def _replace_time(post: PostLike, when: datetime) -> PostLike:
    return dataclasses.replace(post, scheduled_at=when)


# --- Loading from the database --------------------------------------------------------------------


def read_token() -> str:
    """The current rule-set token: one primary-key read, no ORM overhead (it runs on every check)."""
    from .models import RuleSetState

    table = connection.ops.quote_name(RuleSetState._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {table} WHERE id = 1")  # noqa: S608 - constant table name
        row = cursor.fetchone()
    return row[0] if row else ""


def load_ruleset(token: str | None = None) -> RuleSet:
    from .models import Rule

    if token is None:
        token = read_token()
    configs = []
    for rule in Rule.objects.filter(active=True).order_by("position", "code"):
        try:
            kind = kinds.get(rule.kind)
        except KeyError:
            logger.error("etiquette: rule %s has the unknown kind %r; skipped", rule.code, rule.kind)
            continue
        try:
            parameters = kind.validate_parameters(rule.parameters)
        except ValidationError as exc:
            logger.error(
                "etiquette: rule %s has bad parameters (%s); using the defaults", rule.code, exc.messages
            )
            parameters = kind.default_parameters()
        configs.append(
            RuleConfig(
                code=rule.code,
                kind=rule.kind,
                severity=Severity(rule.severity),
                channels=frozenset(rule.channels or ()),
                parameters=parameters,
            )
        )
    return RuleSet(configs, load_data(), token)


def load_data() -> EtiquetteData:
    """Term lists, allowlist and elections as plain values for the rule kinds."""
    from .allowlist import clean_host
    from .kinds.personal_data import normalise_address
    from .models import AllowlistEntry, Election, Term
    from .text import normalise_phone

    terms: dict[str, list[TermData]] = {}
    for term_list, term, suggestion, case_sensitive in Term.objects.filter(active=True).values_list(
        "term_list", "term", "suggestion", "case_sensitive"
    ):
        terms.setdefault(term_list, []).append(TermData(term, suggestion, case_sensitive))
    entries: dict[str, list[str]] = {}
    for kind, value in AllowlistEntry.objects.filter(active=True).values_list("kind", "value"):
        entries.setdefault(kind, []).append(value)

    def hosts(kind):
        found = []
        for value in entries.get(kind, ()):
            try:
                found.append(clean_host(value))
            except ValidationError:
                logger.warning("etiquette: allowlist %s entry %r is not a domain", kind, value)
        return tuple(found)

    emails = [value.lower() for value in entries.get("email", ())]
    addresses = set()
    for value in entries.get("address", ()):
        street, _sep, number = value.rstrip().rpartition(" ")
        if street and number[:1].isdigit():
            addresses.add(normalise_address(street, number))
        else:  # "Hopfengarten 2 a"
            parts = value.split()
            if len(parts) >= 3 and parts[-2].isdigit():
                addresses.add(normalise_address(" ".join(parts[:-2]), parts[-2] + parts[-1]))
    return EtiquetteData(
        terms={name: tuple(values) for name, values in terms.items()},
        own_domains=hosts("own_domain"),
        trusted_domains=hosts("domain"),
        emails=frozenset(e for e in emails if not e.startswith("@")),
        email_domains=tuple(e[1:] for e in emails if e.startswith("@")),
        phones=tuple(p for p in (normalise_phone(v) for v in entries.get("phone", ())) if len(p) >= 3),
        ibans=frozenset(v.replace(" ", "").upper() for v in entries.get("iban", ())),
        addresses=frozenset(addresses),
        elections=tuple(
            ElectionData(name, day, window)
            for name, day, window in Election.objects.values_list("name", "date", "window_days")
        ),
    )


_lock = threading.Lock()
_current: RuleSet | None = None


def current_ruleset() -> RuleSet:
    """The rule set of the current token, from this process's memory or freshly loaded."""
    global _current
    token = read_token()
    ruleset = _current
    if ruleset is None or ruleset.token != token:
        with _lock:
            ruleset = _current
            if ruleset is None or ruleset.token != token:
                ruleset = load_ruleset(token)
                _current = ruleset
    return ruleset


def forget_ruleset() -> None:
    """Drop this process's copy (tests; the token makes this unnecessary in normal operation)."""
    global _current
    _current = None


def check(post_like: PostLike, *, now: datetime | None = None) -> list[Finding]:
    """All findings of the current rule set for ``post_like``, sorted by ``Finding.sort_key``."""
    return current_ruleset().check(post_like, now=now)
