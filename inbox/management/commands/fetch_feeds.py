"""Read every active feed of the feed list into the press inbox (for cron).

    */30 * * * *  manage.py fetch_feeds

Each feed's time and error (if any) are stored on it and shown in the
admin's feed list; a broken feed does not stop the others.
"""

from django.core.management.base import BaseCommand

from inbox.importing import Inbox, fetch_feed
from inbox.management.commands.import_feed import report_outcomes
from inbox.models import Feed


class Command(BaseCommand):
    help = "Fetch all active feeds into the press inbox."

    def handle(self, *args, verbosity=1, **options):
        inbox = Inbox()
        for feed in Feed.objects.filter(active=True):
            outcomes = fetch_feed(feed, inbox=inbox)
            if outcomes is None:
                self.stderr.write(f"{feed.name}: not imported: {feed.last_error}")
                continue
            report_outcomes(self, feed.name, outcomes, verbosity)
