"""History in the admin: every change recorded, compared and revertible.

`HistoryAdminMixin` builds on django-reversion's `VersionAdmin`: every save,
publish action and delete records a revision with user, time and comment; the
history screen lists them with who did what, compares two revisions field by
field and reverts to one; "Recover deleted" brings back a deleted item.

A model registered with reversion's `follow` (a declaration follows its
signatures) names the followed rows to compare in `history_followed_rows`,
so this module knows no content app.
"""

import difflib
from dataclasses import dataclass

import reversion
from django.contrib import messages
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import quote, unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.text import capfirst
from reversion.admin import VersionAdmin
from reversion.models import Version

from core.admin import user_can_publish
from editorial.revisions import audit_trail, revision_label, version_fields

# Fields that change on every save or are derived: not worth a diff row.
NOT_COMPARED = {"updated_at", "created_at", "search_vector"}


@dataclass(frozen=True)
class FollowedRows:
    """Rows saved in each of an item's revisions (reversion's `follow`).

    E.g. a declaration's signatures: `model` is Signature, `parent_field`
    "declaration" points at the item, `key_field` "signatory" names each row,
    `compared` are the fields whose change is reported, and `summary_field`
    ("status") is shown for a row added or removed.
    """

    model: type
    parent_field: str
    key_field: str
    compared: tuple
    summary_field: str
    title: str = ""

    @property
    def heading(self):
        return self.title or capfirst(self.model._meta.verbose_name_plural)

    @property
    def model_name(self):
        return self.model._meta.verbose_name

    @property
    def key_label(self):
        return capfirst(self.model._meta.get_field(self.key_field).verbose_name)


class HistoryAdminMixin(VersionAdmin):
    """Revisions, history with compare, revert and recover for one model admin.

    Put it before the app's own admin class in the bases.
    """

    object_history_template = "editorial/admin/object_history.html"
    history_latest_first = True
    # At most one FollowedRows: the rows the compare screen lists below the
    # item's own fields.
    history_followed_rows = None

    # ---- Recording -------------------------------------------------------

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

    # ---- Screens ---------------------------------------------------------

    def admin_url(self, name, *args):
        opts = self.opts
        return reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_{name}",
            args=args,
        )

    def get_urls(self):
        opts = self.opts
        return [
            path(
                "<path:object_id>/history/compare/",
                self.admin_site.admin_view(self.compare_view),
                name=f"{opts.app_label}_{opts.model_name}_compare",
            ),
            *super().get_urls(),
        ]

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
        """Revisions newest first, the audit trail and the admin's own log.

        Rendered here rather than through reversion's and Django's history
        views, which would each read the same history again: one query for
        the versions (the audit trail is read from them too) and one for the
        log, however long the history grows.
        """
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404("No such item.")
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        versions = list(
            Version.objects.get_for_object(obj)
            .select_related("revision__user")
            .order_by("-revision__date_created", "-pk")
        )
        history = [
            {
                "version": version,
                "revision": version.revision,
                "who": revision_label(version.revision),
                "revert_url": self.admin_url(
                    "revision", quote(version.object_id), version.pk
                ),
            }
            for version in versions
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": f"Change history: {obj}",
            "subtitle": None,
            "module_name": str(capfirst(self.opts.verbose_name_plural)),
            "object": obj,
            "opts": self.opts,
            "preserved_filters": self.get_preserved_filters(request),
            "editorial_history": history,
            "compare_url": self.admin_url("compare", quote(obj.pk)),
            "audit": audit_trail(obj, versions=versions[::-1]),
            # The admin's own log, which also holds entries from before
            # revisions were recorded.
            "admin_log": list(
                LogEntry.objects.filter(
                    content_type=ContentType.objects.get_for_model(obj),
                    object_id=str(obj.pk),
                )
                .select_related("user")
                .order_by("-action_time")
            ),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.object_history_template, context)

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
            return HttpResponseRedirect(self.admin_url("history", quote(obj.pk)))
        older = get_object_or_404(versions, pk=ids[0])
        newer = get_object_or_404(versions, pk=ids[1])
        followed = self.history_followed_rows
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
            "related": followed,
            "related_changes": self.related_changes(older, newer),
        }
        return TemplateResponse(request, "editorial/admin/compare.html", context)

    # ---- Comparing -------------------------------------------------------

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
                    "before": describe(field, before),
                    "after": describe(field, after),
                    "diff": text_diff(field, before, after),
                }
            )
        return changes

    def related_changes(self, older, newer):
        """Followed rows added, removed or changed; None if nothing is followed."""
        followed = self.history_followed_rows
        if followed is None:
            return None
        meta = followed.model._meta
        key_field = meta.get_field(followed.key_field)
        summary_field = meta.get_field(followed.summary_field)

        def rows(version):
            found = {}
            for other in version.revision.version_set.filter(
                content_type__app_label=meta.app_label,
                content_type__model=meta.model_name,
            ):
                fields = version_fields(other)
                if str(fields.get(followed.parent_field)) == str(older.object_id):
                    found[fields[followed.key_field]] = fields
            return found

        before, after = rows(older), rows(newer)
        names = {
            item.pk: str(item)
            for item in key_field.related_model._default_manager.filter(
                pk__in={*before, *after}
            )
        }
        missing = f"(deleted {key_field.related_model._meta.verbose_name} #{{}})"
        changes = []
        for key in sorted({*before, *after}, key=lambda pk: names.get(pk, "")):
            old, new = before.get(key), after.get(key)
            name = names.get(key) or missing.format(key)
            if old is None:
                summary = describe(summary_field, new[followed.summary_field])
                changes.append((name, "added", summary))
            elif new is None:
                summary = describe(summary_field, old[followed.summary_field])
                changes.append((name, "removed", summary))
            elif any(old.get(f) != new.get(f) for f in followed.compared):
                changed = [
                    f"{f.replace('_', ' ')}: {shown(meta.get_field(f), old.get(f))}"
                    f" → {shown(meta.get_field(f), new.get(f))}"
                    for f in followed.compared
                    if old.get(f) != new.get(f)
                ]
                changes.append((name, "changed", "; ".join(changed)))
        return changes


def describe(field, value):
    """A stored value as an editor reads it: labels, names, "—" for nothing."""
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
    return as_written(field, value)


def shown(field, value):
    return as_written(field, value) if value not in (None, "") else "—"


def as_written(field, value):
    """Dates and times as people write them: "5 September 2024, 14:03".

    Versions store them as ISO text ("2024-09-05T13:03:00Z"), in UTC; the
    editor reads the site's local time.
    """
    if isinstance(field, models.DateTimeField):
        moment = parse_datetime(str(value))
        if moment is not None:
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return date_format(moment, "j F Y, H:i")
    elif isinstance(field, models.DateField):
        day = parse_date(str(value))
        if day is not None:
            return date_format(day, "j F Y")
    return str(value)


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
