"""Benchmark: the default etiquette rule set on 500-character county posts, on one core.

    DJANGO_DEBUG=true .venv/bin/python manage.py migrate          # once, for the embedded database
    DJANGO_DEBUG=true .venv/bin/python bench/etiquette_bench.py    # or with DATABASE_URL=postgres://…

Generates distinct, realistic 500-character posts (so no cache hides the work), pins the process to one
CPU where the OS allows it, and reports checks per second (CPU time of this process) for

- the engine alone (``RuleSet.check`` on the loaded rule set), per choice of networks, and
- ``etiquette.engine.check`` as the posts app calls it, which also reads the rule-set token from the
  database before every check (so that an admin's change is followed at once).

Prints a Markdown table; the README quotes it. Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "landkreis_social.settings")

SENTENCES = [
    "Die Zulassungsstelle in Zeven hat ab dem 3. März neue Öffnungszeiten.",
    "Sie ist montags bis freitags von 8 bis 12 Uhr geöffnet.",
    "Donnerstags können Sie zusätzlich von 14 bis 17 Uhr kommen.",
    "Termine buchen Sie online auf https://www.lk-row.de/termine.",
    "Bitte bringen Sie Ihren Personalausweis und die Zulassungsbescheinigung mit.",
    "Das Gesundheitsamt bietet jeden Dienstag eine kostenlose Impfberatung an.",
    "Die Beratung findet im Kreishaus statt, Hopfengarten 2 in Rotenburg.",
    "Fragen beantwortet das Bürgertelefon unter 04261 983-0.",
    "Ab April wird die Biotonne im Sommer jede Woche geleert.",
    "Die neuen Termine stehen im Abfallkalender.",
    "Der Deutsche Wetterdienst warnt vor Sturmböen am Nachmittag.",
    "Bitte meiden Sie Wälder und Parks.",
    "Die Kreisstraße 12 ist wegen Bauarbeiten bis Freitag gesperrt.",
    "Eine Umleitung ist ausgeschildert.",
    "Der neue Personalausweis kostet 37 Euro.",
    "Am Samstag ist Tag der offenen Tür im Kreishaus.",
    "Von 10 bis 15 Uhr zeigen alle Ämter ihre Arbeit.",
    "Für Kinder gibt es ein Malprogramm 🎨",
    "Die Kreismusikschule sucht Lehrkräfte für Geige und Cello.",
    "Bewerbungen sind bis zum 31. Mai möglich.",
    "#Rotenburg",
    "#Zulassungsstelle",
    "Gemäß der Satzung ist eine Anmeldung nötig.",
    "Wir freuen uns auf Ihren Besuch!",
    "Die Schuldnerberatung hilft Ihnen vertraulich und kostenlos.",
    "Rufen Sie vorher an und vereinbaren Sie einen Termin.",
    "Das Jugendamt lädt Eltern zu einem Infoabend ein.",
    "Der Abend beginnt um 19 Uhr im Ratssaal.",
]
NETWORK_SETS = [
    ("facebook",),
    ("facebook", "instagram"),
    ("facebook", "instagram", "mastodon"),
    ("facebook", "instagram", "mastodon", "bluesky"),
    ("facebook", "instagram", "mastodon", "bluesky", "x"),
]


def make_posts(count: int, seed: int = 2027) -> list[str]:
    rng = random.Random(seed)
    posts = []
    for number in range(count):
        text = ""
        while len(text) < 520:
            text += rng.choice(SENTENCES) + " "
        text = f"Nr. {number}: {text}"[:500]
        posts.append(text)
    return posts


def measure(function, items) -> float:
    """Checks per second of CPU time of this process."""
    start = time.process_time()
    for item in items:
        function(item)
    return len(items) / (time.process_time() - start)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--posts", type=int, default=2000, help="distinct posts per measurement (default 2000)"
    )
    args = parser.parse_args()

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    # DJANGO_DEBUG=true makes Django log every query; production does not, so neither does the benchmark.
    settings.DEBUG = False

    from etiquette.engine import check, current_ruleset
    from etiquette.types import MediaLike, PostLike

    ruleset = current_ruleset()
    # Two sets of distinct posts, one per measurement: the networks' length counting caches texts it
    # has seen (X's twitter-text parse), which must not make the second measurement look faster.
    texts = make_posts(2 * args.posts)
    assert all(len(text) == 500 for text in texts)
    image = MediaLike(
        alt_text="Das Kreishaus in Rotenburg von außen, mit Fahrradständern", credit="Foto: Landkreis"
    )
    when = datetime(2027, 3, 3, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))

    print(
        f"Etiquette benchmark – {len(ruleset.rules)} active rules, {args.posts} distinct 500-character posts, one core"
    )
    print(f"Python {platform.python_version()}, {platform.machine()}, database {connection.vendor}\n")
    print("| networks | engine alone | `engine.check` (incl. rule-set token read) |")
    print("|---|---|---|")
    for networks in NETWORK_SETS:
        posts = [PostLike(text=t, channels=networks, media=(image,), scheduled_at=when) for t in texts]
        n = args.posts if "x" not in networks else max(200, args.posts // 5)
        measure(ruleset.check, posts[-50:])  # warm up
        alone = measure(ruleset.check, posts[:n])
        full = measure(check, posts[n : 2 * n])
        print(
            f"| {', '.join(networks)} | {alone:,.0f} checks/s ({1e6 / alone:,.0f} µs) | {full:,.0f} checks/s ({1e6 / full:,.0f} µs) |"
        )


if __name__ == "__main__":
    main()
