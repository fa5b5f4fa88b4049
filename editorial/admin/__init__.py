"""Editorial safety in the Django admin, one mixin per job.

An app's admin lists the ones it wants in its bases, before its own admin
class (see summits/admin.py and articles/admin.py):

- `HistoryAdminMixin`: revisions (django-reversion), the history screen with
  compare and revert, "Recover deleted";
- `EditConflictAdminMixin`: no lost updates; a refused save shows the other
  editor's saved values beside the editor's own;
- `AuditTrailAdminMixin`: who created, last edited and published the item;
- `PreviewLinksAdminMixin`: share links for drafts and scheduled items;
- `PublishButtonsAdminMixin`: "Save draft", "Publish"/"Schedule", "Unpublish"
  buttons, and "Submit for review" for contributors.

Editorial registers the admin of its own records (the review list, the link
checker's read-only records) and the dashboard (`dashboard.py`), and knows no
content app: a model becomes versioned by `reversion.register` in its app.
"""

from editorial.admin import (
    lockouts,  # noqa: F401  (axes' logs: superusers only)
    source_links,  # noqa: F401 - registers SourceLinkAdmin
)
from editorial.admin.audit import AuditTrailAdminMixin
from editorial.admin.conflicts import EditConflictAdminMixin
from editorial.admin.history import FollowedRows, HistoryAdminMixin
from editorial.admin.previews import PreviewLinksAdminMixin
from editorial.admin.publishing import PublishButtonsAdminMixin
from editorial.admin.reviews import ReviewRequestAdmin

__all__ = [
    "AuditTrailAdminMixin",
    "EditConflictAdminMixin",
    "FollowedRows",
    "HistoryAdminMixin",
    "PreviewLinksAdminMixin",
    "PublishButtonsAdminMixin",
    "ReviewRequestAdmin",
]
