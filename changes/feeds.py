"""RSS 2.0 and Atom feeds of the change log: the latest 50 public changes."""

from django.conf import settings
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed

from articles.feeds import CachedFeed
from changes.views import public_events

FEED_ITEMS = 50


class ChangesFeed(CachedFeed):
    """RSS 2.0: one item per change, titled by its sentence."""

    link = reverse_lazy("changes:change_list")
    description = "Changes to the record: positions recorded, treaties ratified, "
    description += "summits, declarations and articles published."

    def title(self):
        return f"{settings.SITE_NAME}: changes to the record"

    def items(self):
        return public_events()[:FEED_ITEMS]

    def item_title(self, item):
        return item.sentence()

    def item_description(self, item):
        # Plain text to Django, which escapes it into the feed.
        return f"{item.sentence()} — recorded {item.occurred_at:%-d %B %Y}."

    def item_link(self, item):
        record = item.record
        return record.get_absolute_url() if record else item.get_absolute_url()

    def item_guid(self, item):
        return f"{settings.SITE_URL}{item.get_absolute_url()}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.occurred_at


class ChangesAtomFeed(ChangesFeed):
    feed_type = Atom1Feed
    subtitle = ChangesFeed.description
