"""RSS 2.0 and Atom feeds of the latest published articles and press items.

Both feeds share one base class: the same 20 items, full sanitised content
(`body_html` is cleaned once on save), the author, and cache headers so feed
readers polling every few minutes are answered by a cache or a CDN.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.cache import patch_cache_control
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from articles.models import Article
from core.markdown import absolutise_urls

FEED_ITEMS = 20
FEED_MAX_AGE = 15 * 60


class CachedFeed(Feed):
    """A feed whose responses caches and CDNs may keep for FEED_MAX_AGE:
    feed readers poll every few minutes."""

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        patch_cache_control(response, public=True, max_age=FEED_MAX_AGE)
        return response


class LatestArticlesFeed(CachedFeed):
    """RSS 2.0: the description carries the full article."""

    link = reverse_lazy("articles:article_list")
    description = (
        "Articles and press coverage on the international AI summits, "
        "their declarations, and who signed or refused them."
    )

    def title(self):
        return f"{settings.SITE_NAME}: articles"

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        # Bodies link within the site by path; readers need whole URLs.
        for item in feed.items:
            for key in ("description", "content"):
                if item.get(key):
                    item[key] = absolutise_urls(item[key], item["link"])
        return feed

    def items(self):
        return Article.objects.public().defer("body", "search_vector")[:FEED_ITEMS]

    def item_title(self, item):
        if item.kind == Article.Kind.PRESS and item.outlet:
            return f"{item.title} ({item.outlet})"
        return item.title

    def item_description(self, item):
        # The description is HTML to feed readers; the lede is plain text and
        # must be escaped, or a lede like "<img onerror=…>" runs in readers.
        return item.body_html or escape(item.lede)

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return item.author_name or (
            item.outlet if item.kind == Article.Kind.PRESS else ""
        )

    def item_categories(self, item):
        return [item.get_kind_display()]


class ContentAtom1Feed(Atom1Feed):
    """Atom with the lede as `<summary>` and the full article as `<content>`.

    Django's Atom generator writes only a summary; readers show `<content>`.
    """

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content"):
            handler.addQuickElement("content", item["content"], {"type": "html"})


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = ContentAtom1Feed
    subtitle = LatestArticlesFeed.description

    def item_description(self, item):
        # Django writes <summary type="html">: escape the plain-text lede.
        return escape(item.lede) if item.lede else None

    def item_extra_kwargs(self, item):
        return {"content": item.body_html}
