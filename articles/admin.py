"""The editors' admin for articles and press items."""

from django.contrib import admin

from articles.models import Article
from core.admin import PUBLISHING_FIELDSET, PublicationStateFilter, PublishableAdmin
from editorial.admin import (
    AuditTrailAdminMixin,
    EditConflictAdminMixin,
    HistoryAdminMixin,
    PreviewLinksAdminMixin,
    PublishButtonsAdminMixin,
)


@admin.register(Article)
class ArticleAdmin(
    HistoryAdminMixin,
    EditConflictAdminMixin,
    AuditTrailAdminMixin,
    PreviewLinksAdminMixin,
    PublishButtonsAdminMixin,
    PublishableAdmin,
):
    list_display = ["title", "kind", "outlet", "author_name", "publication"]
    list_filter = [PublicationStateFilter, "kind", "summits"]
    search_fields = ["title", "lede", "outlet", "author_name"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["summits", "declarations"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "lede", "body", "author_name"]}),
        (
            "Press item",
            {
                "fields": ["outlet", "original_url", "original_published_on"],
                "description": "Required for press coverage: who published it, "
                "where, and when. Summarise it in your own words above.",
            },
        ),
        ("Cover image", {"fields": ["cover_image", "cover_image_alt"]}),
        ("Related", {"fields": ["summits", "declarations"]}),
        PUBLISHING_FIELDSET,
    ]
