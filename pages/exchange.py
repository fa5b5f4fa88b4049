"""Pages in and out of the JSON exchange, in the style of `exchange.format`.

Self-contained until the export's version 2 (which adds a top-level "pages"
list) lands: `serialise_pages()` gives that list, `import_pages()` takes it
back. Each page is keyed by its slug; lists are sorted by slug so two exports
of the same pages are identical.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from pages.models import Page

PAGE_FIELDS = ("slug", "title", "body", "menu", "menu_order", "status")


def serialise_pages(include_drafts=False):
    """The public pages (or all, for a backup) as plain dicts, by slug."""
    pages = Page.objects.all() if include_drafts else Page.objects.public()
    return [
        {
            **{field: getattr(page, field) for field in PAGE_FIELDS},
            "published_at": page.published_at.isoformat()
            if page.published_at
            else None,
        }
        for page in pages.order_by("slug")
    ]


def import_pages(items):
    """Create or update pages from `serialise_pages()` dicts; all or nothing.

    Every item is checked (reserved slugs, lengths, choices) before anything
    is written. Returns (created, updated, unchanged) counts; raises
    ValidationError naming each bad item.
    """
    errors, planned = [], []
    existing = Page.objects.in_bulk(
        [item.get("slug") for item in items], field_name="slug"
    )
    for index, item in enumerate(items):
        page = existing.get(item.get("slug")) or Page()
        before = {field: getattr(page, field) for field in PAGE_FIELDS}
        for field in PAGE_FIELDS:
            if field in item:
                setattr(page, field, item[field])
        if item.get("published_at"):
            page.published_at = item["published_at"]
        try:
            page.full_clean(
                exclude=["body_html", "search_vector"], validate_unique=False
            )
        except ValidationError as error:
            errors.append(
                f"pages[{index}] ({item.get('slug')!r}): {'; '.join(error.messages)}"
            )
            continue
        changed = page.pk is None or any(
            before[field] != getattr(page, field) for field in PAGE_FIELDS
        )
        planned.append((page, changed))
    if errors:
        raise ValidationError(errors)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with transaction.atomic():
        for page, changed in planned:
            if not changed:
                counts["unchanged"] += 1
                continue
            counts["created" if page.pk is None else "updated"] += 1
            page.save()
    return counts
