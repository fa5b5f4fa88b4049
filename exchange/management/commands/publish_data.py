"""Write the open-data downloads of /data/ into DATA_ROOT.

    manage.py publish_data              # the files, and today's snapshot
    manage.py publish_data --dry-run    # generate everything, write nothing

Run it by cron (every 15 minutes is plenty) and after a publication you want
downloadable at once; `make run` runs it once. Every file is written to a
temporary file beside it and moved into place only when all are written: a run
that fails part-way leaves the previous downloads untouched.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from exchange import opendata


class Command(BaseCommand):
    help = (
        "Write the open-data files (export, CSVs, schema, licence) and today's "
        "dated snapshot into DATA_ROOT. Published content only."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Generate every file, to check it can be done, but write nothing.",
        )

    def handle(self, *args, **options):
        root = opendata.data_root()
        if not options["dry_run"]:
            try:
                root.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise CommandError(
                    f"Cannot create {root}: {error.strerror}."
                ) from error
        # One transaction: every file reads the same state of the data.
        try:
            with transaction.atomic():
                paths = opendata.publish(root, dry_run=options["dry_run"])
        except OSError as error:
            raise CommandError(
                f"Cannot write the open data in {root}: {error}. "
                "The previous files are unchanged."
            ) from error
        if options["verbosity"] >= 1:
            verb = "Would write" if options["dry_run"] else "Wrote"
            self.stdout.write(f"{verb} {len(paths)} files in {root}")
        if options["verbosity"] >= 2:
            for path in paths:
                self.stdout.write(f"  {path.relative_to(root)}")
