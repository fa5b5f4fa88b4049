"""Load the demo content we ship: real summits, declarations and signatures.

    manage.py load_demo_content             # exchange/demo/content.json
    manage.py load_demo_content --dry-run
    manage.py load_demo_content --if-empty  # what `make run` does

The demo content is an ordinary summitwatch.export/2 document, loaded through
the same importer as `import_content`: checked completely first, written in
one transaction, and idempotent (a second run reports everything unchanged).
Cover images named in it are copied from the `media/` folder beside the file
into media storage when they are not there yet. The demo pages (About,
Methodology) are in its "pages" list like any other content. Editors' own
content is left alone; nothing is ever pruned. `make run` passes --if-empty,
so running it again never puts back demo items that editors have since
changed or deleted.
"""

from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage

from exchange.importer import SECTION_MODELS, ImportErrors, parse_document
from exchange.management.commands.import_content import Command as ImportCommand

DEMO_CONTENT = Path(settings.BASE_DIR) / "exchange" / "demo" / "content.json"


def site_has_content():
    return any(model.objects.exists() for model, _fields in SECTION_MODELS.values())


class Command(ImportCommand):
    help = (
        "Load Summit Watch's demo content (summits, declarations, signatories, "
        "signatures, articles) from a summitwatch.export/2 file. Safe to run "
        "again: it updates what changed and reports the rest unchanged."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            nargs="?",
            default=str(DEMO_CONTENT),
            metavar="PATH",
            help=f"The demo content file (default: {DEMO_CONTENT}).",
        )
        self.add_common_arguments(parser)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Load only into a site that has no content yet; otherwise do "
            "nothing, so editors' changes to demo items are never overwritten.",
        )

    def handle(self, *args, **options):
        if options["if_empty"] and site_has_content():
            if options["verbosity"] >= 1:
                self.stdout.write(
                    "The site already has content: demo content not loaded "
                    "(run load_demo_content without --if-empty to update it)."
                )
            return
        super().handle(*args, **options)

    def run_import(self, data, source, dry_run, prune, interactive, verbosity):
        # Copy first, so the importer finds the images it is told about. A
        # copied image is harmless if the import then fails.
        copied = self.copy_media(data, Path(source).parent / "media", dry_run)
        result = super().run_import(
            data, source, dry_run, prune, interactive, verbosity
        )
        if verbosity >= 1 and copied:
            verb = "would copy" if dry_run else "copied"
            self.stdout.write(f"  media: {verb} {len(copied)} file(s) into storage")
        return result

    def copy_media(self, data, folder, dry_run):
        try:
            document = parse_document(data)
        except ImportErrors:
            return []  # the import itself reports what is wrong
        copied = []
        for article in document["articles"]:
            image = article["cover_image"]
            source = folder / image["path"] if image else None
            if source is None or not source.is_file():
                continue
            if default_storage.exists(image["path"]):
                continue
            if not dry_run:
                with source.open("rb") as handle:
                    default_storage.save(image["path"], File(handle))
            copied.append(image["path"])
        return copied
