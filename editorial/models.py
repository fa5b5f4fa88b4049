"""Records that keep editors safe: share links for drafts, and old URLs.

(Which models are versioned is said by each content app, with
`@reversion.register` on its models.)
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


def hash_token(token):
    """The stored form of a preview token: its SHA-256, never the token."""
    return hashlib.sha256(token.encode()).hexdigest()


class PreviewLinkQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())

    def for_object(self, obj):
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
        )


class PreviewLink(models.Model):
    """A share link that shows one draft or scheduled item to anyone holding it.

    The token is random (256 bits) and only its hash is stored: a copy of
    the database or a backup cannot be turned into working links, and a
    tampered token simply matches nothing. The editor sees the link once,
    when creating it. Links expire at `expires_at` and can be revoked early.
    """

    class Lifetime(models.TextChoices):
        HOUR = "1h", "1 hour"
        DAY = "1d", "1 day"
        WEEK = "7d", "7 days"
        MONTH = "30d", "30 days"

    LIFETIMES = {
        Lifetime.HOUR: timedelta(hours=1),
        Lifetime.DAY: timedelta(days=1),
        Lifetime.WEEK: timedelta(days=7),
        Lifetime.MONTH: timedelta(days=30),
    }

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    content_object = GenericForeignKey("content_type", "object_id")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    note = models.CharField(
        max_length=200, blank=True, help_text="Who it is for, e.g. “press office”."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = PreviewLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="preview_obj_idx")
        ]

    def __str__(self):
        return f"Preview of {self.content_type.name} #{self.object_id}"

    @classmethod
    def create_for(cls, obj, lifetime, user=None, note=""):
        """A new link for `obj`; returns (link, token). Show the token once."""
        token = secrets.token_urlsafe(32)
        link = cls.objects.create(
            content_type=ContentType.objects.get_for_model(obj),
            object_id=obj.pk,
            token_hash=hash_token(token),
            note=note,
            created_by=user,
            expires_at=timezone.now() + cls.LIFETIMES[lifetime],
        )
        return link, token

    @classmethod
    def find(cls, token):
        """The usable link for `token`, or None (expired, revoked or unknown)."""
        return cls.objects.usable().filter(token_hash=hash_token(token)).first()

    @property
    def is_usable(self):
        return self.revoked_at is None and self.expires_at > timezone.now()

    def revoke(self):
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])


class SlugRedirect(models.Model):
    """An address a published item used to have, pointing at the item itself.

    Pointing at the item (not at its URL of the day) is what collapses
    chains: however often the slug changes, the old address answers with one
    301 to wherever the item lives now. Redirects are only tried when the
    address would otherwise be a 404, so an item that takes an old slug wins.
    """

    old_path = models.CharField(max_length=400, unique=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    content_object = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["old_path"]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="slugredir_obj_idx")
        ]

    def __str__(self):
        return f"{self.old_path} → {self.content_type.name} #{self.object_id}"


class ReviewState(models.TextChoices):
    OPEN = "waiting", "Waiting for review"
    PUBLISHED = "approved", "Published"
    SENT_BACK = "sent_back", "Sent back"


class ReviewRequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(outcome=ReviewState.OPEN)

    def for_object(self, obj):
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
        )


class ReviewRequest(models.Model):
    """A contributor's draft waiting for an editor, and what the editor decided.

    A contributor cannot publish; "Submit for review" on the change form opens
    one of these and emails the editors. An editor either publishes the item
    (the request is closed as published) or sends it back with a comment,
    which the contributor reads on the item's change form and in an email.
    At most one request per item is open at a time (a database constraint).
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    content_object = GenericForeignKey("content_type", "object_id")
    outcome = models.CharField(
        max_length=10,
        choices=ReviewState.choices,
        default=ReviewState.OPEN,
        db_index=True,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="review_requests",
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(
        blank=True, help_text="The editor's words to the contributor."
    )

    objects = ReviewRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at"]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="review_obj_idx")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"],
                condition=models.Q(outcome="waiting"),
                name="one_open_review_per_item",
            )
        ]

    def __str__(self):
        return f"Review of {self.content_type.name} #{self.object_id}"

    def close(self, outcome, user, comment=""):
        self.outcome = outcome
        self.decided_by = user
        self.decided_at = timezone.now()
        self.comment = comment
        self.save(update_fields=["outcome", "decided_by", "decided_at", "comment"])


class SourceLinkQuerySet(models.QuerySet):
    def dead(self):
        return self.filter(dead=True)


class SourceLink(models.Model):
    """A source URL as the link checker last found it (`check_sources`).

    One row per distinct URL, whichever records cite it (models list their
    source fields in `source_url_fields`). A link is marked dead only when
    it is surely gone: at once on 404 or 410, otherwise after failures on
    two checks at least a day apart with no success between them, so a
    site down for an afternoon does not flag every source it hosts.
    """

    # What a check writes (check_sources saves these; the admin shows them).
    CHECK_FIELDS = (
        "last_status",
        "last_error",
        "checked_at",
        "consecutive_failures",
        "first_failed_at",
        "dead",
    )
    # How long failures must last before a link counts as dead.
    DEAD_AFTER = timedelta(days=1)
    GONE_STATUSES = {404, 410}

    url = models.URLField(max_length=2000, unique=True)
    last_status = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="HTTP status of the last check."
    )
    last_error = models.CharField(
        max_length=300, blank=True, help_text="Why the last check failed."
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    first_failed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the current run of failures began."
    )
    dead = models.BooleanField(default=False)

    objects = SourceLinkQuerySet.as_manager()

    class Meta:
        ordering = ["url"]
        indexes = [models.Index(fields=["dead"], name="sourcelink_dead_idx")]

    def __str__(self):
        return self.url

    @property
    def reason(self):
        """The last check's outcome in words: "HTTP 404", "timed out…"."""
        if self.last_error:
            return self.last_error
        return f"HTTP {self.last_status}" if self.last_status else "not checked"

    def record(self, status=None, error="", now=None):
        """Note one check's outcome (unsaved): a status, an error, or both."""
        now = now or timezone.now()
        self.checked_at = now
        self.last_status = status
        self.last_error = error[:300]
        # A status below 400 is a live link, even with a note such as "body
        # larger than…, stopped reading"; no status at all is a failure.
        failed = status is None or status >= 400
        if not failed:
            self.consecutive_failures = 0
            self.first_failed_at = None
            self.dead = False
            return
        self.consecutive_failures += 1
        if self.first_failed_at is None:
            self.first_failed_at = now
        self.dead = status in self.GONE_STATUSES or (
            self.consecutive_failures >= 2
            and now - self.first_failed_at >= self.DEAD_AFTER
        )
