"""The editors' admin for pages: the same publishing and safety as all content."""

from django.contrib import admin

from core.admin import PUBLISHING_FIELDSET, PublicationStateFilter, PublishableAdmin
from editorial.admin import (
    AuditTrailAdminMixin,
    EditConflictAdminMixin,
    HistoryAdminMixin,
    PreviewLinksAdminMixin,
    PublishButtonsAdminMixin,
)
from pages.models import Page


@admin.register(Page)
class PageAdmin(
    HistoryAdminMixin,
    EditConflictAdminMixin,
    AuditTrailAdminMixin,
    PreviewLinksAdminMixin,
    PublishButtonsAdminMixin,
    PublishableAdmin,
):
    list_display = ["title", "address", "menu", "menu_order", "publication"]
    list_filter = [PublicationStateFilter, "menu"]
    search_fields = ["title", "slug", "body"]
    prepopulated_fields = {"slug": ["title"]}
    ordering = ["menu", "menu_order", "title"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "body"]}),
        (
            "Menu",
            {
                "fields": [("menu", "menu_order")],
                "description": "Published pages can have a link in the header or "
                "the footer; lower numbers come first.",
            },
        ),
        PUBLISHING_FIELDSET,
    ]

    @admin.display(description="address", ordering="slug")
    def address(self, obj):
        return f"/{obj.slug}/"
