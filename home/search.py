"""Site search across every kind of public page (`SOURCES`).

How a result's place is decided, on PostgreSQL and SQLite alike:

1. Every word of the query must match, in any field and any order (stop words
   aside); words naming a kind of page ("summit", "statement") are not
   required. When no page has all the words, pages with any of them are shown,
   and the page says so.
2. The full-text score (`core.search.text_rank`) weighs a word in a title or
   name (A) above one in a summary, place or summit (B) above one in a body
   (C).
3. That score is doubled for the kind of page the query names, and raised by
   half again for the kind of declaration it names ("statement", "treaty").
4. A query that is exactly a page's name or other name ("UK", "GBR", "The
   Bletchley Declaration", in any order) puts that page first; one that is
   exactly a short name ("Paris summit", "Seoul statement") puts it just below.
   Names come from a catalogue of public names kept in the cache for each
   content version, which also gives "did you mean" its words.

Finding and showing are two steps, so the number of queries never grows with
the data: one query counts the matches of each kind, one `UNION` of (kind,
id, rank, title) rows gives the page, then the page's objects are fetched, one
query per kind present.
"""

import difflib
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Case, F, FloatField, Value, When
from django.utils.functional import cached_property

from articles.models import Article
from core import search
from core.cache import get_content_version, page_cache
from pages.models import Page
from summits.models import Declaration, Group, Series, Signatory, Summit

# A name typed exactly outranks any full-text score; a short name too, below it.
NAME_BOOST = {2: 1000.0, 1: 500.0}
KIND_BOOST = 2.0
SUBKIND_BOOST = 1.5
CATALOGUE_TIMEOUT = 24 * 3600
# Only this many best rows of each kind are ranked, boosted and sorted (and so
# reachable by paging: 25 pages of 20); the counts stay exact, since counting
# without ranking is cheap.
RANK_LIMIT = 500


@dataclass(frozen=True)
class Source:
    """One searchable model: where its public rows are and how to show them.

    `words` name this kind of page in a query ("summit"); `subkinds` map a
    word to a value of the model's `kind` field ("treaty": treaties).
    """

    kind: str
    label: str
    plural: str
    model: type
    related: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    subkinds: dict = field(default_factory=dict)

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
    Source(
        "summit",
        "Summit",
        "Summits",
        Summit,
        words=("summit", "summits", "conference", "meeting"),
    ),
    Source(
        "declaration",
        "Declaration",
        "Declarations",
        Declaration,
        related=("summit",),
        words=("declaration", "text", "texts"),
        subkinds={
            "declaration": "declaration",
            "statement": "statement",
            "commitment": "commitments",
            "pledge": "commitments",
            "treaty": "treaty",
            "treaties": "treaty",
            "convention": "treaty",
            "protocol": "treaty",
            "membership": "membership",
        },
    ),
    Source(
        "signatory",
        "Signatory",
        "Signatories",
        Signatory,
        words=("signatory", "signatories", "party", "parties"),
        subkinds={
            "country": "country",
            "countries": "country",
            "company": "company",
            "companies": "company",
            "organisation": "organisation",
            "organization": "organisation",
        },
    ),
    Source("series", "Series", "Series", Series, words=("series",)),
    Source("group", "Group", "Groups", Group, words=("group", "bloc")),
    Source(
        "article",
        "Article",
        "Articles",
        Article,
        words=("article", "news", "post"),
        subkinds={"press": "press", "coverage": "press"},
    ),
    Source("page", "Page", "Pages", Page, words=("page", "pages", "about")),
)
SOURCES_BY_KIND = {source.kind: source for source in SOURCES}
KIND_WORDS = frozenset(
    word for source in SOURCES for word in (*source.words, *source.subkinds)
)


def rebuild_search_index():
    """Re-index every row of every source, drafts included (publishing needs
    no rebuild). Returns {label: count}."""
    return {
        source.label: search.rebuild_index(
            source.model._default_manager.all(), source.document, everything=True
        )
        for source in SOURCES
    }


# -- the catalogue of names ------------------------------------------------------


def _build_catalogue():
    names, vocabulary = {}, set()
    for source in SOURCES:
        document = source.document
        if not (document.names or document.short_names):
            continue
        rows = source.public().select_related(*document.related)
        for obj in rows.prefetch_related(*document.prefetch):
            for name, strength in document.names_of(obj):
                key = search.name_key(name)
                if not key:
                    continue
                best = names.setdefault(key, {})
                best[source.kind, obj.pk] = max(
                    strength, best.get((source.kind, obj.pk), 0)
                )
                vocabulary.update(w for w in search.words(name) if len(w) > 2)
    return {
        "names": {key: sorted(found.items()) for key, found in names.items()},
        "vocabulary": sorted(vocabulary | KIND_WORDS),
    }


def catalogue():
    """Public names by `name_key`, and their words; cached per content version."""
    cache = page_cache()
    version = get_content_version()
    key = f"search-names:{version}"
    found = cache.get(key) if version is not None else None
    if found is None:
        found = _build_catalogue()
        if version is not None:
            cache.set(key, found, CATALOGUE_TIMEOUT)
    return found


def suggestion(parsed):
    """A query of close public words for one that found nothing, or ""."""
    vocabulary = catalogue()["vocabulary"]
    known = set(vocabulary)
    changed, out = False, []
    for word in (*parsed.terms, *sorted(parsed.named)):
        if word in known or len(word) < 3:
            out.append(word)
            continue
        close = difflib.get_close_matches(word, vocabulary, n=1, cutoff=0.75)
        if close:
            changed = True
        out.append(close[0] if close else word)
    return " ".join(out) if changed else ""


# -- results ---------------------------------------------------------------------


@dataclass
class Result:
    """One line of the results page."""

    source: Source
    object: object
    terms: tuple

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
    def title_html(self):
        return search.mark_words(self.title, self.terms)

    @cached_property
    def snippet(self):
        text = self.source.document.snippet_source(self.object)
        return search.snippet(text, self.terms)


@dataclass(frozen=True)
class KindCount:
    """A link of the kind filter: one kind of page and its number of matches."""

    kind: str
    label: str
    count: int


class Matches:
    """What the paginator pages: the ranked union, with its count known."""

    def __init__(self, queryset, count):
        self.queryset = queryset
        self._count = count

    def count(self):
        return self._count

    def __len__(self):
        return self._count

    def __getitem__(self, index):
        return self.queryset[index]


class SiteSearch:
    """A visitor's query over every source, or over one kind (`kind`)."""

    def __init__(self, query, kind=""):
        self.query = query
        self.kind = kind if kind in SOURCES_BY_KIND else ""
        self.parsed = search.parse_query(query, KIND_WORDS)
        self.loosened = False

    @cached_property
    def names(self):
        """{(kind, pk): strength} of pages the query names exactly."""
        found = catalogue()["names"].get(self.parsed.key, [])
        return {tuple(item): strength for item, strength in found}

    def _counted_rows(self, source, parsed):
        # What the count reads: no rank, which is what costs on common words.
        return (
            search.matching(source.public(), parsed)
            .annotate(result_kind=Value(source.kind))
            .values_list("result_kind", "pk")
            .order_by()
        )

    def _rows(self, source, parsed):
        named_pks = [pk for kind, pk in self.names if kind == source.kind]
        queryset = search.best_matching(
            source.public(), parsed, RANK_LIMIT, also=named_pks
        )
        score = search.text_rank(parsed)
        named = parsed.named
        if named & set(source.words) or named & set(source.subkinds):
            score = score * search.as_float(KIND_BOOST)
        subkinds = {source.subkinds[word] for word in named if word in source.subkinds}
        if subkinds:
            score = score * Case(
                When(kind__in=sorted(subkinds), then=search.as_float(SUBKIND_BOOST)),
                default=search.as_float(1.0),
                output_field=FloatField(),
            )
        by_strength = {}
        for (kind, pk), strength in self.names.items():
            if kind == source.kind:
                by_strength.setdefault(strength, []).append(pk)
        if by_strength:
            boost = Case(
                *(
                    When(pk__in=pks, then=search.as_float(NAME_BOOST[strength]))
                    for strength, pks in sorted(by_strength.items(), reverse=True)
                ),
                default=search.as_float(0.0),
                output_field=FloatField(),
            )
            score = score + boost
        # No ORDER BY inside a UNION part: the union is ordered as a whole.
        return (
            queryset.annotate(
                result_kind=Value(source.kind),
                result_id=F("pk"),
                result_rank=score,
                result_title=F(source.title_field),
            )
            .values_list("result_kind", "result_id", "result_rank", "result_title")
            .order_by()
        )

    def _union(self, sources, parsed, rows=None):
        rows = rows or self._rows
        first, *rest = (rows(source, parsed) for source in sources)
        return first.union(*rest, all=True) if rest else first

    def _count_kinds(self, parsed):
        """{kind: matches} in one query, whatever the number of sources."""
        union = self._union(SOURCES, parsed, rows=self._counted_rows)
        sql, params = union.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT result_kind, COUNT(*) FROM ({sql}) AS found "
                "GROUP BY result_kind",
                params,
            )
            return dict(cursor.fetchall())

    @cached_property
    def counts(self):
        counts = self._count_kinds(self.parsed)
        if not counts and len(self.parsed.terms) > 1:
            # Nothing has every word: show what has some of them, and say so.
            self.parsed = self.parsed.loosened()
            self.loosened = True
            counts = self._count_kinds(self.parsed)
        return counts

    @property
    def kind_counts(self):
        """The kind filter: every kind with a match, in `SOURCES` order."""
        counts = self.counts
        return [
            KindCount(source.kind, source.plural, counts[source.kind])
            for source in SOURCES
            if counts.get(source.kind)
        ]

    @property
    def total(self):
        return sum(self.counts.values())

    @cached_property
    def matches(self):
        """(kind, id, rank, title) rows, best first, with their count.

        Lazy: the paginator slices it, which adds the LIMIT.
        """
        counts = self.counts
        sources = [SOURCES_BY_KIND[self.kind]] if self.kind else SOURCES
        union = self._union(sources, self.parsed).order_by(
            "-result_rank", "result_title", "result_kind", "result_id"
        )
        # Pages reach the ranked rows only: at most RANK_LIMIT of each kind.
        count = sum(min(counts.get(source.kind, 0), RANK_LIMIT) for source in sources)
        return Matches(union, count)

    @cached_property
    def did_you_mean(self):
        return suggestion(self.parsed) if not self.total else ""

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
            for obj in queryset.defer("search_vector"):
                found[kind, obj.pk] = (source, obj)
        terms = self.parsed.highlighted
        return [
            Result(*found[kind, pk], terms)
            for kind, pk, _rank, _title in rows
            if (kind, pk) in found  # not deleted between the two queries
        ]
