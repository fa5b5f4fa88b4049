"""The link checker's records in the admin: read only, written by check_sources."""

from django.contrib import admin

from editorial.models import SourceLink


@admin.register(SourceLink)
class SourceLinkAdmin(admin.ModelAdmin):
    """What `check_sources` last found for each source URL; editors fix the
    record that cites a dead link (the data-quality view links to it)."""

    list_display = ["url", "dead", "reason", "checked_at", "consecutive_failures"]
    list_filter = ["dead"]
    search_fields = ["url"]
    readonly_fields = ["url", *SourceLink.CHECK_FIELDS]

    @admin.display(description="last result")
    def reason(self, obj):
        return obj.reason

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
