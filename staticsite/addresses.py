"""Which addresses make the public site, for `publish_static`.

Every address an anonymous visitor reaches without a query string, and the
pages of the paginated lists (`?page=N`):

- every item of the sitemaps (the home page, the lists, every public record
  and editors' page), read from the URLconf's own `sitemap` route, and each
  record's share card;
- each public declaration's positions CSV, embed page and assessment feeds;
- the site's feeds, `sitemap.xml`, `robots.txt` and the empty search form;
- the pages of the article list and of the change log;
- the open-data downloads of /data/ that `publish_data` wrote, snapshots too.

Everything is listed through `public()` (the sitemaps and the views' own
querysets), and each page is then rendered by its public view for an
anonymous visitor, which answers 404 for a draft or a scheduled item anyway.
The crawl in staticsite.publishing follows every link of every page as well,
so an address missing here is still found if any page links to it (and the
run says so).
"""

import math
from dataclasses import dataclass

from django.urls import resolve, reverse

from articles.models import Article
from articles.views import ArticleListing
from changes.views import ChangeListView, public_events
from exchange import opendata
from summits.models import Declaration

# Asked for to render the site's 404 page; nothing answers it.
NOT_FOUND_PROBE = "/publish-static/not-found/"

# Per-declaration addresses beside its page (summits.urls).
DECLARATION_ADDRESSES = (
    "summits:declaration_csv",
    "summits:declaration_embed",
    "summits:declaration_assessments_feed",
    "summits:declaration_assessments_atom",
)
SITE_FEEDS = (
    "articles:feed_rss",
    "articles:feed_atom",
    "changes:feed_rss",
    "changes:feed_atom",
    "summits:assessments_feed",
    "summits:assessments_atom",
)
# The paginated lists: (URL name, view, its public rows).
PAGINATED_LISTS = (
    # What paginates: the listing behind the view, with its page size.
    ("articles:article_list", ArticleListing, lambda: Article.objects.public()),
    ("changes:change_list", ChangeListView, public_events),
)


@dataclass(frozen=True)
class Address:
    """An address to publish, and why it is listed (for the report); a share
    card's also names its record, (model, pk), whose card it draws."""

    url: str
    why: str
    record: tuple | None = None


def sitemaps():
    """The sitemap sections the site serves at /sitemap.xml, as instances."""
    sections = resolve(reverse("sitemap")).kwargs["sitemaps"]
    return {
        name: section() if isinstance(section, type) else section
        for name, section in sections.items()
    }


def sitemap_records():
    """(address, item) of every sitemap entry, in the sitemap's order."""
    for sitemap in sitemaps().values():
        for item in sitemap.items():
            yield sitemap.location(item), item


def site_addresses():
    """Every address to publish (see the module docstring), each once."""
    seen = set()

    def add(url, why, record=None):
        if url not in seen:
            seen.add(url)
            addresses.append(Address(url, why, record))

    addresses = []
    add(reverse("robots_txt"), "robots")
    add(reverse("sitemap"), "sitemap")
    add(reverse("home:search"), "search form")
    for location, item in sitemap_records():
        add(location, "sitemap")
        card = getattr(item, "share_card_url", None)
        if card and card():
            add(card(), "share card", (type(item), item.pk))
        if isinstance(item, Declaration):
            for name in DECLARATION_ADDRESSES:
                add(reverse(name, args=[item.slug]), "declaration")
    for name in SITE_FEEDS:
        add(reverse(name), "feed")
    for name, view, rows in PAGINATED_LISTS:
        pages = math.ceil(rows().count() / view.paginate_by)
        if pages > 1:  # a single page links to no other
            for number in range(1, pages + 1):
                add(f"{reverse(name)}?page={number}", "list page")
    for data_file in opendata.DATA_FILES:
        if opendata.find(data_file.name):
            add(reverse("exchange:data_file", args=[data_file.name]), "open data")
    for name, _size in opendata.snapshots():
        add(reverse("exchange:data_file", args=[name]), "open data")
    return addresses
