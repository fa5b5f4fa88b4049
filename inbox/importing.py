"""Stories into the inbox: read, de-duplicated, scored, kept or skipped.

One function per way in: `import_feed_source` (a feed at a URL or in a file)
and `add_from_link` (a pasted article address); both end in `consider`,
which decides for one story and says why in one line.
"""

import logging
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from articles.models import Article
from core.fetch import FetchError, fetch
from inbox.models import PressCandidate, normalise_url
from inbox.relevance import Matcher
from inbox.sources import SourceError, parse_feed, read_page

logger = logging.getLogger(__name__)

FEED_TYPES = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)


class ImportRefused(Exception):
    """A whole source could not be read; nothing of it was saved."""


@dataclass
class Outcome:
    kept: bool
    reason: str
    title: str = ""
    candidate: PressCandidate | None = None

    def line(self):
        verdict = "kept" if self.kept else "skipped"
        return f"{self.title or '(no title)'}: {verdict} ({self.reason})"


class Inbox:
    """What an import compares stories with: our records and known addresses."""

    def __init__(self):
        self.matcher = Matcher()
        self.seen = set()  # addresses met in this run (for --dry-run)
        # Press items already written, by their normalised original address.
        self.press_urls = {
            normalise_url(url)
            for url in Article.objects.exclude(original_url="").values_list(
                "original_url", flat=True
            )
        }

    def duplicate_reason(self, story, normalised, feed):
        if normalised in self.seen:
            return "duplicate: the same story twice in this import"
        existing = PressCandidate.objects.filter(normalised_url=normalised).first()
        if existing is not None:
            return {
                PressCandidate.Decision.DISMISSED: "dismissed before",
                PressCandidate.Decision.ACCEPTED: "accepted before",
            }.get(existing.decision, "duplicate: already in the inbox")
        if normalised in self.press_urls:
            return "duplicate: already a press item"
        if story.entry_id and (
            PressCandidate.objects.filter(feed=feed, entry_id=story.entry_id).exists()
        ):
            return "duplicate: same feed entry id"
        return None

    def consider(self, story, feed=None, dry_run=False, keep_irrelevant=False):
        """Keep or skip one story; an `Outcome` with the reason."""
        title = story.title
        if not story.url:
            return Outcome(False, "no link", title)
        if urlsplit(story.url).scheme not in ("http", "https"):
            return Outcome(False, f"not a web address: {story.url[:80]}", title)
        if not title:
            return Outcome(False, "no title", story.url)
        if len(story.url) > PressCandidate._meta.get_field("story_url").max_length:
            return Outcome(False, "address too long", title)
        normalised = normalise_url(story.url)
        duplicate = self.duplicate_reason(story, normalised, feed)
        if duplicate:
            return Outcome(False, duplicate, title)
        relevance = self.matcher.score(story.title, story.lede)
        summary = f"score {relevance.score}: matches {relevance.describe()}"
        if not relevance.is_relevant and not keep_irrelevant:
            logger.info("Inbox skipped %s (%s)", story.url, summary)
            return Outcome(False, f"not relevant, {summary}", title)
        self.seen.add(normalised)
        candidate = None
        if not dry_run:
            with transaction.atomic():
                candidate = PressCandidate.objects.create(
                    title=title[:300],
                    story_url=story.url,
                    feed=feed,
                    entry_id=story.entry_id,
                    outlet=story.outlet,
                    author=story.author,
                    published_on=story.published_on,
                    lede=story.lede,
                    picture_url=story.picture_url[:1000]
                    if story.picture_url.startswith(("http://", "https://"))
                    else "",
                    score=relevance.score,
                    matched=relevance.describe(),
                )
                candidate.summits.set(relevance.summits)
                candidate.declarations.set(relevance.declarations)
        return Outcome(True, summary, title, candidate)


def read_source(source):
    """(bytes, content type) of a feed named by URL or file path."""
    if source.startswith(("http://", "https://")) or "://" in source:
        try:
            response = fetch(source, accept=FEED_TYPES)
        except FetchError as error:
            raise ImportRefused(str(error)) from None
        return response.content, response.content_type
    path = Path(source)
    if not path.is_file():
        raise ImportRefused(f"No such file: {source}")
    # The same cap as a fetched feed: a huge file is refused, not parsed.
    limit = settings.FETCH_MAX_BYTES
    with path.open("rb") as file:
        content = file.read(limit + 1)
    if len(content) > limit:
        raise ImportRefused(f"{source} is too large (over {filesizeformat(limit)}).")
    return content, ""


def import_feed_source(source, feed=None, dry_run=False, inbox=None):
    """Import one feed; the outcomes, one per entry. ImportRefused if unreadable."""
    body, content_type = read_source(source)
    try:
        _outlet, stories = parse_feed(body, content_type)
    except SourceError as error:
        raise ImportRefused(str(error)) from None
    inbox = inbox or Inbox()
    return [inbox.consider(story, feed=feed, dry_run=dry_run) for story in stories]


def add_from_link(url):
    """A candidate from a pasted address: fetched, read and scored.

    An editor chose this story, so it enters the inbox whatever its score
    (which is shown). ImportRefused if the page cannot be fetched or read.
    """
    try:
        response = fetch(url, accept="text/html,application/xhtml+xml")
    except FetchError as error:
        raise ImportRefused(str(error)) from None
    if response.content_type not in ("text/html", "application/xhtml+xml"):
        kind = response.content_type or "untyped"
        raise ImportRefused(f"{response.url} is not a web page (it is {kind}).")
    try:
        story = read_page(response.text(), response.url)
    except SourceError as error:
        raise ImportRefused(str(error)) from None
    if urlsplit(story.url).scheme not in ("http", "https"):
        story.url = response.url
    return Inbox().consider(story, keep_irrelevant=True)


def fetch_feed(feed, inbox=None):
    """Read one Feed row, remember when and how it went; its outcomes.

    A feed that fails records its error and gives no outcomes: one broken
    feed does not stop the others.
    """
    try:
        outcomes = import_feed_source(feed.feed_url, feed=feed, inbox=inbox)
    except ImportRefused as error:
        feed.last_error = str(error)
        outcomes = None
    else:
        feed.last_error = ""
    feed.last_fetched_at = timezone.now()
    feed.save(update_fields=["last_error", "last_fetched_at"])
    return outcomes
