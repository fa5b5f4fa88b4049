"""Bump the content version whenever content changes (see core/cache.py).

Connected in `CoreConfig.ready()` to every content model — anything
Publishable, and every model of the content apps (signatories, signatures,
the through tables of many-to-many fields) — without core importing them.
Imports that save through the ORM are covered too, and so are rows written
by `core.bulk.bulk_create` (it sends `post_bulk_create`); code that bypasses
signals (`update()`, `QuerySet.bulk_create()`) calls `bump_content_version()`
itself.
"""

import logging

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from core.bulk import post_bulk_create
from core.cache import bump_content_version_on_commit, content_models
from core.storage import STORAGE_ERRORS

logger = logging.getLogger(__name__)

M2M_CHANGES = {"post_add", "post_remove", "post_clear"}


def content_saved_or_deleted(sender, using=None, **kwargs):
    bump_content_version_on_commit(using=using, tables=[sender._meta.db_table])


def content_relations_changed(sender, action, using=None, **kwargs):
    # `sender` is the through table; the rows on both sides are unchanged.
    if action in M2M_CHANGES:
        bump_content_version_on_commit(using=using, tables=[sender._meta.db_table])


def connect_content_signals():
    for model in content_models():
        uid = f"page-cache:{model._meta.label}"
        post_save.connect(content_saved_or_deleted, sender=model, dispatch_uid=uid)
        post_delete.connect(content_saved_or_deleted, sender=model, dispatch_uid=uid)
        m2m_changed.connect(content_relations_changed, sender=model, dispatch_uid=uid)
        post_bulk_create.connect(
            content_saved_or_deleted, sender=model, dispatch_uid=uid
        )


def delete_image_file(sender, instance, **kwargs):
    """A library image deleted (never while in use) takes its file along.

    After commit: a rolled-back delete must not lose the file.
    """
    name, storage = instance.file.name, instance.file.storage
    if name:
        transaction.on_commit(lambda: delete_file_quietly(storage, name))


def delete_file_quietly(storage, name):
    # The row is gone already: a store that is down leaves an unused file
    # behind (logged), not an error page for a delete that happened.
    try:
        storage.delete(name)
    except STORAGE_ERRORS:
        logger.warning("Could not delete %s from media storage", name, exc_info=True)


def connect_media_signals():
    from core.models import Image

    post_delete.connect(delete_image_file, sender=Image, dispatch_uid="media-file")
