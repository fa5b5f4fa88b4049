"""Read news feeds into the press inbox, one line per entry.

    manage.py import_feed https://example.org/feed.xml stories.json [--dry-run]

Each FEED is a URL (fetched safely: core.fetch) or a file: RSS, Atom or JSON
Feed. Every entry prints `kept (score N: matches …)` or `skipped (reason)`.
A feed that cannot be read (not a feed, cut off, unreachable) prints why and
saves nothing of that feed; the command then exits with an error.
"""

from django.core.management.base import BaseCommand, CommandError

from inbox.importing import ImportRefused, Inbox, import_feed_source


class Command(BaseCommand):
    help = "Read RSS, Atom or JSON Feed files or URLs into the press inbox."

    def add_arguments(self, parser):
        parser.add_argument("feeds", nargs="+", metavar="FEED", help="URL or file")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Score and report every entry; save nothing.",
        )

    def handle(self, *args, feeds=(), dry_run=False, verbosity=1, **options):
        inbox = Inbox()
        failed = []
        for source in feeds:
            try:
                outcomes = import_feed_source(source, dry_run=dry_run, inbox=inbox)
            except ImportRefused as error:
                self.stderr.write(f"{source}: not imported: {error}")
                failed.append(source)
                continue
            report_outcomes(self, source, outcomes, verbosity)
        if failed:
            raise CommandError(f"{len(failed)} feed(s) could not be read.")


def report_outcomes(command, source, outcomes, verbosity):
    """One line per entry, then a count (the count alone at verbosity 0)."""
    if verbosity >= 1:
        for outcome in outcomes:
            style = command.style.SUCCESS if outcome.kept else command.style.NOTICE
            command.stdout.write(style(outcome.line()))
    kept = sum(outcome.kept for outcome in outcomes)
    command.stdout.write(f"{source}: {kept} kept, {len(outcomes) - kept} skipped.")
