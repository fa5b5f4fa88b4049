"""Public pages for summits, declarations, signatories and the compare matrix.

Every page lists `public()` content only; the detail pages of publishable
things also let staff preview a draft (`PublishedOrPreviewMixin`). Each view
fetches what its template needs up front, so the number of queries does not
grow with the data (pinned in tests/test_pages_summits.py).
"""

import csv
from dataclasses import dataclass

from django.db.models import Case, F, IntegerField, Prefetch, Q, Value, When
from django.http import HttpResponse
from django.views.generic import DetailView, ListView, TemplateView

from core.views import NavSectionMixin, PublishedOrPreviewMixin
from summits.matrix import KIND_CHOICES, build_matrix, kind_choices
from summits.models import (
    Declaration,
    Signatory,
    Signature,
    Summit,
    signature_counts,
)
from summits.scorecard import SORTS, STATUS_FILTERS, build_scorecard, signatory_record

SIGNED = Signature.Status.SIGNED
DECLINED = Signature.Status.DECLINED
WITHDRAWN = Signature.Status.WITHDRAWN


def with_signature_counts(declarations):
    """Annotate declarations with their signed and declined counts, in one query.

    Django leaves Meta.ordering out of aggregated queries, so the newest-first
    order is restated here.
    """
    return declarations.annotate(**signature_counts()).order_by(
        *Declaration._meta.ordering
    )


def published_articles(related_manager):
    # The reverse relation from articles.Article: summits never imports articles.
    return related_manager.public().only(
        "title", "slug", "kind", "lede", "published_at", "outlet"
    )


class SummitListView(NavSectionMixin, ListView):
    nav_section = "summits"
    template_name = "summits/summit_list.html"
    context_object_name = "summits"

    # Built per request, never as a class attribute: public() reads the
    # clock when called, and a class-level queryset would freeze it at import.
    def get_queryset(self):
        return Summit.objects.public().prefetch_related(
            Prefetch(
                "declarations",
                queryset=Declaration.objects.public().only("title", "slug", "summit"),
                to_attr="published_declarations",
            )
        )


class SummitDetailView(NavSectionMixin, PublishedOrPreviewMixin, DetailView):
    nav_section = "summits"
    model = Summit
    context_object_name = "summit"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        summit = self.object
        context["declarations"] = with_signature_counts(summit.declarations.public())
        context["articles"] = published_articles(summit.articles)
        return context


def signatures_by_status(declaration):
    """{status: [signatures by signatory name]}, signed first, in one query."""
    groups = {status: [] for status in Signature.Status.values}
    for signature in declaration.signatures.select_related("signatory").order_by(
        "signatory__name"
    ):
        groups[signature.status].append(signature)
    return groups


@dataclass
class TreatyChart:
    """A treaty's chart of signatures and ratifications, as the Council of
    Europe publishes one: each party's stages, and how many reached each."""

    rows: list
    signatures: int
    ratifications: int
    in_force: int
    withdrawals: int
    in_force_since: object  # the earliest entry into force, a PartialDate

    @classmethod
    def of(cls, positions):
        # A party that signed and later withdrew still signed; "attended" and
        # "unknown" positions are listed but count for no stage.
        signed = [
            p for p in positions
            if p.status == SIGNED or (p.status == WITHDRAWN and p.signed_on)
        ]  # fmt: skip
        entries = [p.in_force for p in positions if p.in_force_on]
        return cls(
            rows=positions,
            signatures=len(signed),
            ratifications=sum(1 for p in positions if p.ratified_on),
            in_force=len(entries),
            withdrawals=sum(1 for p in positions if p.status == WITHDRAWN),
            in_force_since=min(entries) if entries else None,
        )


class DeclarationListView(NavSectionMixin, ListView):
    """AI texts by date; precedents from other fields in their own section."""

    nav_section = "declarations"
    context_object_name = "declarations"

    def get_queryset(self):
        return with_signature_counts(
            Declaration.objects.public().select_related("summit")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        declarations = list(context["declarations"])
        context["declarations"] = [
            d for d in declarations if d.topic != Declaration.Topic.PRECEDENT
        ]
        context["precedents"] = [
            d for d in declarations if d.topic == Declaration.Topic.PRECEDENT
        ]
        return context


class DeclarationDetailView(NavSectionMixin, PublishedOrPreviewMixin, DetailView):
    nav_section = "declarations"
    model = Declaration
    context_object_name = "declaration"

    def get_queryset(self):
        return super().get_queryset().select_related("summit")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        declaration = self.object
        groups = signatures_by_status(declaration)
        signatures = [s for group in groups.values() for s in group]
        signed = len(groups[SIGNED])
        reported = declaration.reported_signatory_count
        context.update(
            signature_groups=[
                (Signature.Status(status), rows) for status, rows in groups.items()
            ],
            recorded_count=len(signatures),
            signed_count=signed,
            declined_count=len(groups[DECLINED]),
            # "12 of 27 recorded": we know only part of a reported list.
            reported_count=reported if reported and reported > signed else None,
            has_ratifications=any(s.ratified_on for s in signatures),
            treaty_chart=(
                TreatyChart.of(sorted(signatures, key=lambda s: s.signatory.name))
                if declaration.is_treaty
                else None
            ),
            # A declaration may be public before its summit page is.
            summit=(
                declaration.summit
                if declaration.summit and declaration.summit.is_public()
                else None
            ),
            articles=published_articles(declaration.articles),
            scorecard=build_scorecard(declaration, groups[SIGNED], self.request.GET),
            status_filters=STATUS_FILTERS,
            scorecard_sorts=SORTS,
        )
        return context


# Spreadsheet programs run a cell that starts with one of these as a formula
# (CSV injection, OWASP). Names and notes come from editors who paste from the
# web, so such cells get a leading apostrophe: shown as text, never evaluated.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value):
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


CSV_HEADER = [
    "signatory",
    "kind",
    "country",
    "status",
    "date",
    "ratified_on",
    "source_url",
    "note",
    # Added with positions' stages: after the first eight, so scripts that
    # read columns by position keep working.
    "signed_on",
    "ratification_act",
    "in_force_on",
    "withdrawn_on",
]


def iso(partial):
    """'2024', '2024-12' or '2024-12-05': a date at its precision, or ''."""
    return partial.isoformat() if partial else ""


def signature_csv_row(signature):
    signatory = signature.signatory
    return [
        csv_safe(cell)
        for cell in (
            signatory.name,
            signatory.get_kind_display(),
            signatory.country.name if signatory.country else "",
            signature.get_status_display(),
            iso(signature.status_date),
            iso(signature.ratified),
            signature.source_url,
            signature.note,
            iso(signature.signed),
            signature.get_ratification_act_display(),
            iso(signature.in_force),
            iso(signature.withdrawn),
        )
    ]


class DeclarationCSVView(PublishedOrPreviewMixin, DetailView):
    """The declaration's signatories as CSV: one row per recorded position."""

    model = Declaration

    def render_to_response(self, context, **response_kwargs):
        declaration = self.object
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="{declaration.slug}-signatories.csv"'
        )
        writer = csv.writer(response)
        writer.writerow(CSV_HEADER)
        # The same rows, in the same order, as the tables on the page.
        for group in signatures_by_status(declaration).values():
            writer.writerows(signature_csv_row(s) for s in group)
        return response


class DeclarationCompareView(NavSectionMixin, TemplateView):
    nav_section = "compare"
    template_name = "summits/declaration_compare.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET
        context["matrix"] = build_matrix(params)
        context["kind_choices"] = kind_choices()
        if params.get("view") == "commitments":
            context["commitment_view"] = commitment_view(params)
        return context


def commitment_view(params):
    """The matrix's commitments view: one declaration's scorecard, compact.

    For the first chosen public declaration that has commitments; None (the
    page says so) when there is none, so a stale link never errors.
    """
    slugs = params.getlist("d")
    declarations = (
        Declaration.objects.public()
        .filter(slug__in=slugs, commitments__isnull=False)
        .distinct()
        .only("title", "slug")
    )
    declaration = min(declarations, key=lambda d: slugs.index(d.slug), default=None)
    if declaration is None:
        return None
    signed = (
        declaration.signatures.filter(status=SIGNED)
        .select_related("signatory")
        .only("signatory__name", "signatory__slug", "signatory__kind", "declaration")
        .order_by("signatory__name")
    )
    kind = params.get("kind")
    if kind in Signatory.Kind.values:
        signed = signed.filter(signatory__kind=kind)
    return build_scorecard(declaration, list(signed), params)


# Countries first, as visitors look for them most; then organisations, companies.
KIND_ORDER = Case(
    *(When(kind=kind, then=Value(i)) for i, kind in enumerate(Signatory.Kind.values)),
    output_field=IntegerField(),
)


class SignatoryListView(NavSectionMixin, ListView):
    nav_section = "signatories"
    context_object_name = "signatories"

    def get_queryset(self):
        # Only positions on published declarations count: a draft's signatures
        # must not leak through a number.
        published = Q(signatures__declaration__in=Declaration.objects.public())
        return (
            Signatory.objects.public()
            .annotate(kind_order=KIND_ORDER, **signature_counts(only=published))
            .order_by("kind_order", "name")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        groups = {}
        for signatory in context["signatories"]:
            groups.setdefault(signatory.kind, []).append(signatory)
        context["kind_groups"] = [
            (kind, KIND_CHOICES[kind], members) for kind, members in groups.items()
        ]
        return context


class SignatoryDetailView(NavSectionMixin, DetailView):
    """A signatory's record: its positions on published declarations only."""

    nav_section = "signatories"
    context_object_name = "signatory"

    def get_queryset(self):
        return Signatory.objects.public()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        signatory = self.object
        published = Declaration.objects.public()
        signatures = list(
            signatory.signatures.filter(declaration__in=published)
            .select_related("declaration")
            .order_by(
                F("declaration__adopted_on").desc(nulls_last=True),
                "declaration__title",
            )
        )
        context["signatures"] = signatures
        context["commitment_record"] = signatory_record(signatory, signatures)
        context["has_ratifications"] = any(s.ratified_on for s in signatures)
        context["summits_attended"] = (
            Summit.objects.public()
            .filter(
                declarations__in=published,
                declarations__signatures__signatory=signatory,
                declarations__signatures__status=SIGNED,
            )
            # DISTINCT over a few columns, not the summit's whole body text.
            .only("name", "slug", "starts_on")
            .distinct()
            .order_by("starts_on")
        )
        return context
