"""Write the whole site's content as one summitwatch.export/2 JSON document.

    manage.py export_content > site.json
    manage.py export_content --output site.json --include-drafts
    manage.py export_content --no-timestamp --indent 0   # for diffing
    manage.py export_content --schema                    # the JSON Schema

The format is documented in exchange/README.md and, field by field, in
exchange/schema/summitwatch.export-2.schema.json.
"""

import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from exchange.format import load_schema_text
from exchange.serialise import Exporter, StreamWriter


class Progress:
    """A one-line counter on stderr, for people watching a big export."""

    def __init__(self, stream, totals):
        self.stream = stream
        self.totals = totals
        self.done = dict.fromkeys(totals, 0)

    def __call__(self, key):
        self.done[key] += 1
        if self.done[key] % 500 == 0 or self.done[key] == self.totals[key]:
            end = "\n" if self.done[key] == self.totals[key] else ""
            line = f"\rExporting {key}: {self.done[key]}/{self.totals[key]}"
            self.stream.write(line, ending=end)
            self.stream.flush()


class Command(BaseCommand):
    help = (
        "Export signatories, summits, declarations (with signatures) and "
        "articles as one JSON document (schema summitwatch.export/2). Only "
        "published content unless --include-drafts."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            "-o",
            metavar="PATH",
            help="Write to PATH (atomically: a failed export leaves any existing "
            "file untouched) instead of stdout.",
        )
        parser.add_argument(
            "--include-drafts",
            action="store_true",
            help="Also export drafts and scheduled items, with their status and "
            "publication time.",
        )
        parser.add_argument(
            "--no-timestamp",
            action="store_true",
            help="Leave out exported_at, so two exports of the same data are "
            "identical bytes.",
        )
        parser.add_argument(
            "--indent",
            type=int,
            default=2,
            metavar="N",
            help="Spaces per indentation level (default 2; 0 for compact output).",
        )
        parser.add_argument(
            "--schema",
            action="store_true",
            help="Print the JSON Schema of the format and exit.",
        )

    def handle(self, *args, **options):
        if options["schema"]:
            self.stdout.write(load_schema_text(), ending="")
            return
        if options["indent"] < 0:
            raise CommandError("--indent must be 0 (compact) or a positive number.")
        output = options["output"]
        if output:
            self.export_to_file(Path(output), options)
            if options["verbosity"] >= 1:
                self.stderr.write(f"Exported to {output}")
        else:
            self.export(_Unterminated(self.stdout), options)

    def export(self, out, options):
        exporter = Exporter(include_drafts=options["include_drafts"])
        writer = StreamWriter(out, indent=options["indent"])
        with self.snapshot():
            pairs = exporter.document(timestamp=not options["no_timestamp"])
            on_item = None
            if options["verbosity"] >= 1 and self.stderr.isatty():
                on_item = Progress(self.stderr, exporter.counts())
            writer.write_document(pairs, on_item=on_item)

    def snapshot(self):
        """One consistent view of the data for the whole export.

        On PostgreSQL, REPEATABLE READ makes every query see the same
        snapshot, so an editor saving mid-export cannot produce a document
        whose references point at rows that were not written. It must be the
        first statement of its transaction; inside an outer transaction (tests,
        callers) that one already decides.
        """
        atomic = transaction.atomic()
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            return _RepeatableRead(atomic)
        return atomic

    def export_to_file(self, path, options):
        directory = path.parent
        if not directory.is_dir():
            raise CommandError(f"Cannot write {path}: {directory} is not a directory.")
        try:
            handle = tempfile.NamedTemporaryFile(
                "w",
                encoding="utf-8",
                dir=directory,
                prefix=f".{path.name}.",
                suffix=".tmp",
                delete=False,
            )
        except OSError as error:
            raise CommandError(f"Cannot write {path}: {error.strerror}.") from error
        try:
            with handle:
                self.export(handle, options)
                handle.flush()
                os.fsync(handle.fileno())
            # Temporary files are private (0600); give the export the
            # permissions an ordinary new file would get.
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(handle.name, 0o666 & ~umask)
            os.replace(handle.name, path)
        except BaseException as error:
            Path(handle.name).unlink(missing_ok=True)
            if isinstance(error, OSError):
                raise CommandError(f"Cannot write {path}: {error}.") from error
            raise


class _Unterminated:
    """A command's OutputWrapper that writes text exactly as given."""

    def __init__(self, wrapper):
        self.wrapper = wrapper

    def write(self, text):
        self.wrapper.write(text, ending="")


class _RepeatableRead:
    def __init__(self, atomic):
        self.atomic = atomic

    def __enter__(self):
        self.atomic.__enter__()
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")

    def __exit__(self, *exc_info):
        return self.atomic.__exit__(*exc_info)
