"""Site search across summits, declarations, signatories, articles and pages.

Finding and showing are two steps, so the number of queries never grows with
the data: one `UNION` of (kind, id, rank, title) rows across the models is
paginated by the database (a count and one page), then the page's own objects
are fetched, one query per kind present, with their snippets.

On PostgreSQL the union matches the stored `search_vector` and orders by
`SearchRank`; on SQLite the `icontains` fallback ranks a row by where the
words were found (title, summary or body), then by title.
"""

from dataclasses import dataclass

from django.db.models import F, Value
from django.utils.functional import cached_property

from articles.models import Article
from core import search
from pages.models import Page
from summits.models import Declaration, Group, Series, Signatory, Summit


@dataclass(frozen=True)
class Source:
    """One searchable model: where its public rows are and how to show them."""

    kind: str
    label: str
    model: type
    related: tuple[str, ...] = ()

    @property
    def document(self):
        """What the model says search reads (its `search_document`)."""
        return self.model.search_document

    @property
    def title_field(self):
        """The result's title: the first field of weight A."""
        return self.document.a[0]

    def public(self):
        return self.model._default_manager.public()


SOURCES = (
    Source("summit", "Summit", Summit),
    Source("declaration", "Declaration", Declaration, related=("summit",)),
    Source("signatory", "Signatory", Signatory),
    Source("series", "Series", Series),
    Source("group", "Group", Group),
    Source("article", "Article", Article),
    Source("page", "Page", Page),
)
SOURCES_BY_KIND = {source.kind: source for source in SOURCES}


@dataclass
class Result:
    """One line of the results page."""

    source: Source
    object: object
    snippet: str

    @property
    def kind(self):
        return self.source.kind

    @property
    def label(self):
        if self.source.model is Article:
            return self.object.get_kind_display()
        return self.source.label

    @property
    def title(self):
        return getattr(self.object, self.source.title_field)

    @property
    def summary(self):
        """Plain text to show when there is no highlighted snippet (SQLite)."""
        fields = self.source.document.b[:1]
        return getattr(self.object, fields[0]) if fields else ""


class SiteSearch:
    """A visitor's query over every source. `matches` is what gets paginated."""

    def __init__(self, query):
        self.query = query
        self.full_text = search.uses_full_text()

    @cached_property
    def pg_query(self):
        return search.search_query(self.query)

    def _rows(self, source):
        queryset = source.public()
        if self.full_text:
            queryset = queryset.filter(search_vector=self.pg_query).annotate(
                result_rank=search.rank(self.pg_query)
            )
        else:
            queryset = queryset.filter(source.document.contains(self.query)).annotate(
                result_rank=source.document.fallback_rank(self.query)
            )
        # No ORDER BY inside a UNION part: the union is ordered as a whole.
        return (
            queryset.annotate(
                result_kind=Value(source.kind),
                result_id=F("pk"),
                result_title=F(source.title_field),
            )
            .values_list("result_kind", "result_id", "result_rank", "result_title")
            .order_by()
        )

    @cached_property
    def matches(self):
        """(kind, id, rank, title) rows of every source, best first.

        Lazy: the paginator adds the LIMIT and asks for the count.
        """
        first, *rest = (self._rows(source) for source in SOURCES)
        return first.union(*rest, all=True).order_by(
            "-result_rank", "result_title", "result_kind", "result_id"
        )

    def results(self, rows):
        """The page's rows as `Result`s, in the same order."""
        ids_by_kind = {}
        for kind, pk, _rank, _title in rows:
            ids_by_kind.setdefault(kind, []).append(pk)
        found = {}
        for kind, ids in ids_by_kind.items():
            source = SOURCES_BY_KIND[kind]
            queryset = source.model._default_manager.filter(pk__in=ids)
            if source.related:
                queryset = queryset.select_related(*source.related)
            if self.full_text:
                queryset = queryset.annotate(
                    result_snippet=search.headline(source.document, self.pg_query)
                )
            for obj in queryset:
                found[kind, obj.pk] = (source, obj)
        results = []
        for kind, pk, _rank, _title in rows:
            if (kind, pk) not in found:  # deleted between the two queries
                continue
            source, obj = found[kind, pk]
            snippet = search.highlight(getattr(obj, "result_snippet", ""))
            results.append(Result(source, obj, snippet))
        return results
