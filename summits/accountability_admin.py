"""The editors' admin for commitments and assessments, and the assessment grid.

Commitments are defined in an inline on the declaration's page
(`CommitmentInline`, listed in `DeclarationAdmin.inlines`); each has an
"Assess signatories" grid. Assessments are Publishable: contributors draft
them, editors publish them (core.admin.PublishableAdmin).
"""

import reversion
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from core.admin import (
    ConcurrentEditForm,
    EditorAdmin,
    PublicationStateFilter,
    PublishableAdmin,
    user_can_publish,
)
from core.partial_dates import PartialDateFormMixin
from editorial.admin import (
    AuditTrailAdminMixin,
    EditConflictAdminMixin,
    HistoryAdminMixin,
)
from summits.assessment_forms import AssessmentGridForm, AssessmentRowForm, save_grid
from summits.models import (
    NEEDS_EVIDENCE,
    Assessment,
    AssessmentEvidence,
    Commitment,
    Signature,
)


class CommitmentForm(PartialDateFormMixin, forms.ModelForm):
    partial_date_fields = ("deadline",)


class CommitmentFormSet(forms.BaseInlineFormSet):
    """A declaration form sent without the commitments' rows leaves them be.

    The inline came after the declaration form's other parts: a form posted
    by an older page or a script without its management form would otherwise
    be refused whole ("ManagementForm data is missing").
    """

    def __init__(self, data=None, *args, **kwargs):
        prefix = kwargs.get("prefix") or self.get_default_prefix()
        if data is not None and f"{prefix}-TOTAL_FORMS" not in data:
            data = data.copy()
            data[f"{prefix}-TOTAL_FORMS"] = "0"
            data[f"{prefix}-INITIAL_FORMS"] = "0"
        super().__init__(data, *args, **kwargs)


class CommitmentInline(admin.StackedInline):
    """A declaration's commitments, in order; assess each from its own page."""

    model = Commitment
    form = CommitmentForm
    formset = CommitmentFormSet
    fields = [
        ("sequence", "title", "slug"),
        ("applies_to", "deadline"),
        "text",
        "assess_link",
    ]
    readonly_fields = ["assess_link"]
    extra = 0
    show_change_link = True
    classes = ["collapse"]

    @admin.display(description="assessments")
    def assess_link(self, obj):
        if obj.pk is None:
            return "Save the declaration first."
        url = reverse("admin:summits_commitment_assess", args=[obj.pk])
        return format_html('<a href="{}">Assess signatories</a>', url)


class EvidenceInline(admin.TabularInline):
    model = AssessmentEvidence
    fields = ["source_url", "source_name", "sequence"]
    extra = 1


class EvidenceFormSet(forms.BaseInlineFormSet):
    """A verdict (met, partly met, not met) needs at least one source."""

    def clean(self):
        super().clean()
        result = getattr(self.instance, "result", None)
        kept = [
            form
            for form in self.forms
            if form.cleaned_data.get("source_url")
            and not form.cleaned_data.get("DELETE")
        ]
        if result in NEEDS_EVIDENCE and not kept:
            raise forms.ValidationError(
                "A finding of met, partly met or not met needs at least one "
                "evidence link: the public source it rests on."
            )


EvidenceInline.formset = EvidenceFormSet


class CommitmentAdminForm(PartialDateFormMixin, ConcurrentEditForm):
    partial_date_fields = ("deadline",)


class AssessmentForm(PartialDateFormMixin, ConcurrentEditForm):
    partial_date_fields = ("assessed_on",)


@admin.register(Assessment)
class AssessmentAdmin(
    HistoryAdminMixin,
    EditConflictAdminMixin,
    AuditTrailAdminMixin,
    PublishableAdmin,
):
    """One assessment with its evidence; most are made in the grid."""

    form = AssessmentForm
    list_display = ["signatory", "commitment", "result", "assessed", "publication"]
    list_filter = [PublicationStateFilter, "result", "commitment__declaration"]
    list_select_related = ["signatory", "commitment"]
    search_fields = ["signatory__name", "commitment__title", "note"]
    autocomplete_fields = ["signatory"]
    fieldsets = [
        (None, {"fields": ["commitment", "signatory", "result", "assessed_on"]}),
        ("Reasoning", {"fields": ["note", "assessed_by"]}),
        ("Publishing", {"fields": ["status", "published_at"]}),
    ]
    inlines = [EvidenceInline]

    @admin.display(description="assessed", ordering="assessed_on")
    def assessed(self, obj):
        return str(obj.assessed)

    def save_model(self, request, obj, form, change):
        if obj.assessed_by_user_id is None:
            obj.assessed_by_user = request.user
        super().save_model(request, obj, form, change)


@admin.register(Commitment)
class CommitmentAdmin(HistoryAdminMixin, AuditTrailAdminMixin, EditorAdmin):
    """Commitments across declarations, each with its assessment grid."""

    form = CommitmentAdminForm
    list_display = ["title", "declaration", "applies_to", "due", "assess_link"]
    list_filter = ["applies_to", "declaration"]
    list_select_related = ["declaration"]
    search_fields = ["title", "declaration__title"]
    autocomplete_fields = ["declaration"]
    fields = [
        "declaration",
        "sequence",
        "title",
        "slug",
        "applies_to",
        "deadline",
        "text",
        "assess_link",
    ]
    readonly_fields = ["assess_link"]

    @admin.display(description="due", ordering="deadline")
    def due(self, obj):
        return str(obj.due) if obj.due else "—"

    assess_link = CommitmentInline.assess_link

    def get_urls(self):
        return [
            path(
                "<path:object_id>/assess/",
                self.admin_site.admin_view(self.assess_view),
                name="summits_commitment_assess",
            ),
            *super().get_urls(),
        ]

    def assess_view(self, request, object_id):
        """The grid: every bound signatory that signed, one row each."""
        commitment = self.get_object(request, unquote(object_id))
        if commitment is None:
            raise Http404("No commitment with that id.")
        assessment_admin = self.admin_site._registry[Assessment]
        if not (
            assessment_admin.has_add_permission(request)
            and request.user.has_perm("summits.change_assessment")
        ):
            raise PermissionDenied
        may_publish = user_can_publish(request.user)
        signatories = [
            position.signatory
            for position in Signature.objects.filter(
                declaration=commitment.declaration, status=Signature.Status.SIGNED
            )
            .select_related("signatory")
            .order_by("signatory__name")
            if commitment.binds(position.signatory)
        ]
        existing = {
            a.signatory_id: a
            for a in commitment.assessments.prefetch_related("evidence")
        }
        data = request.POST if request.method == "POST" else None
        rows = [
            AssessmentRowForm(
                data,
                prefix=f"row-{signatory.pk}",
                signatory=signatory,
                assessment=existing.get(signatory.pk),
                initial={"signatory": signatory.pk},
            )
            for signatory in signatories
        ]
        grid = AssessmentGridForm(data, prefix="grid")
        if not may_publish:
            del grid.fields["publish"]
        if data is not None and grid.is_valid() and all(r.is_valid() for r in rows):
            saved, errors = self._save_grid(request, commitment, rows, grid)
            if not errors:
                self.message_user(
                    request,
                    f"{len(saved)} assessment{'s' if len(saved) != 1 else ''} saved"
                    + ("" if may_publish else " as drafts for an editor to publish")
                    + ".",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(request.path)
            for index, problems in errors.items():
                for problem in problems:
                    rows[index].add_error(None, problem)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Assess: {commitment}",
            "subtitle": None,
            "opts": self.opts,
            "original": commitment,
            "commitment": commitment,
            "declaration": commitment.declaration,
            "rows": rows,
            "grid": grid,
            "may_publish": may_publish,
            "media": self.media,
        }
        return TemplateResponse(
            request, "admin/summits/commitment/assess.html", context
        )

    def _save_grid(self, request, commitment, rows, grid):
        """All rows or none: any refused row rolls the whole grid back."""
        errors = {}
        try:
            with transaction.atomic(), reversion.create_revision():
                reversion.set_user(request.user)
                reversion.set_comment(f"Assessed with the grid: {commitment}")
                saved, errors = save_grid(
                    commitment, rows, grid, request.user, user_can_publish(request.user)
                )
                if errors:
                    raise _Refused
        except _Refused:
            return [], errors
        if saved:
            self.log_change(
                request,
                commitment,
                "Assessed: "
                + ", ".join(f"{a.signatory.name} ({a.result})" for a in saved),
            )
        return saved, errors


class _Refused(Exception):
    """Raised inside the grid's transaction to roll it back."""
