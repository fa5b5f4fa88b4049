"""Recompute the stored full-text search vector of every searchable row.

Saves keep vectors current (summits/signals.py, articles/signals.py); this is
for rows written without a save signal (`update()`, `bulk_create()`, SQL), or
after changing what a model indexes. PostgreSQL only: on SQLite search reads
the fields directly and there is nothing to store.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from core.search import rebuild_search_vectors, uses_full_text
from home.search import SOURCES


class Command(BaseCommand):
    help = "Recompute the search vectors of summits, declarations, signatories "
    "and articles (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count the rows that would be updated; change nothing.",
        )

    def handle(self, *args, dry_run=False, verbosity=1, **options):
        if not uses_full_text():
            if verbosity:
                self.stdout.write("Not PostgreSQL: no search vectors to rebuild.")
            return
        with transaction.atomic():
            for source in SOURCES:
                # Every row, drafts included: publishing needs no rebuild.
                rows = source.model._default_manager.all()
                if dry_run:
                    count = rows.count()
                else:
                    count = rebuild_search_vectors(rows, source.document)
                if verbosity:
                    verb = "would update" if dry_run else "updated"
                    self.stdout.write(f"{source.label}: {verb} {count} rows.")
