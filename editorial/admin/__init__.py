"""Editorial safety in the Django admin, one mixin per job.

An app's admin lists the ones it wants in its bases, before its own admin
class (see summits/admin.py and articles/admin.py):

- `HistoryAdminMixin`: revisions (django-reversion), the history screen with
  compare and revert, "Recover deleted";
- `EditConflictAdminMixin`: no lost updates; a refused save shows the other
  editor's saved values beside the editor's own;
- `AuditTrailAdminMixin`: who created, last edited and published the item;
- `PreviewLinksAdminMixin`: share links for drafts and scheduled items.

Editorial registers one admin of its own, the link checker's read-only
records (`source_links`), and knows no content app: a model becomes
versioned by `reversion.register` in its app.
"""

from editorial.admin import source_links  # noqa: F401 - registers SourceLinkAdmin
from editorial.admin.audit import AuditTrailAdminMixin
from editorial.admin.conflicts import EditConflictAdminMixin
from editorial.admin.history import FollowedRows, HistoryAdminMixin
from editorial.admin.previews import PreviewLinksAdminMixin

__all__ = [
    "AuditTrailAdminMixin",
    "EditConflictAdminMixin",
    "FollowedRows",
    "HistoryAdminMixin",
    "PreviewLinksAdminMixin",
]
