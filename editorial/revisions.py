"""Which content is versioned, and how code outside the admin records a revision.

The admin records a revision on every save through `reversion.VersionAdmin`
(see `editorial.admin`). Other code paths that change content, such as the
JSON importer, wrap their writes in `import_revision(comment)` so an editor
can see, compare and undo them like any admin edit.

Registration is explicit rather than left to `VersionAdmin`, which would
follow every inline: a summit shows its declarations and a signatory its
signatures as read-only inlines, and following those would make reverting a
summit silently delete declarations added since. Only a declaration owns its
signatures, so only it follows them.
"""

import json
from contextlib import contextmanager
from datetime import timedelta

import reversion
from django.utils import timezone
from django.utils.formats import date_format
from reversion.models import Version

from articles.models import Article
from summits.models import (
    Declaration,
    Group,
    GroupMembership,
    Series,
    Signatory,
    SignatoryAlias,
    Signature,
    Summit,
)

# Derived from the other fields and rebuilt on save; storing it in every
# version would only make history bigger.
NOT_VERSIONED = ("search_vector",)

# A signatory owns its other names and a group its memberships (their
# inlines edit them), so reverting the one puts the others back too.
reversion.register(SignatoryAlias)
reversion.register(Signatory, exclude=NOT_VERSIONED, follow=("aliases",))
reversion.register(Series, exclude=NOT_VERSIONED)
reversion.register(GroupMembership)
reversion.register(Group, exclude=NOT_VERSIONED, follow=("memberships",))
reversion.register(Summit, exclude=NOT_VERSIONED)
reversion.register(Signature)
reversion.register(Declaration, exclude=NOT_VERSIONED, follow=("signatures",))
reversion.register(Article, exclude=NOT_VERSIONED)

VERSIONED_MODELS = (
    Signatory,
    Summit,
    Declaration,
    Signature,
    Article,
    Series,
    Group,
)


@contextmanager
def import_revision(comment, user=None, manage_manually=False):
    """Record everything saved inside the block as one revision.

    Nested inside an admin revision it joins that one; the comment says
    where the change came from, e.g. "Imported from export.json". With
    `manage_manually`, saves are not picked up by themselves: the caller
    adds each object once, with `reversion.add_to_revision`, when it is
    complete (a bulk writer that sets relations after saving would otherwise
    have every object serialised again for each relation).
    """
    with reversion.create_revision(manage_manually=manage_manually):
        reversion.set_comment(comment)
        if user is not None:
            reversion.set_user(user)
        yield


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


def audit_trail(obj):
    """Who created, last edited and published `obj`, read from its history.

    Each value is a `revision_label`, "before history began" when the event
    predates the item's first revision, or None when it never happened.
    """
    versions = list(
        Version.objects.get_for_object(obj)
        .select_related("revision__user")
        .order_by("revision__date_created", "pk")
    )
    before = "before history began"
    if not versions:
        return {
            "created": before,
            "last_edited": before,
            "published": before if getattr(obj, "is_published", False) else None,
        }
    first = versions[0].revision
    created_at = getattr(obj, "created_at", None)
    created = (
        revision_label(first)
        if created_at is None or first.date_created - created_at < CREATION_WINDOW
        else before
    )
    published = None
    if getattr(obj, "status", None) == "published":
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
