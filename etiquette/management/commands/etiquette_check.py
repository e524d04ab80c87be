"""``manage.py etiquette_check FILE`` – check texts against the etiquette from scripts.

FILE (or ``-`` for standard input) holds one JSON object ``{"text": …, "link": …, "channels": […],
"media": [{"kind": "image", "alt_text": …, "credit": …, "shows_people": false, "consent": false}],
"scheduled_at": "2027-03-01T20:00:00+01:00", "reply_to": …, "direct": false}`` (everything but ``text``
optional; ``reply_to`` is the citizen's text a reply answers) or a JSON list of
such objects. Prints a JSON list of findings for the object – for a list, a list of such lists – each
``{"rule", "severity", "channel", "message", "start", "end"}``. Exit status 0; bad JSON or an unknown
network: a message on standard error and exit status 2.
"""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from etiquette.engine import current_ruleset
from etiquette.inputs import InputError, post_like_from_json

EXIT_BAD_INPUT = 2


def finding_json(finding) -> dict:
    return {
        "rule": finding.rule,
        "severity": str(finding.severity),
        "channel": finding.channel,
        "message": finding.message,
        "start": finding.start,
        "end": finding.end,
    }


class Command(BaseCommand):
    help = (
        "Check posts (JSON from a file or standard input) against the etiquette; print the findings as JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", help="JSON file with one post object or a list of them; - for standard input"
        )

    def handle(self, *args, file, **options):
        raw = self._read(file)
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise CommandError(
                f"Ungültiges JSON (Zeile {exc.lineno}, Spalte {exc.colno}): {exc.msg}",
                returncode=EXIT_BAD_INPUT,
            ) from None
        except RecursionError:
            raise CommandError("Ungültiges JSON: zu tief verschachtelt.", returncode=EXIT_BAD_INPUT) from None
        single = isinstance(data, dict)
        items = [data] if single else data
        if not isinstance(items, list):
            raise CommandError(
                "Erwartet wird ein JSON-Objekt oder eine Liste von Objekten.", returncode=EXIT_BAD_INPUT
            )
        posts = []
        for number, item in enumerate(items, start=1):
            try:
                posts.append(post_like_from_json(item))
            except InputError as exc:
                where = "" if single else f"Eintrag {number}: "
                raise CommandError(f"{where}{exc.message}", returncode=EXIT_BAD_INPUT) from None
        ruleset = current_ruleset()
        results = [[finding_json(f) for f in ruleset.check(post)] for post in posts]
        self.stdout.write(json.dumps(results[0] if single else results, ensure_ascii=False, indent=2))

    def _read(self, file: str) -> str:
        try:
            if file == "-":
                return sys.stdin.read()
            with open(file, encoding="utf-8") as handle:
                return handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(
                f"Die Datei „{file}“ kann nicht gelesen werden: {exc}", returncode=EXIT_BAD_INPUT
            ) from None
