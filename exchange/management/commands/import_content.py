"""Import a summitwatch.export/2 (or /1) JSON document: upsert everything by slug.

    manage.py import_content site.json
    manage.py import_content --dry-run site.json     # report, change nothing
    export_content | ssh new-host manage.py import_content -
    manage.py import_content --prune --no-input site.json

The whole document is checked first (JSON, schema version, JSON Schema,
references between objects, each object's model validation); any problem
stops the import before anything is written, and the database is unchanged.
Objects that the document does not contain are left alone unless --prune.
On a terminal a progress bar shows the checking and writing stages (not with
--verbosity 0, and never when the output goes to a pipe or a file).
"""

import shutil
import sys
import tempfile

from django.core.management.base import BaseCommand, CommandError

from core.progress import ProgressBar
from exchange.importer import Importer, ImportErrors, no_progress, parse_document


class Command(BaseCommand):
    help = (
        "Import a summitwatch.export/2 (or /1) JSON document (a path, or - for stdin): "
        "validate it completely, then create or update every object by slug in "
        "one transaction. Reports created/updated/unchanged per type."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="PATH", help="JSON file, or - for stdin.")
        self.add_common_arguments(parser)
        parser.add_argument(
            "--prune",
            action="store_true",
            help="Delete signatories, summits, declarations and articles that "
            "the document does not contain (asks first unless --no-input).",
        )
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation before --prune deletes.",
        )

    def add_common_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the document and report what would change, then roll "
            "back: nothing is written.",
        )

    def handle(self, *args, **options):
        path = options["path"]
        with self.open(path) as handle:
            self.run_import(
                handle,
                source="stdin" if path == "-" else path,
                dry_run=options["dry_run"],
                prune=options.get("prune", False),
                interactive=options.get("interactive", False),
                verbosity=options["verbosity"],
            )

    def open(self, path):
        """The document as a binary file the importer can read twice (a
        refused document is read again, whole, to say what is wrong)."""
        if path == "-":
            copy = tempfile.TemporaryFile()
            shutil.copyfileobj(sys.stdin.buffer, copy)
            copy.seek(0)
            return copy
        try:
            return open(path, "rb")  # noqa: SIM115 - closed by handle()
        except FileNotFoundError as error:
            raise CommandError(f"{path}: no such file.") from error
        except IsADirectoryError as error:
            raise CommandError(f"{path}: is a directory, not a JSON file.") from error
        except OSError as error:
            raise CommandError(f"{path}: cannot read it ({error.strerror}).") from error

    def run_import(self, data, source, dry_run, prune, interactive, verbosity):
        progress = ProgressBar(self.stdout) if verbosity >= 1 else None
        try:
            importer = Importer(
                parse_document(data), prune=prune, progress=progress or no_progress
            )
            importer.check()
            if progress:
                progress.finish()
            if prune and not dry_run:
                self.confirm_prune(importer, interactive)
            result = importer.apply(dry_run=dry_run, comment=f"Imported from {source}")
        except ImportErrors as errors:
            raise CommandError(errors.report(source)) from errors
        finally:
            if progress:
                progress.finish()
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(f"Warning: {warning}"))
        if verbosity >= 1:
            heading = "Dry run, nothing written" if dry_run else f"Imported {source}"
            self.stdout.write(heading + ":")
            for line in result.lines():
                self.stdout.write(f"  {line}")
        return result

    def confirm_prune(self, importer, interactive):
        missing = {s: n for s, n in importer.missing_counts().items() if n}
        if not missing or not interactive:
            return
        if not sys.stdin.isatty():
            raise CommandError(
                "--prune asks before deleting, and there is no terminal to ask "
                "on: add --no-input to delete without asking. Nothing was changed."
            )
        listed = ", ".join(f"{n} {section}" for section, n in missing.items())
        answer = input(
            f"--prune will delete {listed} not in the document, drafts and "
            "scheduled items included (an export made without --include-drafts "
            "has none). Type 'yes' to continue: "
        )
        if answer.strip().lower() != "yes":
            raise CommandError("Import cancelled: nothing was changed.")
