"""No lost updates: a save over another editor's newer version is refused.

The refusal itself is `core.admin.ConcurrentEditForm`'s version token. This
mixin locks the row while the save is checked, so two saves at the same
moment cannot both pass, and shows the refused editor the saved values next
to their own.
"""

from django.contrib.admin.utils import display_for_field
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connections, router
from django.utils import timezone
from reversion.models import Version

from editorial.admin.change_form import EditorialChangeFormMixin
from editorial.revisions import revision_label


class EditConflictAdminMixin(EditorialChangeFormMixin):
    """Lock the row on save; explain a refused save beside the saved version."""

    def get_object(self, request, object_id, from_field=None):
        if request.method == "POST" and from_field is None:
            self.lock_row(object_id)
        return super().get_object(request, object_id, from_field)

    def lock_row(self, object_id):
        """Hold the row until this save's transaction ends.

        The admin saves inside a transaction; locking the row before the
        form compares its version means a second editor's save waits for
        the first and then sees its new version, instead of both passing
        the check at the same moment.
        """
        using = router.db_for_write(self.model)
        if not connections[using].in_atomic_block:
            return
        try:
            list(
                self.model._default_manager.using(using)
                .select_for_update()
                .filter(pk=object_id)
                .values_list("pk", flat=True)
            )
        except (ValueError, ValidationError):
            pass  # not a valid id: get_object answers that

    def render_change_form(
        self, request, context, add=False, change=False, form_url="", obj=None
    ):
        adminform = context.get("adminform")
        form = adminform.form if adminform else None
        if form is not None and obj is not None and is_stale(form):
            context["conflict"] = self.conflict_details(
                obj, form, context.get("inline_admin_formsets", [])
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def conflict_details(self, obj, form, inline_formsets):
        """The saved version beside the editor's, for the fields they differ on."""
        current = type(obj)._default_manager.get(pk=obj.pk)
        latest = (
            Version.objects.get_for_object(current)
            .select_related("revision__user")
            .order_by("-pk")
            .first()
        )
        rows = []
        for name in form.changed_data:
            if name == "edit_token" or name not in form.fields:
                continue
            try:
                field = self.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue  # a form-only field: nothing saved to compare with
            rows.append(
                {
                    "label": form.fields[name].label or name,
                    "saved": saved_value(current, field),
                    "yours": sent_value(form, field),
                }
            )
        inlines = [
            {
                "title": formset.opts.verbose_name_plural.capitalize(),
                "saved": [str(item) for item in formset.formset.queryset.all()],
            }
            for formset in inline_formsets
            if formset.formset.is_bound and formset.formset.has_changed()
        ]
        updated_at = getattr(current, "updated_at", None)
        return {
            "who": revision_label(latest.revision) if latest else None,
            "when": timezone.localtime(updated_at) if updated_at else None,
            "fields": rows,
            "inlines": inlines,
        }


def is_stale(form):
    """Whether the form was refused for being opened on an older version."""
    if not form.is_bound or "__all__" not in form.errors:
        return False
    return any(error.code == "stale" for error in form.errors.as_data()["__all__"])


def saved_value(obj, field):
    if field.many_to_many:
        return ", ".join(str(item) for item in getattr(obj, field.name).all()) or "—"
    return display_for_field(getattr(obj, field.name), field, empty_value_display="—")


def sent_value(form, field):
    if not field.many_to_many:
        return form.data.get(field.name, "")
    chosen = form.data.getlist(field.name)
    return ", ".join(
        str(item) for item in field.related_model._default_manager.filter(pk__in=chosen)
    )
