"""The press inbox: news feeds we read, and the stories they suggest."""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import reversion
from django.conf import settings
from django.db import models, transaction

from articles.models import Article
from core.models import Status
from summits.models import Declaration, Summit


def normalise_url(url):
    """The form of a story's address used to spot the same story twice.

    Lower-case scheme and host, no default port, no `utm_*` tracking
    parameters, no fragment, no trailing slash: links shared from a feed,
    a newsletter and a paste all come out the same.
    """
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    port = parts.port if parts.port not in (None, 80, 443) else None
    netloc = f"{host}:{port}" if port else host
    query = urlencode(
        [
            (key, value)
            for key, value in parse_qsl(parts.query, keep_blank_values=True)
            if not key.lower().startswith("utm_")
        ]
    )
    path = parts.path.rstrip("/")
    return urlunsplit((parts.scheme.lower(), netloc, path, query, ""))


class Feed(models.Model):
    """A news feed (RSS, Atom or JSON Feed) that `fetch_feeds` reads on a schedule."""

    name = models.CharField(max_length=200)
    feed_url = models.URLField("feed URL", max_length=500, unique=True)
    active = models.BooleanField(
        default=True, help_text="Only active feeds are read by `fetch_feeds`."
    )
    last_fetched_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class PressCandidate(models.Model):
    """A story that may become a press item, with why we think it is relevant.

    Made from a feed entry or a link an editor pasted. An editor accepts it
    (a draft press item is made from it) or dismisses it; a dismissed story is
    kept so that its address is never suggested again.
    """

    class Decision(models.TextChoices):
        NEW = "pending", "New"
        ACCEPTED = "accepted", "Accepted"
        DISMISSED = "dismissed", "Dismissed"

    title = models.CharField(max_length=300)
    # As long as a press item's original URL, which accepting copies it to.
    story_url = models.URLField("story URL", max_length=500)
    normalised_url = models.CharField(max_length=500, unique=True, editable=False)
    feed = models.ForeignKey(
        Feed, null=True, blank=True, on_delete=models.SET_NULL, related_name="entries"
    )
    entry_id = models.CharField(
        "feed entry id", max_length=500, blank=True, db_index=True
    )
    outlet = models.CharField(max_length=200, blank=True)
    author = models.CharField(max_length=200, blank=True)
    published_on = models.DateField(null=True, blank=True)
    lede = models.TextField(blank=True)
    picture_url = models.URLField("image URL", max_length=1000, blank=True)
    score = models.PositiveIntegerField(default=0)
    matched = models.TextField(
        "matched records", blank=True, help_text="What the relevance score found."
    )
    summits = models.ManyToManyField(Summit, blank=True, related_name="+")
    declarations = models.ManyToManyField(Declaration, blank=True, related_name="+")
    decision = models.CharField(
        max_length=10, choices=Decision.choices, default=Decision.NEW, db_index=True
    )
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-score", "-published_on", "-created_at"]
        verbose_name = "candidate"

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.normalised_url = normalise_url(self.story_url)
        super().save(*args, **kwargs)

    @transaction.atomic
    def accept(self, user):
        """Make a draft press item from this story; the new Article.

        Prefilled with what the story says and the records it matched; an
        editor writes the summary in our own words before publishing.
        """
        # A revision from the start: the item's history says who made it.
        with reversion.create_revision():
            reversion.set_user(user)
            reversion.set_comment("Made from the press inbox.")
            article = self._new_press_item()
        self.decision, self.article, self.decided_by = (
            self.Decision.ACCEPTED,
            article,
            user,
        )
        self.save(update_fields=["decision", "article", "decided_by"])
        return article

    def _new_press_item(self):
        article = Article.objects.create(
            kind=Article.Kind.PRESS,
            title=self.title,
            lede=self.lede,
            author_name=self.author,
            outlet=self.outlet,
            original_url=self.story_url,
            original_published_on=self.published_on,
            status=Status.DRAFT,
        )
        article.summits.set(self.summits.all())
        article.declarations.set(self.declarations.all())
        return article

    def dismiss(self, user):
        """Keep the story out of the inbox for good (its address stays known)."""
        self.decision, self.decided_by = self.Decision.DISMISSED, user
        self.save(update_fields=["decision", "decided_by"])
