"""The editors' admin for summits, declarations, signatories and signatures."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models
from django.db.models import F
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from core.admin import (
    FORMFIELD_OVERRIDES,
    PUBLISHING_FIELDSET,
    ConcurrentEditForm,
    EditorAdmin,
    PrelabelledAutocompleteSelect,
    PublicationStateFilter,
    PublishableAdmin,
    publication_badge,
    user_can_publish,
    user_may_change,
)
from core.names import fold
from core.partial_dates import PartialDateFormMixin
from editorial.admin import (
    AuditTrailAdminMixin,
    EditConflictAdminMixin,
    FollowedRows,
    HistoryAdminMixin,
    PreviewLinksAdminMixin,
    PublishButtonsAdminMixin,
)
from summits.accountability_admin import CommitmentInline
from summits.forms import BulkAddSignaturesForm, OtherNamesFormSet
from summits.models import (
    Declaration,
    Group,
    GroupMembership,
    Series,
    Signatory,
    SignatoryAlias,
    Signature,
    Summit,
    mark_declarations_changed,
    signature_counts,
)
from summits.quality import CHECKS

POSITION_DATES = (
    "signed_on",
    "declined_on",
    "ratified_on",
    "in_force_on",
    "withdrawn_on",
)


class DataQualityFilter(admin.SimpleListFilter):
    """ "Data quality": the rows failing one of `summits.quality.CHECKS`.

    The editors' data-quality view links here (`?quality=no-source`), so the
    list it opens is exactly what it counted.
    """

    title = "data quality"
    parameter_name = "quality"

    def lookups(self, request, model_admin):
        return [(name, label) for name, (label, _) in CHECKS[model_admin.model].items()]

    def queryset(self, request, queryset):
        check = CHECKS[queryset.model].get(self.value())
        return check[1](queryset) if check else queryset


class PositionInlineForm(PartialDateFormMixin, forms.ModelForm):
    """A position row: its dates accept "2024", "2024-12" or "2024-12-05"."""

    partial_date_fields = POSITION_DATES


class PositionForm(PartialDateFormMixin, ConcurrentEditForm):
    partial_date_fields = POSITION_DATES


class SummitForm(PartialDateFormMixin, ConcurrentEditForm):
    partial_date_fields = ("starts_on", "ends_on")


class DeclarationForm(PartialDateFormMixin, ConcurrentEditForm):
    partial_date_fields = ("adopted_on",)


def partial_date_column(field_name, description):
    """A list column showing a partial date at its precision, sortable."""

    @admin.display(description=description, ordering=field_name)
    def column(self, obj):
        value = getattr(obj, field_name.removesuffix("_on"))
        return str(value) if value else "—"

    return column


class SignatureFormSet(BaseInlineFormSet):
    """Signature rows that label their signatory without a query per row."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = {str(s.signatory_id): str(s.signatory) for s in self.get_queryset()}
        for form in self.forms:
            form.fields["signatory"].widget.widget.labels = labels


class SignatureInline(admin.TabularInline):
    """Signatures on a declaration's page: one row per party, thirty in a form."""

    model = Signature
    form = PositionInlineForm
    # One line per party that fits a 1280 px screen: the signature's date,
    # source and note. A refusal's or withdrawal's date, the treaty stages
    # and each stage's own source are on the position's page ("stages").
    fields = ["signatory", "status", "signed_on", "source_url", "note", "stages"]
    readonly_fields = ["stages"]
    autocomplete_fields = ["signatory"]
    # The row's own "Change" link is hidden with its label (admin.css);
    # the "stages" column links there by name.
    show_change_link = False
    # A plain URL input: the admin's "Currently: … Change: …" URL widget
    # doubles the height of every one of thirty rows.
    formfield_overrides = {
        **FORMFIELD_OVERRIDES,
        models.URLField: {"widget": forms.URLInput, "assume_scheme": "https"},
    }
    extra = 3
    classes = ["signature-inline"]

    formset = SignatureFormSet

    @admin.display(description="more")
    def stages(self, signature):
        if signature.pk is None:
            return ""
        url = reverse("admin:summits_signature_change", args=[signature.pk])
        return format_html('<a href="{}">Stages and sources…</a>', url)

    def get_queryset(self, request):
        # Each row's label names its signatory and declaration.
        return super().get_queryset(request).select_related("signatory", "declaration")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "signatory":
            kwargs["widget"] = PrelabelledAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "signatory" and formfield is not None:
            # Keep "add a signatory" (a popup); editing or deleting the
            # signatory itself belongs on its own page, not in each row.
            widget = formfield.widget
            widget.can_change_related = False
            widget.can_delete_related = False
            widget.can_view_related = False
        return formfield


class SignatoryRecordInline(admin.TabularInline):
    """A signatory's record across declarations, to read; edit on the declaration."""

    model = Signature
    fields = ["declaration_link", "status", "signed", "ratified", "source"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = "position"
    verbose_name_plural = "record across declarations"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("declaration")
            # Undated declarations last on every database (see Declaration.Meta).
            .order_by(
                F("declaration__adopted_on").desc(nulls_last=True),
                "declaration__title",
            )
        )

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="declaration")
    def declaration_link(self, signature):
        url = reverse(
            "admin:summits_declaration_change", args=[signature.declaration_id]
        )
        return format_html('<a href="{}">{}</a>', url, signature.declaration)

    signed = partial_date_column("signed_on", "signed")
    ratified = partial_date_column("ratified_on", "ratified")

    @admin.display(description="source")
    def source(self, signature):
        if not signature.source_url:
            return "—"
        return format_html(
            '<a href="{}" rel="noopener noreferrer">{}</a>',
            signature.source_url,
            signature.source_url[:60],
        )


class SignatoryAliasInline(admin.TabularInline):
    """A signatory's other names: "UK", "Turkey", a former or foreign name."""

    model = SignatoryAlias
    formset = OtherNamesFormSet
    fields = ["name", "kind"]
    extra = 1


class MembershipOfSignatoryInline(admin.TabularInline):
    """The groups a signatory belongs to, to read; edit them on the group."""

    model = GroupMembership
    fields = ["group", "joined_on", "left_on"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "groups"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PublicOnSaveMixin:
    """For models with no draft state (a signatory, a series, a group): a saved
    change is public at once, so changing or deleting one is publishing.
    Contributors may add signatories (for the declarations they draft) and
    read the rest; only editors change them."""

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or user_can_publish(request.user))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or user_can_publish(request.user))


@admin.register(Signatory)
class SignatoryAdmin(
    HistoryAdminMixin,
    EditConflictAdminMixin,
    AuditTrailAdminMixin,
    PublicOnSaveMixin,
    EditorAdmin,
):
    list_display = ["name", "kind", "country", "signed", "declined"]
    list_filter = ["kind", DataQualityFilter]
    search_fields = ["name", "slug", "country"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "kind", "country", "website", "description"]
    inlines = [SignatoryAliasInline, MembershipOfSignatoryInline, SignatoryRecordInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(**signature_counts())

    def get_search_results(self, request, queryset, search_term):
        """Also by other names and ISO codes, ignoring case and accents, so
        the autocomplete of a signature row finds "Türkiye" from "turkey"."""
        results, may_have_duplicates = super().get_search_results(
            request, queryset, search_term
        )
        key = fold(search_term)
        if key:
            by_other_names = Signatory.objects.filter(
                models.Q(folded_name__contains=key)
                | models.Q(aliases__folded__contains=key)
                | models.Q(other_names_text__icontains=key)
            ).values("pk")
            # OR-ing two querysets drops their ordering; the autocomplete
            # pages through the result, so give it one back.
            results = (results | queryset.filter(pk__in=by_other_names)).order_by(
                *self.model._meta.ordering
            )
        return results, may_have_duplicates

    @admin.display(description="signed", ordering="signed_count")
    def signed(self, obj):
        return obj.signed_count

    @admin.display(description="declined", ordering="declined_count")
    def declined(self, obj):
        return obj.declined_count


class DeclarationOfSummitInline(admin.TabularInline):
    """The declarations a summit produced, as links; edit them on their own page."""

    model = Declaration
    fields = ["title_link", "kind", "adopted_on", "binding", "publication"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "declarations adopted at this summit"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="title")
    def title_link(self, declaration):
        url = reverse("admin:summits_declaration_change", args=[declaration.pk])
        return format_html('<a href="{}">{}</a>', url, declaration)

    @admin.display(description="publication")
    def publication(self, declaration):
        return publication_badge(declaration)


@admin.register(Summit)
class SummitAdmin(
    HistoryAdminMixin,
    EditConflictAdminMixin,
    AuditTrailAdminMixin,
    PreviewLinksAdminMixin,
    PublishButtonsAdminMixin,
    PublishableAdmin,
):
    form = SummitForm
    list_display = ["name", "starts", "city", "series", "publication"]
    list_filter = [PublicationStateFilter, "series", "host_country"]
    list_select_related = ["series"]
    search_fields = ["name", "city", "venue", "organiser"]
    date_hierarchy = "starts_on"
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["series"]
    fieldsets = [
        (None, {"fields": ["name", "slug", ("starts_on", "ends_on"), "series"]}),
        ("Place", {"fields": ["city", "venue", "host_country", "organiser"]}),
        ("Text", {"fields": ["summary", "body", "website"]}),
        PUBLISHING_FIELDSET,
    ]
    inlines = [DeclarationOfSummitInline]

    starts = partial_date_column("starts_on", "starts")


@admin.register(Declaration)
class DeclarationAdmin(
    HistoryAdminMixin,
    EditConflictAdminMixin,
    AuditTrailAdminMixin,
    PreviewLinksAdminMixin,
    PublishButtonsAdminMixin,
    PublishableAdmin,
):
    form = DeclarationForm
    list_display = [
        "title",
        "summit",
        "kind",
        "topic",
        "adopted",
        "binding",
        "signatures_recorded",
        "publication",
    ]
    list_filter = [
        PublicationStateFilter,
        "topic",
        "kind",
        "binding",
        "summit",
        DataQualityFilter,
    ]
    list_select_related = ["summit"]
    search_fields = ["title", "summary", "summit__name"]
    date_hierarchy = "adopted_on"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["summit"]
    fieldsets = [
        (
            None,
            {"fields": ["title", "slug", "summit", "topic", "kind", "adopted_on"]},
        ),
        (
            "Text",
            {"fields": ["binding", "summary", "text", "source_url"]},
        ),
        (
            "Signatories",
            {
                "fields": ["reported_signatory_count"],
                "description": "Record each party below, or paste a list with "
                "“Bulk-add signatures” (top right, once the declaration is "
                "saved).",
            },
        ),
        PUBLISHING_FIELDSET,
    ]
    inlines = [SignatureInline, CommitmentInline]
    # Each revision holds the declaration's signatures (it follows them, see
    # summits.models): the compare screen lists those that changed.
    history_followed_rows = FollowedRows(
        model=Signature,
        parent_field="declaration",
        key_field="signatory",
        compared=(
            "status",
            "signed_on",
            "declined_on",
            "ratified_on",
            "ratification_act",
            "in_force_on",
            "withdrawn_on",
            "source_url",
            "note",
        ),
        summary_field="status",
    )

    adopted = partial_date_column("adopted_on", "adopted")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(**signature_counts())

    @admin.display(description="signed", ordering="signed_count")
    def signatures_recorded(self, obj):
        # The public pages' wording: "4 of about 60 recorded" for a partial list.
        return obj.signed_figure

    def get_urls(self):
        return [
            path(
                "<path:object_id>/bulk-add/",
                self.admin_site.admin_view(self.bulk_add_view),
                name="summits_declaration_bulk_add",
            ),
            *super().get_urls(),
        ]

    def bulk_add_view(self, request, object_id):
        """Paste a list of signatories; all are added, or none (see the form)."""
        declaration = self.get_object(request, unquote(object_id))
        if declaration is None:
            raise Http404("No declaration with that id.")
        signature_admin = SignatureInline(Declaration, self.admin_site)
        if not (
            self.has_change_permission(request, declaration)
            and signature_admin.has_add_permission(request, declaration)
        ):
            raise PermissionDenied
        change_url = reverse("admin:summits_declaration_change", args=[declaration.pk])

        form = BulkAddSignaturesForm(
            request.POST or None,
            declaration=declaration,
            may_create_signatories=request.user.has_perm("summits.add_signatory"),
        )
        if request.method == "POST" and form.is_valid():
            try:
                created = form.save()
            except IntegrityError:
                # Another editor added one of these signatories meanwhile.
                form.add_error(
                    None,
                    "Someone else added signatures to this declaration while you "
                    "were working. Nothing was saved; send the form again.",
                )
            else:
                self._report_bulk_add(request, declaration, form, created)
                return HttpResponseRedirect(change_url)

        context = {
            **self.admin_site.each_context(request),
            "title": f"Bulk-add signatures: {declaration}",
            "subtitle": None,
            "opts": self.opts,
            "original": declaration,
            "form": form,
            "media": self.media + form.media,
            "change_url": change_url,
            "add_signatory_url": reverse("admin:summits_signatory_add"),
            "signatory_kinds": Signatory.Kind.choices,
            "recorded_count": declaration.signatures.count(),
        }
        return TemplateResponse(
            request, "admin/summits/declaration/bulk_add.html", context
        )

    def _report_bulk_add(self, request, declaration, form, created):
        for signatory in form.created:
            self.log_addition(
                request, signatory, f"Added while bulk-adding to “{declaration}”."
            )
        if created:
            self.log_change(
                request,
                declaration,
                f"Bulk-added {len(created)} signatures: "
                + ", ".join(s.signatory.name for s in created),
            )
        parts = [f"Added {len(created)} signature{'s' if len(created) != 1 else ''}."]
        if form.created:
            names = ", ".join(
                f"{s.name} ({s.get_kind_display().lower()})" for s in form.created
            )
            parts.append(f"New signatories: {names}.")
        if form.already_recorded:
            names = ", ".join(s.name for s in form.already_recorded)
            parts.append(f"Already recorded, left unchanged: {names}.")
        if form.repeated:
            names = ", ".join(sorted({s.name for s in form.repeated}))
            parts.append(f"Listed more than once, added once: {names}.")
        level = messages.SUCCESS if created else messages.WARNING
        self.message_user(request, " ".join(parts), level)


@admin.register(Signature)
class SignatureAdmin(
    HistoryAdminMixin, EditConflictAdminMixin, AuditTrailAdminMixin, EditorAdmin
):
    """Every position in one list: find all refusals, or every undated entry.

    Its page holds every stage with its own source; the declaration's inline
    holds the dates only, to stay one line per party.
    """

    form = PositionForm
    list_display = ["signatory", "declaration", "status", "signed", "ratified"]
    list_filter = ["status", "declaration__kind", "declaration", DataQualityFilter]
    list_select_related = ["signatory", "declaration"]
    search_fields = ["signatory__name", "declaration__title", "note"]
    autocomplete_fields = ["declaration", "signatory"]
    fieldsets = [
        (None, {"fields": ["declaration", "signatory", "status", "source_url"]}),
        ("Signature", {"fields": [("signed_on", "signed_source_url")]}),
        ("Refusal", {"fields": ["declined_on"]}),
        (
            "Ratification, acceptance, approval or accession (treaties)",
            {"fields": [("ratified_on", "ratification_act", "ratified_source_url")]},
        ),
        (
            "Entry into force (treaties)",
            {"fields": [("in_force_on", "in_force_source_url")]},
        ),
        ("Withdrawal", {"fields": [("withdrawn_on", "withdrawn_source_url")]}),
        ("Reservations and notes", {"fields": ["note"]}),
    ]

    signed = partial_date_column("signed_on", "signed")
    ratified = partial_date_column("ratified_on", "ratified")

    def has_change_permission(self, request, obj=None):
        # A signature on a published declaration is public: changing it is
        # publishing, like changing the declaration itself.
        declaration = obj.declaration if obj is not None else None
        return super().has_change_permission(request, obj) and user_may_change(
            request.user, declaration
        )

    def has_delete_permission(self, request, obj=None):
        declaration = obj.declaration if obj is not None else None
        return super().has_delete_permission(request, obj) and user_may_change(
            request.user, declaration
        )

    # A signature saved or deleted here changes its declaration behind any
    # open declaration form: see mark_declarations_changed.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        mark_declarations_changed({obj.declaration_id, form.initial.get("declaration")})

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        mark_declarations_changed({obj.declaration_id})

    def delete_queryset(self, request, queryset):
        declaration_ids = set(queryset.values_list("declaration_id", flat=True))
        super().delete_queryset(request, queryset)
        mark_declarations_changed(declaration_ids)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        user = request.user

        class SignatureForm(form):
            def clean_declaration(self):
                declaration = self.cleaned_data["declaration"]
                if not user_may_change(user, declaration):
                    raise forms.ValidationError(
                        "This declaration is published: only editors can add "
                        "or move signatures on it. Ask an editor, or pick a "
                        "draft declaration.",
                        code="cannot_publish",
                    )
                return declaration

        return SignatureForm


class SummitOfSeriesInline(admin.TabularInline):
    """A series' summits, as links; a summit joins a series on its own page."""

    model = Summit
    fields = ["name_link", "starts_on", "publication"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["starts_on"]
    verbose_name_plural = "summits in this series"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="summit")
    def name_link(self, summit):
        url = reverse("admin:summits_summit_change", args=[summit.pk])
        return format_html('<a href="{}">{}</a>', url, summit)

    @admin.display(description="publication")
    def publication(self, summit):
        return publication_badge(summit)


@admin.register(Series)
class SeriesAdmin(
    HistoryAdminMixin, AuditTrailAdminMixin, PublicOnSaveMixin, EditorAdmin
):
    list_display = ["name", "organiser", "summit_count"]
    search_fields = ["name", "organiser"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "organiser", "description"]
    inlines = [SummitOfSeriesInline]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).annotate(summit_total=models.Count("summits"))
        )

    @admin.display(description="summits", ordering="summit_total")
    def summit_count(self, obj):
        return obj.summit_total


class MembershipInline(admin.TabularInline):
    """A group's members, with the dates they joined and left where known."""

    model = GroupMembership
    fields = ["signatory", "joined_on", "left_on"]
    autocomplete_fields = ["signatory"]
    extra = 3

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("signatory")


@admin.register(Group)
class GroupAdmin(
    HistoryAdminMixin, AuditTrailAdminMixin, PublicOnSaveMixin, EditorAdmin
):
    list_display = ["name", "kind", "member_count"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "kind", "description"]
    inlines = [MembershipInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(member_total=models.Count("memberships"))
        )

    @admin.display(description="members", ordering="member_total")
    def member_count(self, obj):
        return obj.member_total
