"""Who created, last edited and published an item, on its change form."""

from django.contrib import admin

from editorial.revisions import audit_trail


class AuditTrailAdminMixin:
    """A read-only "Who did what" fieldset, read from the item's history."""

    audit_fields = ("created_by", "last_edited_by", "published_by")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields += [name for name in self.audit_fields if name not in fields]
        return fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is None:
            return fieldsets
        audit = [
            name
            for name in self.audit_fields
            if name != "published_by" or hasattr(obj, "published_at")
        ]
        fieldsets.append(
            (
                "Who did what",
                {
                    "fields": audit,
                    "description": "From the history (see “History”, top right).",
                },
            )
        )
        return fieldsets

    def _audit(self, obj):
        # One history read per change form, shared by the three fields.
        if getattr(obj, "_editorial_audit", None) is None:
            obj._editorial_audit = audit_trail(obj)
        return obj._editorial_audit

    @admin.display(description="created by")
    def created_by(self, obj):
        return self._audit(obj)["created"] or "not recorded"

    @admin.display(description="last edited by")
    def last_edited_by(self, obj):
        return self._audit(obj)["last_edited"] or "not recorded"

    @admin.display(description="published by")
    def published_by(self, obj):
        return self._audit(obj)["published"] or "not published yet"
