"""The change log's events: one row per change a visitor would want to hear of.

Why a stored table rather than reading django-reversion's versions: a version
is a whole serialised object, written on every admin save (drafts included)
and never by imports that bypass the admin; telling "Norway ratified" from
"a typo was fixed" would mean deserialising and diffing pairs of versions on
every page view, and paginating that in SQL is not possible. An event row is
written once, when the change happens (changes.signals), and the page is two
indexed queries whatever the size of the history.

An event stores what happened (its kind, the status or stage) and points at
the records it is about; the sentence is built when it is read, from those
records as they are now. So an event about a draft shows nothing of the
draft, not even the title it had then, and it shows at all only once every
record it points at is public (`ChangeEventQuerySet.public()`).
"""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from articles.models import Article
from summits.models import Declaration, Group, Series, Signatory, Signature, Summit

# Every record an event can be about, with the queryset that says whether a
# visitor may see it (called per request: public() reads the clock).
SUBJECTS = {
    "summit": Summit,
    "declaration": Declaration,
    "signatory": Signatory,
    "article": Article,
    "series": Series,
    "group": Group,
}


class ChangeEventQuerySet(models.QuerySet):
    def public(self):
        """Events whose time has come and whose every record is public."""
        visible = Q(occurred_at__lte=timezone.now())
        for field, model in SUBJECTS.items():
            visible &= Q(**{f"{field}__isnull": True}) | Q(
                **{f"{field}__in": model.objects.public()}
            )
        return self.filter(visible)


def link(record):
    return format_html('<a href="{}">{}</a>', record.get_absolute_url(), record)


class ChangeEvent(models.Model):
    """A published change to the record: a position recorded or changed, a
    treaty stage reached, a record published or updated."""

    class Kind(models.TextChoices):
        POSITION = "position", "Position recorded"
        STAGE = "stage", "Treaty stage"
        PUBLISHED = "published", "Published"
        UPDATED = "edited", "Updated"

    class Stage(models.TextChoices):
        RATIFIED = "ratified", "ratified"
        IN_FORCE = "in_force", "entered into force"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    # For positions, the status recorded; for stages, the stage reached.
    status = models.CharField(
        max_length=10, choices=Signature.Status.choices, blank=True
    )
    stage = models.CharField(max_length=10, choices=Stage.choices, blank=True)
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    summit = models.ForeignKey(
        Summit, models.CASCADE, null=True, blank=True, related_name="+"
    )
    declaration = models.ForeignKey(
        Declaration, models.CASCADE, null=True, blank=True, related_name="+"
    )
    signatory = models.ForeignKey(
        Signatory, models.CASCADE, null=True, blank=True, related_name="+"
    )
    article = models.ForeignKey(
        Article, models.CASCADE, null=True, blank=True, related_name="+"
    )
    series = models.ForeignKey(
        Series, models.CASCADE, null=True, blank=True, related_name="+"
    )
    group = models.ForeignKey(
        Group, models.CASCADE, null=True, blank=True, related_name="+"
    )

    objects = ChangeEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["-occurred_at", "-id"], name="change_newest_idx")
        ]

    def __str__(self):
        return self.sentence()

    @property
    def record(self):
        """The record the event is mainly about, for its link."""
        for field in (
            "declaration",
            "summit",
            "article",
            "series",
            "group",
            "signatory",
        ):
            value = getattr(self, field)
            if value is not None:
                return value
        return None

    def get_absolute_url(self):
        return f"{reverse('changes:change_list')}#change-{self.pk}"

    def sentence(self):
        """The change in words, as plain text (feeds)."""
        return self._words(str)

    def sentence_html(self):
        """The change in words, each record linked to its page."""
        return self._words(link)

    def _words(self, show):
        S = Signature.Status
        if self.kind == self.Kind.POSITION:
            party, text = show(self.signatory), show(self.declaration)
            templates = {
                S.SIGNED: "{party} signed {text}",
                S.DECLINED: "{party} declined to sign {text}",
                S.WITHDRAWN: "{party} withdrew from {text}",
                S.ATTENDED: "{party} attended but did not sign {text}",
                S.UNKNOWN: "{party}'s position on {text} recorded, not yet verified",
            }
            template = templates.get(self.status, templates[S.UNKNOWN])
            return format_words(show, template, party=party, text=text)
        if self.kind == self.Kind.STAGE:
            party, text = show(self.signatory), show(self.declaration)
            if self.stage == self.Stage.IN_FORCE:
                template = "{text}: entered into force for {party}"
            else:
                template = "{text}: {party} " + self.get_stage_display()
            return format_words(show, template, party=party, text=text)
        record = self.record
        what = type(record)._meta.verbose_name.capitalize() if record else "A record"
        verb = "published" if self.kind == self.Kind.PUBLISHED else "updated"
        return format_words(show, "{what} {name} " + verb, what=what, name=show(record))


def format_words(show, template, **parts):
    """`template` filled with `parts`: escaped HTML when `show` makes links."""
    if show is str:
        return template.format(**parts)
    return format_html(template, **parts)
