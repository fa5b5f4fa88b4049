"""Write a ChangeEvent when public content changes.

Read before a save (pre_save, one small query for rows that exist) and
written after it (post_save), in the same transaction as the change: a save
that fails leaves no event. What is written here is only what happened;
whether a visitor may see it is decided when the log is read
(`ChangeEvent.objects.public()`), so an event about a draft waits there until
the draft is published. Saves that bypass signals (`update()`,
`QuerySet.bulk_create()`, raw fixture loads) write no event; rows written by
`core.bulk.bulk_create` get theirs from `post_bulk_create`.
"""

from datetime import timedelta

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from articles.models import Article
from changes.models import ChangeEvent
from core.bulk import post_bulk_create
from core.models import Status
from summits.models import Declaration, Group, Series, Signature, Summit

# Treaty stages after the signature, each with the date field that records
# it (a withdrawal is said by its status).
STAGE_FIELDS = {
    ChangeEvent.Stage.RATIFIED: "ratified_on",
    ChangeEvent.Stage.IN_FORCE: "in_force_on",
}
# Several saves of one record within this time make one "updated" event, so
# an editor fixing three typos does not fill the log.
UPDATE_WINDOW = timedelta(hours=1)


@receiver(pre_save, sender=Signature, dispatch_uid="changes_note_old_position")
def note_old_position(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    instance._changes_old = (
        Signature.objects.filter(pk=instance.pk)
        .values("status", *STAGE_FIELDS.values())
        .first()
    )


@receiver(post_save, sender=Signature, dispatch_uid="changes_record_position")
def record_position(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    old = instance.__dict__.pop("_changes_old", None)
    for event in position_events(instance, None if created else old):
        event.save()


@receiver(post_bulk_create, sender=Signature, dispatch_uid="changes_bulk_positions")
def record_bulk_positions(sender, instances, **kwargs):
    """New positions written by `core.bulk.bulk_create`: as if each were saved."""
    ChangeEvent.objects.bulk_create(
        event for instance in instances for event in position_events(instance, None)
    )


def position_events(instance, old):
    """The events a saved position makes (unsaved); `old` is what the row
    held before, None for a new one."""
    about = {
        "declaration_id": instance.declaration_id,
        "signatory_id": instance.signatory_id,
    }
    if old is None or old["status"] != instance.status:
        yield ChangeEvent(
            kind=ChangeEvent.Kind.POSITION, status=instance.status, **about
        )
    for stage, field in STAGE_FIELDS.items():
        new_date = getattr(instance, field)
        if new_date and (old is None or old[field] != new_date):
            yield ChangeEvent(kind=ChangeEvent.Kind.STAGE, stage=stage, **about)


PUBLISHABLE = {Summit: "summit", Declaration: "declaration", Article: "article"}


@receiver(pre_save, sender=Summit, dispatch_uid="changes_note_summit_status")
@receiver(pre_save, sender=Declaration, dispatch_uid="changes_note_declaration_status")
@receiver(pre_save, sender=Article, dispatch_uid="changes_note_article_status")
def note_old_status(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        instance._changes_was_published = False
        return
    old = sender.objects.filter(pk=instance.pk).values_list("status", flat=True).first()
    instance._changes_was_published = old == Status.PUBLISHED


@receiver(post_save, sender=Summit, dispatch_uid="changes_record_summit")
@receiver(post_save, sender=Declaration, dispatch_uid="changes_record_declaration")
@receiver(post_save, sender=Article, dispatch_uid="changes_record_article")
def record_publication(sender, instance, raw=False, **kwargs):
    if raw:
        return
    was_published = instance.__dict__.pop("_changes_was_published", False)
    about = {PUBLISHABLE[sender]: instance}
    if instance.status != Status.PUBLISHED:
        return
    if not was_published:
        # Dated when it goes public: a scheduled item's event waits with it.
        ChangeEvent.objects.create(
            kind=ChangeEvent.Kind.PUBLISHED, occurred_at=instance.published_at, **about
        )
    elif instance.is_public():
        # Edits before a scheduled item goes live are not news.
        record_update(about)


@receiver(post_bulk_create, sender=Article, dispatch_uid="changes_bulk_articles")
def record_bulk_publications(sender, instances, **kwargs):
    """New articles written by `core.bulk.bulk_create`: as if each were saved
    (`record_publication` for a row that was not published before)."""
    ChangeEvent.objects.bulk_create(
        ChangeEvent(
            kind=ChangeEvent.Kind.PUBLISHED,
            occurred_at=instance.published_at,
            **{PUBLISHABLE[sender]: instance},
        )
        for instance in instances
        if instance.status == Status.PUBLISHED
    )


@receiver(post_save, sender=Series, dispatch_uid="changes_record_series")
@receiver(post_save, sender=Group, dispatch_uid="changes_record_group")
def record_series_or_group(sender, instance, created, raw=False, **kwargs):
    """A series or group is public once its summits or members are; its event
    waits in the log until then (public() filters on it)."""
    if raw:
        return
    about = {sender._meta.model_name: instance}
    if created:
        ChangeEvent.objects.create(kind=ChangeEvent.Kind.PUBLISHED, **about)
    elif instance.is_public():
        record_update(about)


def record_update(about):
    now = timezone.now()
    recent = ChangeEvent.objects.filter(
        kind=ChangeEvent.Kind.UPDATED, occurred_at__gte=now - UPDATE_WINDOW, **about
    )
    if not recent.update(occurred_at=now):
        ChangeEvent.objects.create(
            kind=ChangeEvent.Kind.UPDATED, occurred_at=now, **about
        )
