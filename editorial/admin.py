"""Editorial safety in the Django admin, as one mixin for content admins.

`EditorialAdminMixin` (put it first in the bases, before the app's admin):

- history through django-reversion's `VersionAdmin`: every save, publish
  action and delete records a revision with user, time and comment; the
  history screen compares two revisions and reverts to one; "Recover deleted"
  brings back a deleted item (a declaration with its signatures);
- no lost updates: the row is locked while a save is checked (the check
  itself is `core.admin.ConcurrentEditForm`'s version token), and a refused
  save shows the other editor's current values next to the editor's own;
- audit: who created, last edited and published the item, from the history;
- "Preview links" for drafts and scheduled items.
"""

import difflib

import reversion
from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import display_for_field, quote, unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, models, router
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import select_template
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from reversion.admin import VersionAdmin
from reversion.models import Version

from core.admin import user_can_publish
from editorial.models import PreviewLink
from editorial.revisions import (
    VERSIONED_MODELS,
    audit_trail,
    revision_label,
    version_fields,
)

# Fields that change on every save or are derived: not worth a diff row.
NOT_COMPARED = {"updated_at", "created_at", "search_vector"}


class EditorialAdminMixin(VersionAdmin):
    object_history_template = "editorial/admin/object_history.html"
    change_form_template = "editorial/admin/change_form.html"
    history_latest_first = True
    audit_fields = ("created_by", "last_edited_by", "published_by")

    # ---- Revisions -------------------------------------------------------

    def delete_model(self, request, obj):
        # Record the last state first, so "Recover deleted" works even for an
        # item that predates history or was changed outside the admin.
        with reversion.create_revision():
            reversion.set_user(request.user)
            reversion.set_comment("Deleted.")
            reversion.add_to_revision(obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with reversion.create_revision():
            reversion.set_user(request.user)
            reversion.set_comment("Deleted (with others, from the list).")
            for obj in queryset:
                reversion.add_to_revision(obj)
        super().delete_queryset(request, queryset)

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        if not reversion.is_active():
            # A custom admin view (e.g. bulk-adding signatures) changed the
            # item outside a change form: record that as a revision too.
            with reversion.create_revision():
                reversion.set_user(request.user)
                reversion.set_comment(entry.get_change_message())
                reversion.add_to_revision(obj)
        return entry

    def revision_view(self, request, object_id, version_id, extra_context=None):
        # reversion reverts first and then asks has_change_permission of the
        # reverted object, so a contributor could unpublish or rewrite a
        # published item by "reverting" it to a draft. Ask of the item as it
        # is now, and of the state it would become, before anything changes.
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404("No such item.")
        version = get_object_or_404(
            Version.objects.get_for_object(obj), pk=unquote(version_id)
        )
        becomes_public = version_fields(version).get("status") == "published"
        if not self.has_change_permission(request, obj) or (
            becomes_public and not user_can_publish(request.user)
        ):
            raise PermissionDenied
        return super().revision_view(request, object_id, version_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404("No such item.")
        versions = (
            Version.objects.get_for_object(obj)
            .select_related("revision__user")
            .order_by("-revision__date_created", "-pk")
        )
        opts = self.opts
        history = [
            {
                "version": version,
                "revision": version.revision,
                "who": revision_label(version.revision),
                "revert_url": reverse(
                    f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}"
                    "_revision",
                    args=[quote(version.object_id), version.pk],
                ),
            }
            for version in versions
        ]
        context = {
            "editorial_history": history,
            "compare_url": reverse(
                f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_compare",
                args=[quote(obj.pk)],
            ),
            "audit": audit_trail(obj),
            # The admin's own log, which also holds entries from before
            # revisions were recorded.
            "admin_log": LogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(obj),
                object_id=str(obj.pk),
            )
            .select_related("user")
            .order_by("-action_time"),
            **(extra_context or {}),
        }
        return super().history_view(request, object_id, context)

    def compare_view(self, request, object_id):
        """What changed between two revisions of one item, field by field."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404("No such item.")
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        versions = Version.objects.get_for_object(obj).select_related("revision__user")
        try:
            ids = sorted(int(request.GET[key]) for key in ("older", "newer"))
        except (KeyError, ValueError):
            ids = list(versions.order_by("-pk").values_list("pk", flat=True)[:2])[::-1]
        if len(ids) != 2 or ids[0] == ids[1]:
            messages.warning(request, "Choose two different revisions to compare.")
            return HttpResponseRedirect(
                reverse(
                    f"{self.admin_site.name}:{self.opts.app_label}_"
                    f"{self.opts.model_name}_history",
                    args=[quote(obj.pk)],
                )
            )
        older = get_object_or_404(versions, pk=ids[0])
        newer = get_object_or_404(versions, pk=ids[1])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": obj,
            "title": f"Compare revisions of {obj}",
            "subtitle": None,
            "older": older,
            "newer": newer,
            "older_who": revision_label(older.revision),
            "newer_who": revision_label(newer.revision),
            "changes": self.field_changes(older, newer),
            "related_changes": self.related_changes(older, newer),
        }
        return TemplateResponse(request, "editorial/admin/compare.html", context)

    def field_changes(self, older, newer):
        old_fields, new_fields = version_fields(older), version_fields(newer)
        changes = []
        for field in self.model._meta.get_fields():
            name = getattr(field, "name", None)
            if (
                name not in old_fields and name not in new_fields
            ) or name in NOT_COMPARED:
                continue
            if name.endswith("_html"):
                continue  # rendered from the markdown field shown beside it
            before, after = old_fields.get(name), new_fields.get(name)
            if before == after:
                continue
            changes.append(
                {
                    "label": str(field.verbose_name).capitalize(),
                    "before": self.describe(field, before),
                    "after": self.describe(field, after),
                    "diff": self.text_diff(field, before, after),
                }
            )
        return changes

    @staticmethod
    def describe(field, value):
        if value in (None, "", []):
            return "—"
        if field.many_to_many:
            related = field.related_model._default_manager.filter(pk__in=value)
            return ", ".join(str(item) for item in related) or "—"
        if field.many_to_one:
            item = field.related_model._default_manager.filter(pk=value).first()
            return str(item) if item else f"(deleted #{value})"
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        return str(value)

    @staticmethod
    def text_diff(field, before, after):
        """Line-by-line diff rows for long text; None for short values."""
        if not isinstance(field, models.TextField):
            return None
        lines = difflib.ndiff((before or "").splitlines(), (after or "").splitlines())
        rows = []
        for line in lines:
            marker, text = line[:1], line[2:]
            if marker == "?":
                continue
            kind = {"+": "added", "-": "removed"}.get(marker, "same")
            rows.append({"kind": kind, "marker": marker.strip(), "text": text})
        return rows

    def related_changes(self, older, newer):
        """Followed rows (a declaration's signatures) added, removed or changed."""
        from summits.models import Signatory, Signature

        if not reversion.is_registered(self.model) or self.model._meta.model_name != (
            "declaration"
        ):
            return None

        def signatures(version):
            rows = {}
            for other in version.revision.version_set.filter(
                content_type__app_label="summits", content_type__model="signature"
            ):
                fields = version_fields(other)
                if str(fields.get("declaration")) == str(older.object_id):
                    rows[fields["signatory"]] = fields
            return rows

        before, after = signatures(older), signatures(newer)
        names = dict(
            Signatory.objects.filter(pk__in={*before, *after}).values_list("pk", "name")
        )
        status = dict(Signature.Status.choices)
        compared = ("status", "date", "ratified_on", "source_url", "note")
        rows = []
        for signatory in sorted({*before, *after}, key=lambda pk: names.get(pk, "")):
            old, new = before.get(signatory), after.get(signatory)
            name = names.get(signatory, f"(deleted signatory #{signatory})")
            if old is None:
                rows.append((name, "added", status.get(new["status"], "")))
            elif new is None:
                rows.append((name, "removed", status.get(old["status"], "")))
            elif any(old.get(key) != new.get(key) for key in compared):
                changed = [
                    f"{key.replace('_', ' ')}: {old.get(key) or '—'} → "
                    f"{new.get(key) or '—'}"
                    for key in compared
                    if old.get(key) != new.get(key)
                ]
                rows.append((name, "changed", "; ".join(changed)))
        return rows

    # ---- No lost updates -------------------------------------------------

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
        opts = self.opts
        own = super().change_form_template
        parent = select_template(
            [own]
            if own
            else [
                f"admin/{opts.app_label}/{opts.model_name}/change_form.html",
                f"admin/{opts.app_label}/change_form.html",
                "admin/change_form.html",
            ]
        )
        # Extend whichever change form the app would have used, so its own
        # buttons (e.g. "Bulk-add signatures") stay.
        context["editorial_parent_template"] = parent.template
        if obj is not None and obj.pk and self.can_share_previews(obj):
            context["preview_links_url"] = reverse(
                f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}"
                "_preview_links",
                args=[quote(obj.pk)],
            )
        form = context.get("adminform").form if context.get("adminform") else None
        if form is not None and obj is not None and self.is_stale(form):
            context["conflict"] = self.conflict_details(
                obj, form, context.get("inline_admin_formsets", [])
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    @staticmethod
    def is_stale(form):
        if not form.is_bound or "__all__" not in form.errors:
            return False
        return any(error.code == "stale" for error in form.errors.as_data()["__all__"])

    def conflict_details(self, obj, form, inline_formsets):
        """The saved version beside the editor's, for the fields they differ on."""
        current = type(obj)._default_manager.get(pk=obj.pk)
        latest = Version.objects.get_for_object(current).select_related(
            "revision__user"
        )
        latest = latest.order_by("-pk").first()
        rows = []
        for name in form.changed_data:
            if name == "edit_token" or name not in form.fields:
                continue
            try:
                field = self.model._meta.get_field(name)
            except Exception:  # a form-only field
                continue
            if field.many_to_many:
                saved = ", ".join(str(o) for o in getattr(current, name).all()) or "—"
            else:
                saved = display_for_field(
                    getattr(current, name), field, empty_value_display="—"
                )
            yours = (
                form.data.getlist(name)
                if field.many_to_many
                else form.data.get(name, "")
            )
            if field.many_to_many:
                yours = ", ".join(
                    str(o)
                    for o in field.related_model._default_manager.filter(pk__in=yours)
                )
            rows.append(
                {
                    "label": form.fields[name].label or name,
                    "saved": saved,
                    "yours": yours,
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
        return {
            "who": revision_label(latest.revision) if latest else None,
            "when": timezone.localtime(current.updated_at)
            if getattr(current, "updated_at", None)
            else None,
            "fields": rows,
            "inlines": inlines,
        }

    # ---- Audit -----------------------------------------------------------

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

    # ---- Preview links ---------------------------------------------------

    @staticmethod
    def can_share_previews(obj):
        return hasattr(obj, "is_published")

    def get_urls(self):
        opts = self.opts
        info = f"{opts.app_label}_{opts.model_name}"
        return [
            path(
                "<path:object_id>/preview-links/",
                self.admin_site.admin_view(self.preview_links_view),
                name=f"{info}_preview_links",
            ),
            path(
                "<path:object_id>/history/compare/",
                self.admin_site.admin_view(self.compare_view),
                name=f"{info}_compare",
            ),
            *super().get_urls(),
        ]

    def preview_links_view(self, request, object_id):
        """Create, list and revoke share links for one draft or scheduled item."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.can_share_previews(obj):
            raise Http404("No such item.")
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        new_link_url = None
        if request.method == "POST":
            if "revoke" in request.POST:
                revoke = request.POST["revoke"]
                if not revoke.isdigit():
                    raise Http404("No such preview link.")
                link = get_object_or_404(PreviewLink.objects.for_object(obj), pk=revoke)
                link.revoke()
                messages.success(request, "The preview link is revoked.")
                return HttpResponseRedirect(request.path)
            lifetime = request.POST.get("lifetime", "")
            if lifetime not in PreviewLink.Lifetime.values:
                lifetime = PreviewLink.Lifetime.DAY
            _link, token = PreviewLink.create_for(
                obj,
                lifetime,
                user=request.user,
                # A NUL would fail on PostgreSQL; no note needs one.
                note=request.POST.get("note", "").replace("\x00", "")[:200],
            )
            # Shown once, on this page only: the database keeps just a hash.
            new_link_url = request.build_absolute_uri(
                reverse("editorial:preview", args=[token])
            )
        links = PreviewLink.objects.for_object(obj).select_related("created_by")
        opts = self.opts
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "original": obj,
            "title": f"Preview links: {obj}",
            "subtitle": None,
            "links": links,
            "new_link_url": new_link_url,
            "lifetimes": PreviewLink.Lifetime.choices,
            "default_lifetime": PreviewLink.Lifetime.DAY,
            "is_published": obj.is_published,
            "now": timezone.now(),
            "change_url": reverse(
                f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change",
                args=[quote(obj.pk)],
            ),
        }
        response = TemplateResponse(
            request, "editorial/admin/preview_links.html", context
        )
        # The page may hold a fresh token: keep it out of every cache.
        response["Cache-Control"] = "no-store, private"
        return response


def add_editorial_tools(site, models):
    """Give each model's registered admin the editorial tools.

    Done here, after the apps' own admin modules have registered (editorial
    comes after them in INSTALLED_APPS), rather than in those modules: the
    content apps stay unaware of this one, and dependencies keep pointing one
    way (editorial → articles → summits → core).
    """
    for model in models:
        model_admin = site._registry.get(model)
        if model_admin is None or isinstance(model_admin, EditorialAdminMixin):
            continue
        base = type(model_admin)
        site.unregister(model)
        site.register(model, type(base.__name__, (EditorialAdminMixin, base), {}))


add_editorial_tools(admin.site, VERSIONED_MODELS)
