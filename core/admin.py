"""Shared ground for the editors' admin: who may publish, and the Publishable admin.

Two roles (groups made by `editorial/migrations/0002_editor_groups.py`):
Editors do everything; Contributors write drafts. The rule "may publish" lives
in `user_can_publish` and nowhere else; `PublishableAdmin` enforces it on the
server (form validation, read-only published items, hidden actions), so a
crafted POST gets the same answer as the form.

`PublishableAdmin` also keeps two editors from overwriting each other: the form
carries the `updated_at` it was opened with, and a save over a newer version is
refused with who changed it and when.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.contrib.admin.widgets import AdminURLFieldWidget, AutocompleteSelect
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from markdownx.models import MarkdownxField

from core.markdown import removed_html
from core.media import places_using
from core.models import Image, Status
from core.storage import StoresUploadsMixin
from core.uploads import clean_image
from core.widgets import MarkdownEditorWidget

EDITORS_GROUP = "Editors"
CONTRIBUTORS_GROUP = "Contributors"

admin.site.site_header = "Summit Watch admin"
admin.site.site_title = "Summit Watch admin"
admin.site.index_title = "Content"

ADMIN_CSS = {"all": ["admin-extra/admin.css"]}

FORMFIELD_OVERRIDES = {
    MarkdownxField: {"widget": MarkdownEditorWidget},
    # Editors paste addresses like "www.gov.uk/…"; the web is https now.
    models.URLField: {"widget": AdminURLFieldWidget, "assume_scheme": "https"},
}

PUBLISHING_FIELDSET = (
    "Publishing",
    {
        "fields": ["status", "published_at"],
        "description": "Draft: only staff see it. Published with a date ahead: "
        "scheduled, it goes live at that time.",
    },
)


def user_can_publish(user):
    """Superusers and members of the Editors group may publish; nobody else.

    Cached on the user object: the admin asks several times per request.
    """
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    if not hasattr(user, "_summitwatch_can_publish"):
        user._summitwatch_can_publish = user.groups.filter(name=EDITORS_GROUP).exists()
    return user._summitwatch_can_publish


def user_may_change(user, obj):
    """Whether `user` may edit `obj` given publishing rights.

    Content that is published (or scheduled) is public, so changing it is
    publishing: only those who may publish can. Drafts are open to anyone with
    the model's change permission.
    """
    if obj is None or obj.status != Status.PUBLISHED:
        return True
    return user_can_publish(user)


def publication_state(obj):
    """("published" | "scheduled" | "draft", label) for a Publishable."""
    if obj.is_published:
        return "published", "Published"
    if obj.is_scheduled:
        local = timezone.localtime(obj.published_at)
        return "scheduled", f"Scheduled for {date_format(local, 'j M Y, H:i')}"
    return "draft", "Draft"


def publication_badge(obj):
    """The state as a labelled badge: a word as well as a colour."""
    state, label = publication_state(obj)
    return format_html('<span class="pub-state pub-state--{}">{}</span>', state, label)


class PublicationStateFilter(admin.SimpleListFilter):
    """Filter by what a visitor sees, through the QuerySet's own rules."""

    title = "publication"
    parameter_name = "publication"

    def lookups(self, request, model_admin):
        return [
            ("published", "Published"),
            ("scheduled", "Scheduled"),
            ("draft", "Draft"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "published":
            return queryset.public()
        if value == "scheduled":
            return queryset.scheduled()
        if value == "draft":
            return queryset.drafts()
        return queryset


class ReportsRemovedHtmlForm(forms.ModelForm):
    """Says, under each markdown field, what sanitising would remove from it.

    The pipeline drops scripts, event handlers and the like on save; an
    editor who typed them should hear so and decide, not find the text quietly
    changed. The save is refused until the text no longer contains them.
    """

    def clean(self):
        cleaned_data = super().clean()
        for field in getattr(self._meta.model, "markdown_fields", {}):
            removed = removed_html(cleaned_data.get(field) or "")
            if removed:
                self.add_error(
                    field,
                    forms.ValidationError(
                        "This text contains HTML the site does not allow, which "
                        "would be removed: %(removed)s. Delete it (to show such "
                        "code as text, put it between `backticks`) and save again.",
                        code="removed_html",
                        params={"removed": "; ".join(removed)},
                    ),
                )
        return cleaned_data


class ConcurrentEditForm(StoresUploadsMixin, ReportsRemovedHtmlForm):
    """A model form that refuses to overwrite a newer version of its object.

    `edit_token` carries the `updated_at` the editor started from. If the row
    was saved since, saving would silently drop the other editor's change, so
    the form says who changed it and asks the editor to reload. A new file (an
    article's cover) is stored as validation ends, so a media store that is
    down is a form error, not a lost edit (core.storage).
    """

    edit_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.updated_at:
            self.fields["edit_token"].initial = self.instance.updated_at.isoformat()

    def clean(self):
        cleaned_data = super().clean()
        token = cleaned_data.get("edit_token")
        instance = self.instance
        # The admin loads `instance` fresh from the database on each POST, so
        # its updated_at is the current version.
        if instance.pk and token and token != instance.updated_at.isoformat():
            raise forms.ValidationError(
                "%(who)s saved this %(model)s at %(when)s, after you opened it. "
                "Your changes are not saved. Copy what you wrote, reload the "
                "page to see their version, then make your changes again.",
                code="stale",
                params={
                    "who": self._last_editor() or "Someone else",
                    "model": instance._meta.verbose_name,
                    "when": date_format(
                        timezone.localtime(instance.updated_at), "j M Y, H:i:s"
                    ),
                },
            )
        return cleaned_data

    def _last_editor(self):
        entry = (
            LogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(self.instance),
                object_id=str(self.instance.pk),
            )
            .select_related("user")
            .order_by("-action_time")
            .first()
        )
        if entry is None:
            return None
        return entry.user.get_full_name() or entry.user.get_username()


class EditorAdmin(admin.ModelAdmin):
    """Base admin for every content model: markdown editor, concurrency guard."""

    form = ConcurrentEditForm
    formfield_overrides = FORMFIELD_OVERRIDES
    list_per_page = 50

    class Media:
        css = ADMIN_CSS

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (title, {**options, "fields": _without_token(options["fields"])})
            for title, options in super().get_fieldsets(request, obj)
        ]
        # The hidden token needs a place in the form whatever fieldsets a
        # subclass declares; a read-only view has no form to guard.
        can_edit = (
            self.has_change_permission(request, obj)
            if obj is not None
            else self.has_add_permission(request)
        )
        if can_edit:
            fieldsets.append((None, {"fields": ["edit_token"], "classes": ["hidden"]}))
        return fieldsets


def _without_token(fields):
    return [field for field in fields if field != "edit_token"]


class PublishableAdmin(EditorAdmin):
    """Admin for Publishable models: clear state, publish actions, roles enforced.

    Subclasses list `publication` in `list_display` and add
    `PublicationStateFilter` to `list_filter`.
    """

    actions = ["publish", "unpublish"]

    def view_on_site(self, obj):
        url = obj.get_absolute_url()
        # Drafts and scheduled items 404 for the public; staff see them with
        # the preview flag (core.views.PublishedOrPreviewMixin).
        if not obj.is_public():
            return f"{url}?preview=1"
        return url

    @admin.display(description="publication", ordering="published_at")
    def publication(self, obj):
        return publication_badge(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and user_may_change(
            request.user, obj
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and user_may_change(
            request.user, obj
        )

    def has_publish_permission(self, request):
        return user_can_publish(request.user)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if user_can_publish(request.user) or "status" not in form.base_fields:
            return form

        class DraftOnlyForm(form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.fields[
                    "status"
                ].help_text = (
                    "Contributors save drafts; an editor publishes or schedules them."
                )

            def clean_status(self):
                status = self.cleaned_data["status"]
                if status == Status.PUBLISHED:
                    raise forms.ValidationError(
                        "Only editors can publish. Save this as a draft and ask "
                        "an editor to publish it.",
                        code="cannot_publish",
                    )
                return status

        return DraftOnlyForm

    @admin.action(
        description="Publish selected %(verbose_name_plural)s", permissions=["publish"]
    )
    def publish(self, request, queryset):
        published = scheduled = 0
        for obj in queryset.exclude(status=Status.PUBLISHED):
            obj.status = Status.PUBLISHED
            obj.save()
            self.log_change(request, obj, [{"changed": {"fields": ["Status"]}}])
            if obj.is_scheduled:
                scheduled += 1
            else:
                published += 1
        parts = [f"{published} published"]
        if scheduled:
            parts.append(f"{scheduled} scheduled (their publication date is ahead)")
        self.message_user(request, "; ".join(parts) + ".", messages.SUCCESS)

    @admin.action(
        description="Unpublish selected %(verbose_name_plural)s (back to draft)",
        permissions=["publish"],
    )
    def unpublish(self, request, queryset):
        count = 0
        for obj in queryset.filter(status=Status.PUBLISHED):
            obj.status = Status.DRAFT
            obj.save()
            self.log_change(request, obj, [{"changed": {"fields": ["Status"]}}])
            count += 1
        self.message_user(request, f"{count} moved back to draft.", messages.SUCCESS)


class PrelabelledAutocompleteSelect(AutocompleteSelect):
    """An autocomplete that can take its selected option's label from rows
    already loaded, instead of querying for it.

    The stock widget looks up the selected object of every form it renders, so
    a formset of thirty rows ran thirty queries. A formset that has the related
    objects at hand sets `labels` ({str(pk): label}) on each form's widget.
    """

    labels = None

    def optgroups(self, name, value, attr=None):
        empty = self.choices.field.empty_values
        selected = [str(v) for v in value if str(v) not in empty]
        if self.labels is None or not all(v in self.labels for v in selected):
            return super().optgroups(name, value, attr)
        options = []
        if not self.is_required:
            options.append(self.create_option(name, "", "", False, 0))
        for pk in selected:
            options.append(
                self.create_option(
                    name, pk, self.labels[pk], set(selected), len(options)
                )
            )
        return [(None, options, 0)]


class ImageForm(StoresUploadsMixin, forms.ModelForm):
    """An image added from the library screen: decoded and re-encoded like
    every upload (core.uploads), then stored before the admin saves the row
    (core.storage); a stored image keeps its file."""

    class Meta:
        model = Image
        fields = ["file", "alt_text", "caption", "credit"]

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not isinstance(upload, UploadedFile):
            return upload  # unchanged: already stored, and cleaned then
        cleaned = clean_image(upload)
        self.instance.width, self.instance.height = cleaned.width, cleaned.height
        return cleaned.content


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    """The media library: every image, its description, and where it is used.

    An image that some content shows cannot be deleted (one at a time or in
    bulk): the refusal lists the places, so the editor can change them first.
    """

    form = ImageForm
    list_display = ["thumbnail", "alt_text", "caption", "credit", "size",
                    "uploaded_by", "uploaded_at"]  # fmt: skip
    list_display_links = ["thumbnail", "alt_text"]
    search_fields = ["alt_text", "caption", "credit", "file"]
    date_hierarchy = "uploaded_at"
    list_per_page = 48
    list_select_related = ["uploaded_by"]
    readonly_fields = ["preview", "size", "markdown", "uploaded_by", "uploaded_at",
                       "used_in"]  # fmt: skip

    class Media:
        css = ADMIN_CSS

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["file", "alt_text", "caption", "credit"]
        return ["preview", "alt_text", "caption", "credit", "markdown", "size",
                "uploaded_by", "uploaded_at", "used_in"]  # fmt: skip

    @admin.display(description="image")
    def thumbnail(self, obj):
        return format_html(
            '<img class="media-thumb" src="{}" alt="" width="96" loading="lazy">',
            obj.url,
        )

    @admin.display(description="image")
    def preview(self, obj):
        return format_html(
            '<img class="media-preview" src="{}" alt="{}">', obj.url, obj.alt_text
        )

    @admin.display(description="size")
    def size(self, obj):
        if obj.width and obj.height:
            return f"{obj.width} × {obj.height} px"
        return "—"

    @admin.display(description="markdown to show it")
    def markdown(self, obj):
        return format_html("<code>{}</code>", obj.markdown())

    @admin.display(description="where it is used")
    def used_in(self, obj):
        places = places_using(obj.file.name)
        if not places:
            return "Nowhere yet: it can be deleted."
        items = format_html_join(
            "", "<li>{}</li>", ((place.as_html(),) for place in places)
        )
        return format_html('<ul class="media-places">{}</ul>', items)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)

    def get_deleted_objects(self, objs, request):
        # The admin refuses to delete what is "protected" and lists it, on
        # the delete page and for the bulk action alike: content showing an
        # image protects it.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(
            objs, request
        )
        for image in objs:
            for place in places_using(image.file.name):
                protected.append(
                    format_html("“{}” is shown by {}", image, place.as_html())
                )
        return deleted, counts, perms_needed, protected


class DefaultChoiceFilter(admin.SimpleListFilter):
    """A filter that starts on one choice ("what waits") and offers "All".

    Subclasses set `title`, `parameter_name`, `field`, `default` and
    `options` (the model's choices).
    """

    field = ""
    default = ""
    options = ()

    def lookups(self, request, model_admin):
        return [*self.options, ("all", "All")]

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": (self.value() or self.default) == value,
                "query_string": changelist.get_query_string(
                    {self.parameter_name: value}
                ),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value() or self.default
        return queryset if value == "all" else queryset.filter(**{self.field: value})
