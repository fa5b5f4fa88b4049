"""The review list: what contributors submitted and what editors decided."""

from django.contrib import admin
from django.contrib.admin.utils import quote
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from core.admin import DefaultChoiceFilter
from editorial.models import ReviewRequest, ReviewState


class ReviewStateFilter(DefaultChoiceFilter):
    """Open requests first: the list opens on what waits."""

    title = "outcome"
    parameter_name = "outcome"
    field = "outcome"
    default = ReviewState.OPEN
    options = ReviewState.choices


@admin.register(ReviewRequest)
class ReviewRequestAdmin(admin.ModelAdmin):
    """Review requests, read-only: they change through the item's buttons."""

    list_display = [
        "item",
        "kind",
        "requested_by",
        "requested_at",
        "outcome",
        "comment",
    ]
    list_filter = [ReviewStateFilter]
    list_select_related = ["content_type", "requested_by"]
    fields = [
        "item",
        "kind",
        "requested_by",
        "requested_at",
        "outcome",
        "decided_by",
        "decided_at",
        "comment",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        # One query per kind of item for their titles, not one per row.
        return super().get_queryset(request).prefetch_related("content_object")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    @admin.display(description="item")
    def item(self, review):
        obj = review.content_object
        if obj is None:
            return f"(deleted {review.content_type.name})"
        meta = obj._meta
        try:
            url = reverse(
                f"admin:{meta.app_label}_{meta.model_name}_change", args=[quote(obj.pk)]
            )
        except NoReverseMatch:
            return str(obj)
        return format_html('<a href="{}">{}</a>', url, obj)

    @admin.display(description="kind")
    def kind(self, review):
        return review.content_type.name
