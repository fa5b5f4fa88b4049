"""Creating many rows at once without losing what saving them one by one does.

`save()` fills in derived fields (rendered markdown, a publication time) and
`post_save` receivers do the rest: the search index, the change log, the page
cache's content version. `QuerySet.bulk_create()` skips both. `bulk_create`
here does neither less nor more than saving each new row would:

- before the INSERT, `prepare_for_insert` runs what the core mixins' `save()`
  derive, then the model's own `before_bulk_create()` for whatever its own
  `save()` adds; a model whose `save()` does more and that has no such hook
  is refused rather than written half-done;
- after it, `post_bulk_create` is sent once with every new row, and each
  app that keeps something in step on `post_save` keeps it in step here too,
  in a few queries per batch instead of a few per row.

Only for new rows: updates keep going through `save()`.
"""

from django.db import models, router
from django.dispatch import Signal
from django.utils import timezone

from core.models import Publishable, RenderedMarkdownMixin, SlugFromTitleMixin, Status

# Sent after `bulk_create` wrote new rows: sender is the model, `instances`
# the rows (with their primary keys), `using` the database alias.
post_bulk_create = Signal()

# Classes whose `save()` `prepare_for_insert` knows how to stand in for.
_KNOWN_SAVES = (models.Model, Publishable, RenderedMarkdownMixin, SlugFromTitleMixin)


def check_bulk_creatable(model):
    """Refuse a model whose `save()` derives something `prepare_for_insert`
    would not: it must say so in a `before_bulk_create()` of its own."""
    if hasattr(model, "before_bulk_create"):
        return
    for klass in model.__mro__:
        if "save" in vars(klass) and klass not in _KNOWN_SAVES:
            raise TypeError(
                f"{model.__name__} cannot be bulk-created: {klass.__name__}.save() "
                "does work before_bulk_create() would have to repeat."
            )


def prepare_for_insert(instance):
    """Fill in what `save()` would before inserting `instance` as a new row."""
    if isinstance(instance, SlugFromTitleMixin) and not instance.slug:
        # A unique slug is found by asking the table, which cannot see the
        # other rows of the same batch.
        raise ValueError(f"{instance!r}: bulk-created rows need their slug set.")
    if isinstance(instance, RenderedMarkdownMixin):
        instance.render_markdown_fields()
    if (
        isinstance(instance, Publishable)
        and instance.status == Status.PUBLISHED
        and instance.published_at is None
    ):
        instance.published_at = timezone.now()
    hook = getattr(instance, "before_bulk_create", None)
    if hook is not None:
        hook()


def bulk_create(model, instances, batch_size=500, using=None):
    """Insert new rows of `model` in batches; returns them, with primary keys.

    Their derived fields are filled as `save()` would, and `post_bulk_create`
    keeps everything that follows a save in step. Call it inside the
    transaction that must undo it all on failure.
    """
    check_bulk_creatable(model)
    instances = list(instances)
    if not instances:
        return instances
    using = using or router.db_for_write(model)
    for instance in instances:
        prepare_for_insert(instance)
    created = model._base_manager.using(using).bulk_create(
        instances, batch_size=batch_size
    )
    if any(instance.pk is None for instance in created):
        # Receivers need the keys; every database we support returns them.
        raise RuntimeError(f"{using} returned no primary keys for {model.__name__}.")
    post_bulk_create.send(sender=model, instances=created, using=using)
    return created
