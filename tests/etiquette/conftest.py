"""Helpers for the etiquette tests: run the engine on a text and pick one rule's findings."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from etiquette.types import MediaLike, PostLike

BERLIN = ZoneInfo("Europe/Berlin")
# A Wednesday morning in term time: inside the staffed hours, no holiday, no election window.
WEDNESDAY_10 = datetime(2027, 3, 3, 10, 0, tzinfo=BERLIN)
GOOD_IMAGE = MediaLike(
    kind="image",
    alt_text="Die Zulassungsstelle in Zeven von außen, mit Rampe am Eingang",
    credit="Foto: Landkreis Rotenburg (Wümme)",
)
ALL_NETWORKS = ("facebook", "instagram", "mastodon", "bluesky", "x")

# Ordinary posts of a county: each must pass every rule of the default set on every network.
CLEAN_POSTS = [
    "Die Zulassungsstelle ist am Montag geschlossen.",
    "Die Zulassungsstelle in Zeven hat ab dem 3. März neue Öffnungszeiten: montags bis freitags von "
    "8 bis 12 Uhr. Termine buchen Sie online.",
    "Am Samstag, 14. Juni, ist Tag der offenen Tür im Kreishaus. Von 10 bis 15 Uhr zeigen alle Ämter "
    "ihre Arbeit. Der Eintritt ist frei. #TagDerOffenenTür",
    "Der neue Personalausweis kostet 37 Euro. Sie beantragen ihn im Bürgerbüro Ihrer Stadt. Bringen Sie "
    "ein aktuelles Foto mit.",
    "Fragen zur Grundsteuer? Rufen Sie uns an: 04261 983-2345. Oder schreiben Sie an steuern@lk-row.de.",
    "Unwetter: Heute ab 18 Uhr sind Sturmböen möglich. Bitte meiden Sie Wälder und Parks. Mehr dazu "
    "beim Wetterdienst: https://www.dwd.de/warnungen",
    "Die Impfberatung im Kreishaus ist jeden Dienstag von 9 bis 11 Uhr. Sie finden uns im Hopfengarten 2 "
    "in Rotenburg.",
    "Gebühren können Sie bis zum 31.12.2026 überweisen. Die Kasse hat am 24.12. geschlossen.",
    "Bitte geben Sie Ihre Kundennummer an, etwa DE12 3456 7890 1234 5678 90. Dann finden wir Ihren Antrag schnell.",
    "Neue Radwege im Kreis: Der Ausbau an der Kreisstraße 12 ist fertig. Gute Fahrt! 🚲",
]


def post(text: str = "", **kwargs) -> PostLike:
    kwargs.setdefault("scheduled_at", WEDNESDAY_10)
    return PostLike(text=text, **kwargs)


def of_rule(findings, rule: str):
    return [f for f in findings if f.rule == rule]


def marked(findings, rule: str, text: str) -> list[str]:
    """The passages of ``text`` that ``rule`` marked, in order."""
    return [text[f.start : f.end] for f in of_rule(findings, rule) if f.start is not None]


def span_of(text: str, passage: str, occurrence: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(passage, start + 1)
    return start, start + len(passage)


@pytest.fixture
def check(db):
    """``check(text, **PostLike fields)`` -> findings of the current rule set (default: no networks,
    planned for a Wednesday 10:00)."""
    from etiquette.engine import check as engine_check

    def run(text: str = "", **kwargs):
        return engine_check(post(text, **kwargs))

    return run


@pytest.fixture
def rule_update(db):
    """Change a rule of the default set through the service: ``rule_update("tone.shouting", severity="block")``."""
    from etiquette import services
    from etiquette.models import Rule

    def change(code: str, **changes):
        return services.rule_update(actor=None, rule=Rule.objects.get(code=code), **changes)

    return change


@pytest.fixture
def committed_default_rules(transactional_db):
    """For tests whose data another process must see (committed, ``transaction=True``).

    Other apps' transactional tests empty every table when they end, data-migration rows included, so
    such a test installs the default rule set again (the data migration's own, idempotent function) and
    the role groups the cast needs."""
    from importlib import import_module

    from django.apps import apps
    from django.contrib.auth.models import Group

    from departments import roles

    for name in roles.ALL_GROUPS:
        Group.objects.get_or_create(name=name)

    from etiquette.services import ruleset_touch

    import_module("etiquette.migrations.0002_default_rule_set").install(apps, None)
    ruleset_touch()  # every process reloads the rules
