"""Public pages for summits, declarations, signatories and the compare matrix.

Every page lists `public()` content only; the detail pages of publishable
things also let staff preview a draft (`PublishedOrPreviewMixin`). Each view
fetches what its template needs up front, so the number of queries does not
grow with the data (pinned in tests/test_pages_summits.py).
"""

import csv
from dataclasses import dataclass

from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, Value, When
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import slugify
from django.views.generic import DetailView, ListView, TemplateView

from core import seo
from core.fragments import FragmentTemplateResponse, recorded_property
from core.sorting import Sorting, by_name, choice
from core.views import (
    CachedObjectMixin,
    NavSectionMixin,
    PublishedOrPreviewMixin,
    frameable,
)
from summits.matrix import (
    KIND_CHOICES,
    build_matrix,
    find_group,
    kind_choices,
    parse_kind,
)
from summits.models import (
    Declaration,
    Group,
    GroupMembership,
    Series,
    Signatory,
    Signature,
    Summit,
    signature_counts,
)
from summits.scorecard import (
    SORTS,
    STATUS_FILTERS,
    build_scorecard,
    scorecard_choice,
    signatory_record,
)

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

    def get_queryset(self):
        return super().get_queryset().select_related("series")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        summit = self.object
        context["declarations"] = with_signature_counts(summit.declarations.public())
        context["articles"] = published_articles(summit.articles)
        context["previous_summit"], context["next_summit"] = summit.series_neighbours()
        return context


class PositionRows(list):
    """One status's rows of a declaration's table, with what they share.

    `shared_date` and `shared_source` are set when every row (two or more)
    has the same date and the same source: on a phone, the table says them
    once ("All signed on 1 November 2023 · Source") instead of on each line.
    """

    shared_date = None
    shared_source = ""

    @classmethod
    def of(cls, rows):
        grouped = cls(rows)
        if len(rows) > 1:
            dates = {row.status_date for row in rows}
            sources = {row.source_url for row in rows}
            if len(dates) == 1 and len(sources) == 1:
                grouped.shared_date = dates.pop()
                grouped.shared_source = sources.pop()
        return grouped


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


DECLARATION_SORT_KEYS = {
    "title": by_name(lambda declaration: declaration.title),
    "date": lambda declaration: declaration.adopted,
    "signed": lambda declaration: declaration.signed_count,
    "declined": lambda declaration: declaration.declined_count,
}


class DeclarationListView(NavSectionMixin, ListView):
    """AI texts by date; precedents from other fields in their own section.

    `?sort=title|date|signed|declined` (with "-" for descending) orders both.
    """

    nav_section = "declarations"
    context_object_name = "declarations"

    def get_queryset(self):
        return with_signature_counts(
            Declaration.objects.public().select_related("summit")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sorting = Sorting(self.request.GET, DECLARATION_SORT_KEYS, "-date")
        context["sorting"] = sorting
        context["table_params"] = tidy_params(sorting)
        declarations = sorting.apply(context["declarations"])
        context["declarations"] = [
            d for d in declarations if d.topic != Declaration.Topic.PRECEDENT
        ]
        context["precedents"] = [
            d for d in declarations if d.topic == Declaration.Topic.PRECEDENT
        ]
        return context


def tidy_params(sorting, **filters):
    """A page's parameters as its view understood them, for the links that
    keep them (sorting, filters): the chosen order and the filters that are
    set, never what else a visitor typed into the address."""
    params = QueryDict(mutable=True)
    params.update({name: value for name, value in filters.items() if value})
    if not sorting.is_default:
        params["sort"] = sorting.value
    return params


# How the tables of a declaration's positions sort (?sort=) and filter
# (?status=).
POSITION_SORT_KEYS = {
    "name": by_name(lambda position: position.signatory.name),
    "date": lambda position: position.status_date,
}


class DeclarationRecord:
    """A declaration's positions and what its page says of them, worked out
    on first use: inside the page's cached fragments, on a miss only
    (core.fragments). The parameters are read at once, without a query.
    """

    def __init__(self, declaration, params):
        self.declaration = declaration
        self.params = params
        self.sorting = Sorting(params, POSITION_SORT_KEYS, "name")
        self.status_filter = choice(params, "status", Signature.Status.values)
        self.table_params = tidy_params(self.sorting, status=self.status_filter)
        self.scorecard_choice = scorecard_choice(params)

    @recorded_property
    def groups(self):
        """{status: [positions by signatory name]}, signed first."""
        groups = signatures_by_status(self.declaration)
        # The count every wording reads (`signed_count` tag), without a query.
        self.declaration.signed_count = len(groups[SIGNED])
        return groups

    @property
    def declaration_counted(self):
        """The declaration with its signed count, for its link preview's
        wording: read from the positions the tables show, not counted again."""
        self.groups  # noqa: B018 (sets the count)
        return self.declaration

    @property
    def signatures(self):
        """Every position, for the map and the counts."""
        return [s for group in self.groups.values() for s in group]

    @property
    def recorded_count(self):
        return len(self.signatures)

    @property
    def signed_count(self):
        return len(self.groups[SIGNED])

    @property
    def declined_count(self):
        return len(self.groups[DECLINED])

    @property
    def unsourced_count(self):
        return sum(1 for s in self.signatures if not s.has_source)

    @property
    def reported_count(self):
        """ "12 of 27 recorded": we know only part of a reported list."""
        reported = self.declaration.reported_signatory_count
        return reported if reported and reported > self.signed_count else None

    @property
    def has_ratifications(self):
        return any(s.ratified_on for s in self.signatures)

    @property
    def status_counts(self):
        return [
            (Signature.Status(status), len(rows))
            for status, rows in self.groups.items()
            if rows
        ]

    def shown(self):
        return [
            (status, rows)
            for status, rows in self.groups.items()
            if not self.status_filter or status == self.status_filter
        ]

    @property
    def signature_groups(self):
        return [
            (Signature.Status(status), PositionRows.of(self.sorting.apply(rows)))
            for status, rows in self.shown()
        ]

    @property
    def shown_count(self):
        return sum(len(rows) for _, rows in self.shown())

    @property
    def treaty_chart(self):
        if not self.declaration.is_treaty:
            return None
        return TreatyChart.of(sorted(self.signatures, key=lambda s: s.signatory.name))

    @property
    def summit(self):
        # A declaration may be public before its summit page is.
        summit = self.declaration.summit
        return summit if summit and summit.is_public() else None

    @recorded_property
    def articles(self):
        return list(published_articles(self.declaration.articles))

    @property
    def embed_snippet(self):
        return embed_snippet(self.declaration)

    @recorded_property
    def scorecard(self):
        return build_scorecard(self.declaration, self.groups[SIGNED], self.params)


class DeclarationDetailView(
    NavSectionMixin, CachedObjectMixin, PublishedOrPreviewMixin, DetailView
):
    """A declaration and its positions, one table per status.

    `?sort=name|-name|date|-date` orders the tables, `?status=signed` (or
    any status) shows that table alone; other values are ignored. Everything
    but the declaration itself is read inside the page's cached fragments
    (see DeclarationRecord).
    """

    response_class = FragmentTemplateResponse
    nav_section = "declarations"
    model = Declaration
    context_object_name = "declaration"

    def get_queryset(self):
        return super().get_queryset().select_related("summit").defer("search_vector")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        declaration = self.object
        context.update(
            record=DeclarationRecord(declaration, self.request.GET),
            # "Cite this record" gives the day it was read.
            today=timezone.localdate(),
            status_filters=STATUS_FILTERS,
            scorecard_sorts=SORTS,
        )
        return context


def embed_snippet(declaration):
    """The <iframe> code a partner site pastes to show the declaration's map."""
    return format_html(
        '<iframe src="{}" title="{}: who signed, on a world map" width="100%" '
        'height="560" loading="lazy"></iframe>',
        seo.absolute(reverse("summits:declaration_embed", args=[declaration.slug])),
        declaration.title,
    )


@frameable
def declaration_embed(request, slug):
    """A compact page of the declaration's map and counts, for partner sites'
    iframes: the one page that may be framed. Public declarations only."""
    declaration = get_object_or_404(Declaration.objects.public(), slug=slug)
    positions = [
        s for group in signatures_by_status(declaration).values() for s in group
    ]
    statuses = [p.status for p in positions]
    return render(
        request,
        "summits/declaration_embed.html",
        {
            "declaration": declaration,
            "positions": positions,
            "counts": declaration.count_summary(
                statuses.count(SIGNED), statuses.count(DECLINED)
            ),
        },
    )


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
        # A partial list says so where a spreadsheet user sees it without
        # breaking the columns scripts read: in the file's name, in the
        # site's one wording ("…-4-of-about-60-recorded.csv").
        partial = (
            f"-{slugify(declaration.signed_figure)}"
            if declaration.list_is_partial
            else ""
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{declaration.slug}-signatories{partial}.csv"'
        )
        # A byte-order mark: Excel reads a CSV without one in a legacy code
        # page, and "Türkiye" would show garbled.
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow(CSV_HEADER)
        # The same rows, in the same order, as the tables on the page.
        for group in signatures_by_status(declaration).values():
            writer.writerows(signature_csv_row(s) for s in group)
        return response


def public_groups():
    """The groups a list or the matrix can be narrowed to, for its form."""
    return list(Group.objects.public().only("name", "slug"))


# The matrix's rows sort by name (?sort=name or -name) or by how many of the
# columns the signatory signed (?sort=-signed: most first).
MATRIX_SORT_KEYS = {
    "name": by_name(lambda row: row.signatory.name),
    "signed": lambda row: sum(1 for status in row.cells if status == SIGNED),
}


class ComparePage:
    """What the compare matrix shows for a query string, worked out on first
    use: inside the page's cached fragment, on a miss only (core.fragments).
    """

    def __init__(self, params):
        self.params = params
        self.sorting = Sorting(params, MATRIX_SORT_KEYS, "name")
        self.commitments_asked = params.get("view") == "commitments"

    @property
    def vary(self):
        """The parameters as the matrix reads them (the declarations' order
        matters to the commitments view only, but is kept: harmless)."""
        return (
            parse_kind(self.params.get("kind", "")),
            self.params.get("group", ""),
            self.params.getlist("d"),
            self.sorting.value,
            self.commitments_asked,
            # The commitments view reads the kind its own way, and has its
            # scorecard's filters, sort and page.
            (commitment_kind(self.params), scorecard_choice(self.params))
            if self.commitments_asked
            else None,
        )

    @recorded_property
    def groups(self):
        return public_groups()

    @recorded_property
    def matrix(self):
        matrix = build_matrix(self.params, self.groups)
        matrix.rows = self.sorting.apply(matrix.rows)
        return matrix

    @property
    def table_params(self):
        return matrix_params(self.matrix, self.sorting)

    @recorded_property
    def commitment_view(self):
        return commitment_view(self.params) if self.commitments_asked else None


class DeclarationCompareView(NavSectionMixin, TemplateView):
    response_class = FragmentTemplateResponse
    nav_section = "compare"
    template_name = "summits/declaration_compare.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page"] = ComparePage(self.request.GET)
        context["kind_choices"] = kind_choices()
        return context

    def render_to_response(self, context, **response_kwargs):
        # ?format=csv: the same matrix, same filters, as a spreadsheet.
        if self.request.GET.get("format") == "csv":
            return matrix_csv(context["page"].matrix)
        return super().render_to_response(context, **response_kwargs)


def matrix_params(matrix, sorting):
    """The matrix's filters as understood, for links that keep them (sort,
    CSV): never the raw query string, which may name a draft's slug."""
    group = matrix.group.slug if matrix.group is not None else ""
    params = tidy_params(sorting, kind=matrix.kind, group=group)
    if not matrix.defaulted:
        params.setlist("d", [c.declaration.slug for c in matrix.columns])
    return params


def matrix_csv(matrix):
    """The matrix as CSV: one row per signatory, one column per declaration.

    UTF-8 with a byte-order mark, so Excel reads accented names correctly.
    """
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="compare.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        ["signatory", "iso_alpha2", "iso_alpha3"]
        + [csv_safe(column.declaration.title) for column in matrix.columns]
    )
    labels = dict(Signature.Status.choices)
    for row in matrix.rows:
        signatory = row.signatory
        writer.writerow(
            [csv_safe(signatory.name), signatory.alpha2, signatory.alpha3]
            + [labels.get(status, "Not recorded") for status in row.cells]
        )
    return response


def commitment_kind(params):
    """The kind of signatory the commitments view keeps: a kind, or "all"
    (also for a missing or unknown one: every signatory that signed)."""
    kind = params.get("kind")
    return kind if kind in Signatory.Kind.values else "all"


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
    kind = commitment_kind(params)
    if kind != "all":
        signed = signed.filter(signatory__kind=kind)
    # The table's page links keep the matrix's view, kind and declarations.
    base_params = [("view", "commitments"), ("kind", kind)]
    base_params += [("d", slug) for slug in slugs]
    return build_scorecard(declaration, list(signed), params, base_params=base_params)


# Countries first, as visitors look for them most; then organisations, companies.
KIND_ORDER = Case(
    *(When(kind=kind, then=Value(i)) for i, kind in enumerate(Signatory.Kind.values)),
    output_field=IntegerField(),
)


SIGNATORY_SORT_KEYS = {
    "name": by_name(lambda signatory: signatory.name),
    "signed": lambda signatory: signatory.signed_count,
    "declined": lambda signatory: signatory.declined_count,
}


class SignatoryListView(NavSectionMixin, ListView):
    """Every public signatory by kind; `?group=<slug>` keeps a group's members,
    `?kind=country` (or any kind) one kind, and `?sort=name|signed|declined`
    (with "-" for descending) orders each kind's table."""

    nav_section = "signatories"
    context_object_name = "signatories"

    def get_queryset(self):
        self.groups = public_groups()
        self.group, self.group_problem = find_group(self.request.GET, self.groups)
        # Only positions on published declarations count: a draft's signatures
        # must not leak through a number.
        published = Q(signatures__declaration__in=Declaration.objects.public())
        signatories = Signatory.objects.public()
        if self.group is not None:
            members = GroupMembership.objects.filter(group=self.group)
            signatories = signatories.filter(pk__in=members.values("signatory_id"))
        return signatories.annotate(
            kind_order=KIND_ORDER, **signature_counts(only=published)
        ).order_by("kind_order", "name")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sorting = Sorting(self.request.GET, SIGNATORY_SORT_KEYS, "name")
        kind = choice(self.request.GET, "kind", Signatory.Kind.values)
        context.update(
            groups=self.groups,
            group=self.group,
            group_problem=self.group_problem,
            sorting=sorting,
            kind=kind,
            table_params=tidy_params(
                sorting, kind=kind, group=self.group.slug if self.group else ""
            ),
        )
        groups = {}
        for signatory in sorting.apply(context["signatories"]):
            groups.setdefault(signatory.kind, []).append(signatory)
        # Countries first, as in KIND_ORDER.
        ordered = sorted(
            groups.items(), key=lambda item: Signatory.Kind.values.index(item[0])
        )
        context["all_kinds"] = [
            (key, KIND_CHOICES[key], len(members)) for key, members in ordered
        ]
        context["kind_groups"] = [
            (key, KIND_CHOICES[key], members)
            for key, members in ordered
            if not kind or key == kind
        ]
        return context


def articles_about(declaration_ids):
    """Public articles related to any of the declarations, newest first.

    Reached through the declarations' reverse relation, whose model is
    articles.Article: summits never imports articles.
    """
    article_model = Declaration._meta.get_field("articles").related_model
    return (
        published_articles(article_model.objects)
        .filter(declarations__in=declaration_ids)
        .distinct()[:10]
    )


class SignatoryRecord:
    """A signatory's record, worked out on first use: inside the page's
    cached fragment, on a miss only (core.fragments)."""

    def __init__(self, signatory):
        self.signatory = signatory

    @recorded_property
    def signatures(self):
        return list(
            self.signatory.signatures.filter(
                declaration__in=Declaration.objects.public()
            )
            .select_related("declaration")
            .order_by(
                F("declaration__adopted_on").desc(nulls_last=True),
                "declaration__title",
            )
        )

    @recorded_property
    def commitment_record(self):
        return signatory_record(self.signatory, self.signatures)

    @property
    def has_ratifications(self):
        return any(s.ratified_on for s in self.signatures)

    @recorded_property
    def not_recorded(self):
        """The texts of the same topics (AI, precedents) it took no position
        on: "no position recorded" is part of its record too."""
        topics = {s.declaration.topic for s in self.signatures}
        recorded = {s.declaration_id for s in self.signatures}
        return [
            declaration
            for declaration in Declaration.objects.public()
            .filter(topic__in=topics)
            .only("title", "slug", "adopted_on", "adopted_on_precision", "topic")
            if declaration.pk not in recorded
        ]

    @recorded_property
    def articles(self):
        return list(articles_about({s.declaration_id for s in self.signatures}))

    @recorded_property
    def memberships(self):
        # A public signatory makes each of its groups public (Group.public()).
        return list(
            self.signatory.memberships.select_related("group").order_by("group__name")
        )

    @recorded_property
    def summits_attended(self):
        return list(
            Summit.objects.public()
            .filter(
                declarations__in=Declaration.objects.public(),
                declarations__signatures__signatory=self.signatory,
                declarations__signatures__status=SIGNED,
            )
            # DISTINCT over a few columns, not the summit's whole body text.
            .only("name", "slug", "starts_on")
            .distinct()
            .order_by("starts_on")
        )


class SignatoryDetailView(NavSectionMixin, CachedObjectMixin, DetailView):
    """A signatory's record: its positions on published declarations only,
    the published texts of the same topics it has no position on, its groups
    and the public articles about the texts it took a position on."""

    response_class = FragmentTemplateResponse
    nav_section = "signatories"
    context_object_name = "signatory"

    def get_queryset(self):
        return Signatory.objects.public().defer("search_vector")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["record"] = SignatoryRecord(self.object)
        # "Cite this record" gives the day it was read.
        context["today"] = timezone.localdate()
        return context


def latest_map(declarations, members=None):
    """The latest of `declarations` (already loaded) and its positions, for
    the world map of a series or group page: one query, none if empty.

    `members` (signatory ids) narrows the positions to a group's members:
    a group page maps how its members stood, no one else."""
    dated = [d for d in declarations if d.adopted_on]
    latest = max(dated, key=lambda d: (d.adopted_on, d.pk)) if dated else None
    if latest is None and declarations:
        latest = declarations[0]
    if latest is None:
        return {"latest_declaration": None, "latest_positions": []}
    positions = latest.signatures.select_related("signatory")
    if members is not None:
        positions = positions.filter(signatory_id__in=members)
    return {"latest_declaration": latest, "latest_positions": list(positions)}


class SeriesListView(ListView):
    """Series with at least one published summit, each with those summits."""

    template_name = "summits/series_list.html"
    context_object_name = "series_list"

    def get_queryset(self):
        return Series.objects.public().prefetch_related(
            Prefetch(
                "summits",
                queryset=Summit.objects.published()
                .only(
                    "name",
                    "slug",
                    "starts_on",
                    "starts_on_precision",
                    "ends_on",
                    "ends_on_precision",
                    "series",
                )
                .order_by("starts_on", "pk"),
                to_attr="published_summits",
            )
        )


class SeriesDetailView(DetailView):
    """A series: its published summits in order, each with its declarations
    and their signed and declined counts. Four queries, whatever the size
    (the fourth: the positions on the latest declaration, for its map)."""

    template_name = "summits/series_detail.html"
    context_object_name = "series"

    def get_queryset(self):
        return Series.objects.public()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["summits"] = (
            self.object.summits.published()
            .order_by("starts_on", "pk")
            .prefetch_related(
                Prefetch(
                    "declarations",
                    queryset=with_signature_counts(
                        Declaration.objects.published()
                    ).only(
                        "title",
                        "slug",
                        "kind",
                        "binding",
                        "adopted_on",
                        "adopted_on_precision",
                        "summit",
                        "reported_signatory_count",
                    ),
                    to_attr="published_declarations",
                )
            )
        )
        declarations = [
            d for summit in context["summits"] for d in summit.published_declarations
        ]
        context.update(latest_map(declarations))
        return context


class GroupListView(ListView):
    """Groups with at least one public member, with how many there are."""

    template_name = "summits/group_list.html"
    context_object_name = "groups"

    def get_queryset(self):
        public_members = Q(memberships__signatory__in=Signatory.objects.public())
        return Group.objects.public().annotate(
            member_count=Count("memberships", filter=public_members)
        )


@dataclass
class GroupTally:
    """How a group's members stood on one declaration."""

    declaration: Declaration
    members: int = 0  # members when it was adopted (all, if the date is unknown)
    signed: int = 0
    declined: int = 0
    other: int = 0  # withdrawn, or any position other than signed or declined

    @property
    def not_recorded(self):
        return self.members - self.signed - self.declined - self.other


def group_tallies(memberships, declarations):
    """One GroupTally per declaration, counted in Python from two lists.

    A signatory counts for a declaration only if it was a member on the day
    the text was adopted (where both dates are known): the United Kingdom's
    position on a 2023 text does not count for the EU it left in 2020.
    """
    signatory_ids = {m.signatory_id for m in memberships}
    positions = {}
    for signature in Signature.objects.filter(
        declaration__in=declarations, signatory_id__in=signatory_ids
    ).only("declaration_id", "signatory_id", "status"):
        positions[signature.declaration_id, signature.signatory_id] = signature.status
    tallies = []
    for declaration in declarations:
        tally = GroupTally(declaration)
        for membership in memberships:
            if not membership.covers(declaration.adopted_on):
                continue
            tally.members += 1
            status = positions.get((declaration.pk, membership.signatory_id))
            if status == SIGNED:
                tally.signed += 1
            elif status == DECLINED:
                tally.declined += 1
            elif status is not None:
                tally.other += 1
        tallies.append(tally)
    return tallies


class GroupDetailView(DetailView):
    """A group: its public members with their dates, and per published
    declaration how many members signed, declined or were not recorded.
    Five queries, whatever the size (pinned in tests), the fifth for the map
    of the members' positions on the latest declaration."""

    template_name = "summits/group_detail.html"
    context_object_name = "group"

    def get_queryset(self):
        return Group.objects.public()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Members are shown only when public: a signatory recorded only on an
        # embargoed text must not appear here before that text does.
        memberships = list(
            self.object.memberships.filter(signatory__in=Signatory.objects.public())
            .select_related("signatory")
            .order_by("signatory__name")
        )
        declarations = list(
            Declaration.objects.published().only(
                "title", "slug", "adopted_on", "adopted_on_precision", "kind"
            )
        )
        context["memberships"] = memberships
        context["tallies"] = group_tallies(memberships, declarations)
        context.update(
            latest_map(declarations, members=[m.signatory_id for m in memberships])
        )
        return context
