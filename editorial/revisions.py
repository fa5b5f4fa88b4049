"""Reading revisions, and how code outside the admin records one.

The admin records a revision on every save through `reversion.VersionAdmin`
(see `editorial.admin.HistoryAdminMixin`). Other code paths that change
content, such as the JSON importer, wrap their writes in
`import_revision(comment)` so an editor can see, compare and undo them like
any admin edit.

Each content app registers its own models with django-reversion, in its
models module (`@reversion.register`): explicitly, rather than leaving it to
`VersionAdmin`, which would follow every inline. A summit shows its
declarations and a signatory its signatures as read-only inlines, and
following those would make reverting a summit silently delete declarations
added since. Only a declaration owns its signatures, so only it follows them.
"""

import json
from collections import defaultdict
from contextlib import contextmanager
from datetime import timedelta

import reversion
from django.db import router
from django.utils import timezone
from django.utils.formats import date_format
from reversion import revisions as reversion_internals
from reversion.models import Revision, Version

from core.models import Publishable, Status


@contextmanager
def import_revision(comment, user=None, manage_manually=False):
    """Record everything saved inside the block as one revision.

    Nested inside an admin revision it joins that one; the comment says
    where the change came from, e.g. "Imported from export.json". With
    `manage_manually`, saves are not picked up by themselves: the caller
    adds each object once, with `reversion.add_to_revision`, when it is
    complete (a bulk writer that sets relations after saving would otherwise
    have every object serialised again for each relation).

    Yields a `RevisionWriter`: a long import calls its `write_pending()`
    after each batch, so the versions gathered so far go to the database
    instead of waiting, all of them in memory, for the end of the block.
    """
    joined = reversion.is_active()
    with reversion.create_revision(manage_manually=manage_manually):
        reversion.set_comment(comment)
        if user is not None:
            reversion.set_user(user)
        writer = RevisionWriter(joined=joined)
        yield writer
        writer.write_pending(last=True)


class RevisionWriter:
    """Saves the versions of an open revision in batches, as one revision.

    django-reversion keeps every version of a revision in memory (its
    serialised data: a whole article, markdown and HTML) and writes them all
    when the block ends; an import of 10,000 articles held them all at once.
    `write_pending()` does what reversion does at the end — keep only the
    versions of rows that still exist, save the `Revision` (the first time),
    bulk-insert the `Version` rows — for the versions gathered so far, and
    empties reversion's list, so the end of the block finds nothing left to
    write and the import is still one revision. The versions themselves are
    made by reversion (`add_to_revision`), so they are what it would write.

    Joined to an outer revision (an admin action that imports), it writes
    nothing: the outer revision saves everything once it ends, as before.
    Unlike reversion's own save, it sends no `pre_revision_commit` or
    `post_revision_commit` (nothing here listens to them).
    """

    def __init__(self, joined=False):
        self.joined = joined
        self.using = router.db_for_write(Revision)
        self.revision = None

    def write_pending(self, last=False, at_least=0):
        """Write the versions gathered so far (if `at_least` that many)."""
        if self.joined:
            return
        # reversion keeps the open revision's state in a stack of frames;
        # this reads and resets the top one (pinned django-reversion 6.4;
        # tests/test_bulk_import.py compares the result with reversion's).
        frame = reversion_internals._current_frame()
        pending = frame.db_versions[self.using]
        if len(pending) < at_least and not last:
            return
        versions = still_existing(pending.values(), self.using)
        if versions:
            if self.revision is None:
                self.revision = Revision(
                    date_created=frame.date_created,
                    user=frame.user,
                    comment=frame.comment,
                )
                self.revision.save(using=self.using)
            for version in versions:
                version.revision = self.revision
            Version.objects.using(self.using).bulk_create(versions)
        if last and self.revision is not None:
            for meta_model, meta_fields in frame.meta:
                meta_model._base_manager.db_manager(using=self.using).create(
                    revision=self.revision, **meta_fields
                )
            reversion_internals._update_frame(meta=())
        reversion_internals._update_frame(
            db_versions={**frame.db_versions, self.using: {}}
        )


def still_existing(versions, using):
    """The versions whose rows still exist, as reversion keeps them: a row
    saved and then deleted inside the revision has no version."""
    versions = list(versions)
    object_ids = defaultdict(lambda: defaultdict(set))
    for version in versions:
        object_ids[version._model][version.db].add(version.object_id)
    existing = set()
    for model, by_db in object_ids.items():
        id_field = reversion_internals._get_options(model).object_id_field
        for db, ids in by_db.items():
            ids = sorted(ids)
            # In chunks: SQLite caps the number of parameters in one query.
            for start in range(0, len(ids), 500):
                rows = model._base_manager.using(db).filter(
                    **{f"{id_field}__in": ids[start : start + 500]}
                )
                existing |= {
                    (model, db, str(pk)) for pk in rows.values_list(id_field, flat=True)
                }
    return [v for v in versions if (v._model, v.db, v.object_id) in existing]


def revision_label(revision):
    """ "Ada Lovelace, 3 Jun 2025, 21:40" — who made a revision, and when."""
    user = revision.user
    who = (user.get_full_name() or user.get_username()) if user else "an import"
    when = date_format(timezone.localtime(revision.date_created), "j M Y, H:i")
    return f"{who}, {when}"


# A revision saved this close to an item's creation is the one that created it.
CREATION_WINDOW = timedelta(minutes=1)


def version_fields(version):
    """The field values stored in a version, read without touching the DB."""
    return json.loads(version.serialized_data)[0]["fields"]


def audit_trail(obj, versions=None):
    """Who created, last edited and published `obj`, read from its history.

    Each value is a `revision_label`, "before history began" when the event
    predates the item's first revision, or None when it never happened.
    `versions`, oldest first with their revisions' users, saves the query
    when the caller has read them already.
    """
    if versions is None:
        versions = list(
            Version.objects.get_for_object(obj)
            .select_related("revision__user")
            .order_by("revision__date_created", "pk")
        )
    before = "before history began"
    # Only Publishable content has a publishing history to tell.
    publishable = isinstance(obj, Publishable)
    if not versions:
        return {
            "created": before,
            "last_edited": before,
            "published": before if publishable and obj.is_published else None,
        }
    first = versions[0].revision
    created_at = getattr(obj, "created_at", None)
    created = (
        revision_label(first)
        if created_at is None or first.date_created - created_at < CREATION_WINDOW
        else before
    )
    published = None
    if publishable and obj.status == Status.PUBLISHED:
        published = before
        # An item already published when its history began was published
        # by nobody we know: its first revision is an edit, not the publishing.
        previous = (
            None if created != before else version_fields(versions[0]).get("status")
        )
        for version in versions:
            status = version_fields(version).get("status")
            if status == "published" and previous != "published":
                published = revision_label(version.revision)
            previous = status
    return {
        "created": created,
        "last_edited": revision_label(versions[-1].revision),
        "published": published,
    }
