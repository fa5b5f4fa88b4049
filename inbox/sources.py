"""Reading stories out of feeds (RSS, Atom, JSON Feed) and article pages.

Feeds are parsed by feedparser, except JSON Feed, which is plain JSON read
here. A feed that is not well-formed (not XML, cut off half-way) is refused
whole, so nothing of a broken feed is half-imported. Article pages are read
with Python's html.parser: OpenGraph and other meta tags, then JSON-LD
(schema.org NewsArticle and kin), then the <title> as a last resort.
"""

import datetime
import html
import json
import re
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser

import feedparser
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.html import strip_tags

LEDE_LENGTH = 600


class SourceError(Exception):
    """A feed or page we cannot read stories from; the message says why."""


@dataclass
class Story:
    """One story as a feed or page gives it."""

    title: str = ""
    url: str = ""
    entry_id: str = ""
    published_on: datetime.date | None = None
    author: str = ""
    lede: str = ""
    outlet: str = ""
    picture_url: str = ""


def plain(text, limit=LEDE_LENGTH):
    """Text without markup, entities or runs of spaces, cut at a word."""
    text = re.sub(r"\s+", " ", html.unescape(strip_tags(text or ""))).strip()
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + "…"
    return text


def to_date(value):
    """A date from the many ways feeds and pages write one; None if unreadable."""
    if not value:
        return None
    if isinstance(value, tuple):  # feedparser's struct_time
        return datetime.date(*value[:3])
    value = str(value).strip()
    try:
        moment = parse_datetime(value)
    except ValueError:
        moment = None
    if moment is not None:
        return moment.date()
    try:
        day = parse_date(value[:10])
    except ValueError:
        day = None
    if day is not None:
        return day
    try:
        return parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError):
        return None


def parse_feed(body, content_type=""):
    """(feed title, [Story]) from a feed's bytes; SourceError if it is no feed."""
    head = body.lstrip()[:1]
    if "json" in content_type or head == b"{":
        return parse_json_feed(body)
    parsed = feedparser.parse(body)
    problem = parsed.get("bozo_exception")
    if parsed.get("bozo") and not isinstance(
        problem, feedparser.CharacterEncodingOverride
    ):
        raise SourceError(f"This is not a well-formed feed ({problem}).")
    if not parsed.get("version"):
        raise SourceError("This is not an RSS, Atom or JSON Feed document.")
    outlet = plain(parsed.feed.get("title", ""), 200)
    stories = []
    for entry in parsed.entries:
        author = entry.get("author", "")
        stories.append(
            Story(
                title=plain(entry.get("title", ""), 300),
                url=(entry.get("link") or "").strip(),
                entry_id=(entry.get("id") or "")[:500],
                published_on=to_date(
                    entry.get("published_parsed") or entry.get("updated_parsed")
                ),
                author=plain(author, 200),
                lede=plain(entry.get("summary", "")),
                outlet=outlet,
            )
        )
    return outlet, stories


def parse_json_feed(body):
    """JSON Feed 1.0/1.1 (https://jsonfeed.org/version/1.1)."""
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise SourceError(f"This is not valid JSON ({error}).") from None
    if not isinstance(document, dict) or not str(
        document.get("version", "")
    ).startswith("https://jsonfeed.org/version/"):
        raise SourceError("This JSON is not a JSON Feed (no jsonfeed.org version).")
    items = document.get("items")
    if not isinstance(items, list):
        raise SourceError("This JSON Feed has no list of items.")
    outlet = plain(str(document.get("title", "")), 200)
    stories = []
    for item in items:
        if not isinstance(item, dict):
            continue
        authors = item.get("authors") or (
            [item["author"]] if item.get("author") else []
        )
        names = [a.get("name", "") for a in authors if isinstance(a, dict)]
        stories.append(
            Story(
                title=plain(str(item.get("title") or ""), 300),
                url=str(item.get("url") or item.get("external_url") or "").strip(),
                entry_id=str(item.get("id") or "")[:500],
                published_on=to_date(
                    item.get("date_published") or item.get("date_modified")
                ),
                author=plain(", ".join(n for n in names if n), 200),
                lede=plain(str(item.get("summary") or item.get("content_html") or "")),
                outlet=outlet,
                picture_url=str(item.get("image") or ""),
            )
        )
    return outlet, stories


class _PageReader(HTMLParser):
    """Collects meta tags, JSON-LD blocks, the canonical link and the title."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.meta, self.json_ld, self.title = {}, [], ""
        self.canonical = ""
        self._in = None
        self._buffer = []

    def handle_starttag(self, tag, attrs):
        attrs = {key.lower(): value or "" for key, value in attrs}
        if tag == "meta":
            key = (attrs.get("property") or attrs.get("name") or "").lower()
            if key and "content" in attrs:
                self.meta.setdefault(key, attrs["content"].strip())
        elif tag == "link" and "canonical" in attrs.get("rel", "").lower().split():
            self.canonical = self.canonical or attrs.get("href", "")
        elif tag == "title" or (
            tag == "script" and attrs.get("type", "").lower() == "application/ld+json"
        ):
            self._in, self._buffer = tag, []

    def handle_data(self, data):
        if self._in:
            self._buffer.append(data)

    def handle_endtag(self, tag):
        if tag != self._in:
            return
        text = "".join(self._buffer)
        if tag == "title":
            self.title = self.title or text.strip()
        else:
            self.json_ld.append(text)
        self._in = None


ARTICLE_TYPES = {"article", "newsarticle", "reportagenewsarticle", "blogposting"}


def _articles_in(node):
    """Schema.org article objects anywhere in a JSON-LD document."""
    if isinstance(node, list):
        for item in node:
            yield from _articles_in(item)
    elif isinstance(node, dict):
        kinds = node.get("@type", [])
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if any(str(kind).lower() in ARTICLE_TYPES for kind in kinds):
            yield node
        if "@graph" in node:
            yield from _articles_in(node["@graph"])


def _name(value):
    if isinstance(value, list):
        return ", ".join(filter(None, (_name(v) for v in value)))
    if isinstance(value, dict):
        return str(value.get("name") or "")
    return str(value or "")


def _image(value):
    if isinstance(value, list):
        return _image(value[0]) if value else ""
    if isinstance(value, dict):
        return str(value.get("url") or "")
    return str(value or "")


def read_page(text, url):
    """A Story from an article page's HTML; SourceError if it has no title."""
    reader = _PageReader()
    reader.feed(text)
    reader.close()
    article = {}
    for block in reader.json_ld:
        try:
            found = next(_articles_in(json.loads(block)), None)
        except ValueError:
            continue  # a broken JSON-LD block: the meta tags may still do
        if found:
            article = found
            break
    meta = reader.meta
    story = Story(
        title=plain(
            meta.get("og:title") or _name(article.get("headline")) or reader.title,
            300,
        ),
        url=meta.get("og:url") or reader.canonical or url,
        published_on=to_date(
            meta.get("article:published_time")
            or article.get("datePublished")
            or meta.get("date")
            or meta.get("dc.date")
        ),
        author=plain(
            _name(article.get("author"))
            or meta.get("author")
            or meta.get("article:author"),
            200,
        ),
        lede=plain(
            meta.get("og:description")
            or meta.get("description")
            or str(article.get("description") or "")
        ),
        outlet=plain(meta.get("og:site_name") or _name(article.get("publisher")), 200),
        picture_url=meta.get("og:image") or _image(article.get("image")),
    )
    if not story.title:
        raise SourceError("The page has no title: is it an article?")
    return story
