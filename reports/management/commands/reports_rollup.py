"""Rebuild the reports' daily and monthly figures: the days that changed (what beat does), or all.

manage.py reports_rollup            # the days that changed since the last run
manage.py reports_rollup --all      # every day since the oldest event (after a restore, a new metric)
"""

from django.core.management.base import BaseCommand

from reports.models import RollupState
from reports.rollup import rollup_changed


class Command(BaseCommand):
    help = "Rebuild the reports' daily figures (the changed days, or --all)."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="rebuild every day, not only the changed ones")

    def handle(self, *args, **options):
        if options["all"]:
            RollupState.objects.update(watermark=None)
        days = rollup_changed()
        self.stdout.write(f"{len(days)} day(s) rebuilt")
