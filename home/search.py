"""Site search across every kind of public page (`SOURCES`).

How a result's place is decided, on PostgreSQL and SQLite alike:

1. Every word of the query must match, in any field and any order (stop words
   aside); words naming a kind of page ("summit", "statement") are not
   required. When no page has all the words, pages with any of them are shown,
   and the page says so.
2. The full-text score (`core.search.rank`) weighs a word in a title or name
   (A) above one in a summary, place or summit (B) above one in a body (C).
3. That score is doubled for the kind of page the query names, and raised by
   half again for the kind of declaration it names ("statement", "treaty").
4. A query that is exactly a page's name or other name ("UK", "GBR", "The
   Bletchley Declaration", in any order) puts that page first; one that is
   exactly a short name ("Paris summit", "Seoul statement") puts it just below.
   Names come from a catalogue of public names kept in the cache for each
   content version, which also gives "did you mean" its words.
5. A word so common that more than `EXACT_RANK_LIMIT` pages of one kind have
   it ("safety" in 8,000 articles) is ranked in tiers for that kind, so that
   the cost stays the same however common it is: first the pages with every
   word in their title, names or summary (their head), by the score above
   read from those fields alone, or newest first when more than
   `HEAD_RANK_LIMIT` pages of a dated kind have them; then the pages with
   words in the body only, newest first. Below that limit every match is
   scored in full. Counts stop at `COUNT_LIMIT` a kind ("500+").

Finding and showing are two steps, so the number of queries never grows with
the data: one query counts the matches of each kind, one `UNION` of (kind,
id, rank, title) rows gives the page, then the page's rows are fetched, one
query per kind present, with only the columns a result shows.

What a page of results shows (counts, rows, titles, snippets) is kept in the
page cache's backend for `SEARCH_CACHE_TIMEOUT` seconds, under the content
version and the next scheduled publication (as whole pages are, see
core/cache.py): people ask the same things again and again, and a cached
answer costs a fraction of a search, while an edit or a publication moment
makes every stored answer unreachable at once.
"""

import difflib
import hashlib
from dataclasses import dataclass, field

from django.conf import settings
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from articles.models import Article
from core import cache as page_cache
from core import search
from core.templatetags.partial_dates import time_element
from pages.models import Page as SitePage
from summits.models import Declaration, Group, Series, Signatory, Summit

# A name typed exactly outranks any full-text score; a short name too, below it.
NAME_BOOST = {2: 1000.0, 1: 500.0}
KIND_BOOST = 2.0
SUBKIND_BOOST = 1.5
CATALOGUE_TIMEOUT = 24 * 3600
# Only this many best rows of each kind are reachable by paging (25 pages of 20).
RANK_LIMIT = 500
# Up to this many matches of one kind are all scored in full; past it, the
# kind is ranked in tiers (see 5. above), whose cost does not grow with it.
EXACT_RANK_LIMIT = 200
# Up to this many head matches of one dated kind are scored; past it, they
# are read newest first (see 5. above).
HEAD_RANK_LIMIT = 500
# Counting stops here for each kind ("500+"): a common word costs what 500
# matches cost. As many as paging reaches.
COUNT_LIMIT = RANK_LIMIT
# Seconds a page of results stays in the cache (0: never cached). Capped by
# the page cache's rules: it is only used while PAGE_CACHE_ENABLED.
DEFAULT_SEARCH_CACHE_TIMEOUT = 300
RESULTS_KEY = "search:{version}:{next_publication}:{digest}"


@dataclass(frozen=True)
class Source:
    """One searchable model: where its public rows are and how to show them.

    `words` name this kind of page in a query ("summit"); `subkinds` map a
    word to a value of the model's `kind` field ("treaty": treaties). `fetch`
    are the fields a result shows (address, title, label, snippet, date):
    nothing else is read.
    """

    kind: str
    label: str
    plural: str
    model: type
    fetch: tuple[str, ...]
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

    def public(self, now=None):
        return self.model._default_manager.public(now)

    def table(self):
        """The model's pieces of SQL (`core.search.SearchTable`)."""
        return search.search_table(self.model, self.public, self.title_field)


SOURCES = (
    Source(
        "summit",
        "Summit",
        "Summits",
        Summit,
        fetch=("slug", "name", "summary", "body"),
        words=("summit", "summits", "conference", "meeting"),
    ),
    Source(
        "declaration",
        "Declaration",
        "Declarations",
        Declaration,
        fetch=(
            "slug",
            "title",
            "kind",
            "summary",
            "text",
            "summit__name",
            "summit__status",
            "summit__published_at",
        ),
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
        fetch=("slug", "name", "kind", "description"),
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
    Source(
        "series",
        "Series",
        "Series",
        Series,
        fetch=("slug", "name", "description", "organiser"),
        words=("series",),
    ),
    Source(
        "group",
        "Group",
        "Groups",
        Group,
        fetch=("slug", "name", "kind", "description"),
        words=("group", "bloc"),
    ),
    Source(
        "article",
        "Article",
        "Articles",
        Article,
        fetch=("slug", "title", "kind", "published_at", "lede", "body"),
        words=("article", "news", "post"),
        subkinds={"press": "press", "coverage": "press"},
    ),
    Source(
        "page",
        "Page",
        "Pages",
        SitePage,
        fetch=("slug", "title", "body"),
        words=("page", "pages", "about"),
    ),
)
SOURCES_BY_KIND = {source.kind: source for source in SOURCES}
KIND_WORDS = frozenset(
    word for source in SOURCES for word in (*source.words, *source.subkinds)
)


def rebuild_search_index():
    """Re-index every row of every source, drafts included (publishing needs
    no rebuild). Returns {label: count}."""
    counts = {
        source.label: search.rebuild_index(
            source.model._default_manager.all(), source.document, everything=True
        )
        for source in SOURCES
    }
    # Stored results (and pages) may read the index as it was.
    page_cache.bump_content_version_on_commit()
    return counts


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


# Per process: content version -> catalogue. A version is never reused, so an
# entry never goes wrong; it saves fetching (and unpickling) the catalogue
# from the cache on every search.
_catalogue_memo = {}


def catalogue():
    """Public names by `name_key`, and their words; cached per content version."""
    version = page_cache.get_content_version()
    if version is not None and version in _catalogue_memo:
        return _catalogue_memo[version]
    cache = page_cache.page_cache()
    key = f"search-names:{version}"
    found = cache.get(key) if version is not None else None
    if found is None:
        found = _build_catalogue()
        if version is not None:
            cache.set(key, found, CATALOGUE_TIMEOUT)
    if version is not None:
        _catalogue_memo.clear()  # one version at a time: the newest
        _catalogue_memo[version] = found
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


@dataclass(frozen=True)
class Result:
    """One line of the results page: plain values, so it can be cached."""

    kind: str
    pk: int
    title: str
    label: str
    url: str
    title_marked: str
    snippet_marked: str
    # A declaration's summit, if public; an article's publication.
    place: str = ""
    published_at: object = None

    @property
    def title_html(self):
        return mark_safe(self.title_marked)  # escaped by core.search.mark_words

    @property
    def snippet(self):
        return mark_safe(self.snippet_marked)  # escaped by core.search.snippet

    @property
    def html(self):
        """The result's line of the list, `<li>` and all. Twenty lines took
        1.06 ms as template nodes, 0.41 ms this way."""
        meta = [format_html('<span class="tag">{}</span>', self.label)]
        if self.place:
            meta.append(format_html(" · {}", self.place))
        if self.published_at:
            meta.append(format_html(" · {}", time_element(self.published_at)))
        snippet = self.snippet
        return format_html(
            '<li class="search-result">\n<p class="card__meta">{}</p>\n'
            '<h2><a href="{}">{}</a></h2>{}\n</li>\n',
            mark_safe("".join(meta)),  # each piece made by format_html
            self.url,
            self.title_html,
            format_html('\n<p class="search-result__snippet">{}</p>', snippet)
            if snippet
            else "",
        )


def _result(source, obj, terms):
    document = source.document
    place, published_at = "", None
    if source.model is Declaration:
        summit = obj.summit
        place = summit.name if summit is not None and summit.is_public() else ""
    if source.model is Article:
        published_at = obj.published_at
    title = getattr(obj, source.title_field)
    return Result(
        kind=source.kind,
        pk=obj.pk,
        title=title,
        label=obj.get_kind_display() if source.model is Article else source.label,
        url=obj.get_absolute_url(),
        title_marked=str(search.mark_words(title, terms)),
        snippet_marked=str(search.snippet(document.snippet_source(obj), terms)),
        place=place,
        published_at=published_at,
    )


@dataclass(frozen=True)
class KindCount:
    """A link of the kind filter: one kind of page and its number of matches."""

    kind: str
    label: str
    count: int
    more: bool = False

    @property
    def shown(self):
        """The count as a visitor reads it: "500+" when counting stopped."""
        return f"{self.count}+" if self.more else str(self.count)


class Matches:
    """What the paginator pages: the ranked rows, with their number known."""

    def __init__(self, site_search, count):
        self.site_search = site_search
        self._count = count

    def count(self):
        return self._count

    def __len__(self):
        return self._count

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop = index.start or 0, index.stop
            if stop is None:
                stop = self._count
            return self.site_search.ranked(start, max(0, stop - start))
        return self.site_search.ranked(index, 1)[0]


def cache_timeout():
    """Seconds a page of results may be kept; 0 when the page cache is off."""
    if not page_cache.setting("PAGE_CACHE_ENABLED"):
        return 0
    return getattr(settings, "SEARCH_CACHE_TIMEOUT", DEFAULT_SEARCH_CACHE_TIMEOUT)


class SiteSearch:
    """A visitor's query over every source, or over one kind (`kind`)."""

    def __init__(self, query, kind=""):
        self.query = query
        self.kind = kind if kind in SOURCES_BY_KIND else ""
        self.parsed = search.parse_query(query, KIND_WORDS)
        self.loosened = False

    @property
    def sources(self):
        return [SOURCES_BY_KIND[self.kind]] if self.kind else list(SOURCES)

    @cached_property
    def names(self):
        """{(kind, pk): strength} of pages the query names exactly."""
        found = catalogue()["names"].get(self.parsed.key, [])
        return {tuple(item): strength for item, strength in found}

    # -- counting

    def _count_kinds(self, parsed):
        """{kind: (matches, head matches)} in one query, for every source.

        Matches stop at COUNT_LIMIT + 1 (more is "more than COUNT_LIMIT"),
        head matches at HEAD_RANK_LIMIT + 1: that is all the ranking needs to
        know. Head matches are counted for dated kinds only (None for the
        others, whose tables stay small: signatories, series, groups).
        """
        selects, params = [], []
        for source in SOURCES:
            table = source.table()
            sql, count_params = search.count_sql(table, parsed, "all", COUNT_LIMIT + 1)
            head_sql, head_params = "NULL", []
            if table.recency:
                head_sql, head_params = search.count_sql(
                    table, parsed, "head", HEAD_RANK_LIMIT + 1
                )
            selects.append(f"SELECT %s, ({sql}), ({head_sql})")
            params += [source.kind, *count_params, *head_params]
        rows = search.fetch_rows(" UNION ALL ".join(selects), params)
        return {kind: (found, head) for kind, found, head in rows}

    @cached_property
    def _counted(self):
        counted = self._count_kinds(self.parsed)
        if (
            not any(found for found, _ in counted.values())
            and len(self.parsed.terms) > 1
        ):
            # Nothing has every word: show what has some of them, and say so.
            self.parsed = self.parsed.loosened()
            self.loosened = True
            counted = self._count_kinds(self.parsed)
        return counted

    @cached_property
    def counts(self):
        """{kind: matches} of the kinds with any, each at most COUNT_LIMIT."""
        return {
            kind: min(found, COUNT_LIMIT)
            for kind, (found, _head) in self._counted.items()
            if found
        }

    @property
    def more(self):
        """Kinds with more matches than were counted."""
        return {
            kind for kind, (found, _) in self._counted.items() if found > COUNT_LIMIT
        }

    @property
    def kind_counts(self):
        """The kind filter: every kind with a match, in `SOURCES` order."""
        counts, more = self.counts, self.more
        return [
            KindCount(
                source.kind, source.plural, counts[source.kind], source.kind in more
            )
            for source in SOURCES
            if counts.get(source.kind)
        ]

    @property
    def total(self):
        return sum(self.counts.values())

    @property
    def total_shown(self):
        """The total as a visitor reads it: "512+" when counting stopped."""
        return f"{self.total}+" if self.more else str(self.total)

    @cached_property
    def did_you_mean(self):
        return suggestion(self.parsed) if not self.total else ""

    # -- ranking

    def _score(self, source, by_date=False):
        """score(rank_sql, rank_params) -> (SQL, params): the boosts of 3. and 4.

        `by_date`: for rows ordered by date (one rank for all), which must
        keep one score for all: the boost for a kind of declaration, which
        differs from row to row, is left out.
        """
        table = source.table()
        named = self.parsed.named
        factor = 1.0
        if named & set(source.words) or named & set(source.subkinds):
            factor *= KIND_BOOST
        subkinds = sorted(
            {source.subkinds[word] for word in named if word in source.subkinds}
        )
        if by_date:
            subkinds = []
        by_strength = {}
        for (kind, pk), strength in self.names.items():
            if kind == source.kind:
                by_strength.setdefault(strength, []).append(pk)

        def score(rank_sql, rank_params):
            sql, params = f"({rank_sql}) * {factor!r}", list(rank_params)
            if subkinds and table.kind:
                marks = ", ".join(["%s"] * len(subkinds))
                sql += (
                    f" * (CASE WHEN {table.kind} IN ({marks}) "
                    f"THEN {SUBKIND_BOOST!r} ELSE 1.0 END)"
                )
                params += subkinds
            if by_strength:
                cases = []
                for strength, pks in sorted(by_strength.items(), reverse=True):
                    marks = ", ".join(["%s"] * len(pks))
                    cases.append(
                        f"WHEN {table.pk} IN ({marks}) THEN {NAME_BOOST[strength]!r}"
                    )
                    params += [int(pk) for pk in pks]
                sql += f" + (CASE {' '.join(cases)} ELSE 0.0 END)"
            return sql, params

        return score

    def _newest_first(self, source):
        """Whether `source`'s head matches are read newest first (5. above):
        too many of them to score."""
        found, head = self._counted.get(source.kind, (0, None))
        return found > EXACT_RANK_LIMIT and head is not None and head > HEAD_RANK_LIMIT

    def _parts(self, source, limit):
        """(SQL, params) of each ranked part of one kind: `limit` rows at most."""
        found, head = self._counted.get(source.kind, (0, None))
        if not found:
            return []
        table, parsed = source.table(), self.parsed
        if found <= EXACT_RANK_LIMIT:
            return [search.ranked_sql(table, parsed, "all", limit, self._score(source))]
        # Tiers (5. above). Pages named exactly are scored in full wherever
        # their words are, and left out of the tiers.
        named = [pk for kind, pk in self.names if kind == source.kind]
        newest = self._newest_first(source)
        parts = [
            search.ranked_sql(
                table,
                parsed,
                "head",
                limit,
                self._score(source, by_date=newest),
                exclude=named,
                newest=newest,
            )
        ]
        if head is None or head < limit + len(named):
            # Without a count of head matches, the database checks it.
            parts.append(
                search.ranked_sql(
                    table,
                    parsed,
                    "rest",
                    limit,
                    self._score(source, by_date=True),
                    exclude=named,
                    unless=head is None,
                )
            )
        if named:
            parts.append(
                search.ranked_sql(
                    table, parsed, "all", limit, self._score(source), only=named
                )
            )
        return parts

    def ranked(self, offset, limit):
        """(kind, id, rank, title) rows `offset` to `offset + limit`, best first."""
        if limit <= 0:
            return []
        depth = min(offset + limit, RANK_LIMIT)
        selects, params = [], []
        for source in self.sources:
            for sql, part_params in self._parts(source, depth):
                selects.append(
                    "SELECT %s AS result_kind, result_id, result_rank, "
                    f"result_recency, result_title FROM ({sql}) AS part{len(selects)}"
                )
                params += [source.kind, *part_params]
        if not selects:
            return []
        sql = (
            "SELECT result_kind, result_id, result_rank, result_title FROM ("
            + " UNION ALL ".join(selects)
            + ") AS found ORDER BY result_rank DESC, result_recency DESC, "
            "result_title, result_kind, result_id LIMIT %s OFFSET %s"
        )
        # A part read newest first shows the planner its words (see
        # core.search.matches): such a statement is planned each time.
        plan_once = not any(self._newest_first(source) for source in self.sources)
        return search.fetch_rows(sql, [*params, limit, offset], plan_once)

    @cached_property
    def matches(self):
        """(kind, id, rank, title) rows, best first, with their count.

        Lazy: the paginator slices it. Pages reach the ranked rows only: at
        most RANK_LIMIT of each kind.
        """
        counts = self.counts
        count = sum(min(counts.get(s.kind, 0), RANK_LIMIT) for s in self.sources)
        return Matches(self, count)

    # -- showing

    def results(self, rows):
        """The page's rows as `Result`s, in the same order."""
        ids_by_kind = {}
        for kind, pk, _rank, _title in rows:
            ids_by_kind.setdefault(kind, []).append(pk)
        found = {}
        terms = self.parsed.highlighted
        for kind, ids in ids_by_kind.items():
            source = SOURCES_BY_KIND[kind]
            queryset = source.model._default_manager.filter(pk__in=ids)
            if source.related:
                queryset = queryset.select_related(*source.related)
            for obj in queryset.only(*source.fetch).order_by():
                found[kind, obj.pk] = _result(source, obj, terms)
        return [
            found[kind, pk]
            for kind, pk, _rank, _title in rows
            if (kind, pk) in found  # not deleted between the two queries
        ]

    def page(self, number, per_page):
        """`ResultsPage` number `number` (as typed: a bad one gives the first,
        one past the end the last), from the cache when it has it."""
        try:
            number = max(1, int(number))
        except (TypeError, ValueError, OverflowError):
            number = 1
        # No page lies past every kind's ranked rows: one key for all of those.
        number = min(number, -(-len(SOURCES) * RANK_LIMIT // per_page))
        # Results and the names catalogue come from caches keyed by the content
        # version, which send no SQL: a page that shows them is stale after an
        # edit to any table (the page cache keys stored pages by these).
        page_cache.note_tables_read(page_cache.content_tables())
        key, timeout = self._cache_key(number, per_page)
        entry = self._cache_get(key) if key else None
        from_cache = entry is not None
        if entry is None:
            entry = self._page_entry(number, per_page)
            if key:
                self._cache_set(key, entry, timeout)
        return self._from_entry(entry, per_page, from_cache)

    def _page_entry(self, number, per_page):
        paginator = Paginator(self.matches, per_page)
        try:
            number = paginator.validate_number(number)
        except (PageNotAnInteger, EmptyPage):
            number = paginator.num_pages
        rows = self.matches[(number - 1) * per_page : number * per_page]
        return {
            "counted": self._counted,
            "parsed": self.parsed,
            "loosened": self.loosened,
            "did_you_mean": self.did_you_mean,
            "number": number,
            "results": self.results(rows),
        }

    def _from_entry(self, entry, per_page, from_cache):
        self.__dict__["_counted"] = entry["counted"]
        self.parsed = entry["parsed"]
        self.loosened = entry["loosened"]
        self.__dict__["did_you_mean"] = entry["did_you_mean"]
        paginator = Paginator(self.matches, per_page)
        return ResultsPage(
            paginator=paginator,
            page_obj=Page(entry["results"], entry["number"], paginator),
            results=entry["results"],
            from_cache=from_cache,
        )

    def _cache_key(self, number, per_page):
        """(key, timeout) of this page of results, or (None, 0) if not cached."""
        timeout = cache_timeout()
        if not timeout:
            return None, 0
        try:
            version = page_cache.get_content_version()
            if version is None:
                return None, 0
            next_publication = page_cache.next_publication(version)
        except Exception:
            return None, 0  # The cache is down: search without it.
        timeout = min(timeout, page_cache.page_timeout(next_publication))
        if not timeout:
            return None, 0
        parsed = self.parsed
        what = repr(
            (
                parsed.terms,
                sorted(parsed.named),
                parsed.key,
                self.kind,
                number,
                per_page,
            )
        )
        digest = hashlib.sha256(what.encode("utf-8", "surrogateescape")).hexdigest()
        key = RESULTS_KEY.format(
            version=version,
            next_publication=f"{next_publication:.0f}",
            digest=digest[:40],
        )
        return key, timeout

    def _cache_get(self, key):
        try:
            return page_cache.page_cache().get(key)
        except Exception:
            return None

    def _cache_set(self, key, entry, timeout):
        try:
            page_cache.page_cache().set(key, entry, timeout)
        except Exception:
            pass  # Not cached this time; the visitor has the answer anyway.


@dataclass(frozen=True)
class ResultsPage:
    """What the results page shows of one page: its rows and its paginator."""

    paginator: Paginator
    page_obj: Page
    results: list
    # Served from the cache of results: asked for before since the last edit.
    from_cache: bool = False
