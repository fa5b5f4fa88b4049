"""Re-index every searchable row for site search (see `core.search`).

Saves keep the index current (summits/signals.py, articles/signals.py); this
is for rows written without a save signal (`update()`, `bulk_create()`, SQL,
fixtures), after changing what a model indexes, and after the migration that
creates the index. On PostgreSQL it rewrites each row's `search_vector`, on
SQLite the rows of the FTS5 table `search_index`.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from home.search import SOURCES, rebuild_search_index


class Command(BaseCommand):
    help = (
        "Re-index the summits, declarations, signatories, series, groups and "
        "articles for site search (PostgreSQL vectors or SQLite's FTS5 index)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count the rows that would be indexed; change nothing.",
        )

    def handle(self, *args, dry_run=False, verbosity=1, **options):
        if dry_run:
            counts = {
                source.label: source.model._default_manager.count()
                for source in SOURCES
            }
        else:
            with transaction.atomic():
                counts = rebuild_search_index()
        verb = "would index" if dry_run else "indexed"
        for label, count in counts.items():
            if verbosity:
                self.stdout.write(f"{label}: {verb} {count} rows.")
