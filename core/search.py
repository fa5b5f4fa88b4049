"""Full-text search that knows no app: what a model indexes, and how it is found.

Each searchable model describes itself with a `SearchDocument`: the attribute
paths that carry weight A (title, name, other names), B (summary, place,
summit, series) and C (body or text), and the names a visitor may type to mean
it exactly. Paths may cross relations ("summit.city") and end in a method, so
a declaration is found by its summit's city and a summit by its host country.

The texts are computed in Python and folded (`core.names.fold`: no case, no
accents) before they are stored, so both databases index the same words:

- PostgreSQL stores them in each model's weighted `search_vector` (GIN
  indexed), in the `summitwatch` text search configuration (home's migration:
  English stems with no stop words, so "US" and "IT" stay searchable, and
  `unaccent` for text that reaches it unfolded);
- SQLite stores them in one FTS5 table, `search_index` (columns a, b, c;
  porter stems, `remove_diacritics 2`), whose rowid packs the row's primary
  key with a code for its model, and ranks with weighted `bm25`.

What a visitor typed never reaches either query language: it is cut into
words (`parse_query`), and each word is quoted as a literal.
"""

import re
import zlib
from dataclasses import dataclass, replace

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, FloatField, Value
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import mark_safe

from core.names import fold

SEARCH_CONFIG = "summitwatch"
FTS_TABLE = "search_index"
MAX_QUERY_LENGTH = 200
# More words than this add nothing a visitor means; fewer keeps queries cheap.
MAX_TERMS = 12
# bm25 column weights on SQLite, ts_rank weights (D, C, B, A) on PostgreSQL:
# a word in a title or name counts most, one in a body least.
BM25_WEIGHTS = (10.0, 3.0, 1.0)
TS_RANK_WEIGHTS = [0.05, 0.1, 0.3, 1.0]
SNIPPET_WORDS = 32

# Words that carry no meaning in a query. They stay in the index (so "US",
# "IT" or "IN" typed in capitals, or a query of nothing else, still match);
# they are only left out of what a query requires.
STOP_WORDS = frozenset(
    "a about an and are as at be been by did do does for from had has have how "
    "in into is it its me of on or our that the their there these this those "
    "to us was we were what when where which who why will with".split()
)
_TOKEN = re.compile(r"[^\W_]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_MARKDOWN_LINK_TARGET = re.compile(r"\]\([^)\s]*\)")
_MARKDOWN_MARKS = re.compile(r"[*`\[\]_>]+|^#+\s*|(?<=\s)#+\s+")
# Endings that make two forms of one word ("commitment", "commitments"):
# enough for highlighting, which the databases' stemmers do not tell us about.
_SUFFIXES = ("", "s", "es", "ed", "d", "ing", "ies", "y", "al", "ly")


def words(text):
    """The folded words of `text`, in order ("Türkiye's" → turkiye, s)."""
    return _TOKEN.findall(fold(text))


def _singular(word):
    return (
        word[:-1] if len(word) > 3 and word.endswith("s") and word[-2] != "s" else word
    )


def name_key(text):
    """A key under which a name and a query typed for it meet: its meaningful
    words, singular, in any order ("The Bletchley Declaration" and
    "declaration bletchley" share one)."""
    tokens = words(text)
    meaningful = [t for t in tokens if t not in STOP_WORDS] or tokens
    return " ".join(sorted({_singular(t) for t in meaningful}))


def _values(obj, path):
    """The strings at `path` ("summit.host_country.name") on `obj`."""
    value = obj
    for part in path.split("."):
        value = getattr(value, part, None)
        if callable(value):
            value = value()
        if value is None:
            return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple, set, frozenset)):
        return [str(v) for v in value if v]
    return [str(value)] if str(value) else []


@dataclass(frozen=True)
class SearchDocument:
    """What search reads on one model: attribute paths by weight, and names.

    `names` are what the item is called (a name, its other names, codes):
    typed exactly, they put it first. `short_names` are what people call it
    for short ("Paris summit"): typed exactly, they put it near the top.
    """

    a: tuple[str, ...]
    b: tuple[str, ...] = ()
    c: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    short_names: tuple[str, ...] = ()
    # Relations the paths cross, fetched with the rows when rebuilding.
    related: tuple[str, ...] = ()
    prefetch: tuple[str, ...] = ()

    def texts(self, obj):
        """The folded texts of weight A, B and C for `obj`."""
        return tuple(
            fold(" ".join(v for path in paths for v in _values(obj, path)))
            for paths in (self.a, self.b, self.c)
        )

    def names_of(self, obj):
        """(name, strength) pairs: 2 for a name, 1 for a short name."""
        for strength, paths in ((2, self.names), (1, self.short_names)):
            for path in paths:
                for name in _values(obj, path):
                    yield name, strength

    def snippet_source(self, obj):
        """The raw text a snippet is cut from: the summary and the body."""
        paths = self.b[:1] + self.c
        return " … ".join(v for path in paths for v in _values(obj, path))


# -- what a visitor typed ------------------------------------------------------


def clean_query(raw):
    """Check what a visitor typed. Returns (query, problem); one is empty.

    The problem is a sentence for the visitor: nothing typed, too long, or
    nothing a search could match (only punctuation).
    """
    query = " ".join(_CONTROL.sub(" ", raw or "").split())
    if not query:
        return "", "Type a word or a name to search for."
    if len(query) > MAX_QUERY_LENGTH:
        return "", (
            f"That search is too long: use at most {MAX_QUERY_LENGTH} characters."
        )
    if not words(query):
        return "", "Search for words or names; punctuation alone matches nothing."
    return query, ""


@dataclass(frozen=True)
class ParsedQuery:
    """A query as words. `terms` must all match (any, once loosened); `named`
    are words naming a kind of page ("summit"): they boost, never required."""

    terms: tuple[str, ...]
    named: frozenset
    key: str
    any_term: bool = False

    @property
    def highlighted(self):
        return (*self.terms, *self.named)

    def loosened(self):
        """The same words, any of which may match (when all of them found nothing)."""
        return replace(self, any_term=True)

    def fts5(self):
        """An FTS5 MATCH expression: each word a quoted string, never syntax."""
        joiner = " OR " if self.any_term else " AND "
        return joiner.join('"{}"'.format(t.replace('"', "")) for t in self.terms)

    def tsquery_text(self):
        """The text of `tsquery`, for `to_tsquery` in raw SQL."""
        joiner = " | " if self.any_term else " & "
        return joiner.join("'{}'".format(t.replace("'", "")) for t in self.terms)

    def tsquery(self):
        """A PostgreSQL tsquery: each word a quoted lexeme, never syntax."""
        return SearchQuery(self.tsquery_text(), search_type="raw", config=SEARCH_CONFIG)


def parse_query(query, kind_words=frozenset()):
    """Cut `query` into words: stop words dropped (unless typed in capitals,
    like "US", or the query has nothing else), words naming a kind of page set
    apart, duplicates and words past MAX_TERMS dropped."""
    tokens = []
    for raw in _TOKEN.findall(query):
        acronym = raw.isupper() and len(raw) > 1
        tokens += [(t, acronym) for t in words(raw)]
    meaningful = [t for t, acronym in tokens if acronym or t not in STOP_WORDS]
    meaningful = list(dict.fromkeys(meaningful or [t for t, _ in tokens]))
    meaningful = meaningful[:MAX_TERMS]
    named = {t for t in meaningful if t in kind_words or _singular(t) in kind_words}
    terms = [t for t in meaningful if t not in named] or meaningful
    key = " ".join(sorted({_singular(t) for t in meaningful}))
    return ParsedQuery(tuple(terms), frozenset(named), key)


# -- the index -----------------------------------------------------------------


def uses_postgresql():
    return connection.vendor == "postgresql"


def uses_fts5():
    return connection.vendor == "sqlite"


def model_code(model):
    """A fixed 16-bit code for a model, packed into SQLite index rowids."""
    return zlib.crc32(model._meta.label_lower.encode()) & 0xFFFF


def _quoted(name):
    """A table or column name quoted the SQL-standard way (both databases)."""
    return '"{}"'.format(name.replace('"', '""'))


def _vector_sql():
    return " || ".join(
        f"setweight(to_tsvector('{SEARCH_CONFIG}', %s), '{weight}')" for weight in "ABC"
    )


def write_index(model, rows):
    """Store (pk, a, b, c) rows of `model` in the index; returns their count."""
    rows = list(rows)
    if not rows:
        return 0
    with connection.cursor() as cursor:
        if uses_postgresql():
            table, pk = _quoted(model._meta.db_table), _quoted(model._meta.pk.column)
            cursor.executemany(
                f"UPDATE {table} SET search_vector = {_vector_sql()} WHERE {pk} = %s",
                [(a, b, c, key) for key, a, b, c in rows],
            )
        elif uses_fts5():
            code = model_code(model)
            rowids = [((key << 16) | code,) for key, *_ in rows]
            cursor.executemany(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", rowids)
            cursor.executemany(
                f"INSERT INTO {FTS_TABLE} (rowid, a, b, c) VALUES (%s, %s, %s, %s)",
                [((key << 16) | code, a, b, c) for key, a, b, c in rows],
            )
    return len(rows)


def update_search_vector(instance, document):
    """Index one saved row (the post_save signals call this)."""
    write_index(type(instance), [(instance.pk, *document.texts(instance))])


def remove_from_index(model, pk):
    """Forget a deleted row (SQLite; on PostgreSQL the vector went with it)."""
    if uses_fts5():
        with connection.cursor() as cursor:
            rowid = (pk << 16) | model_code(model)
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [rowid])


def rebuild_index(queryset, document, batch_size=500, everything=False):
    """Re-index every row of `queryset`; returns the row count.

    `everything`: `queryset` holds every row of its model, so SQLite's index
    rows of that model are dropped first (rows deleted without a signal go).
    """
    model = queryset.model
    if everything and uses_fts5():
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {FTS_TABLE} WHERE (rowid & 65535) = %s",
                [model_code(model)],
            )
    queryset = queryset.select_related(*document.related).prefetch_related(
        *document.prefetch
    )
    count, batch = 0, []
    for obj in queryset.iterator(chunk_size=batch_size):
        batch.append((obj.pk, *document.texts(obj)))
        if len(batch) >= batch_size:
            count += write_index(model, batch)
            batch = []
    return count + write_index(model, batch)


# -- querying ------------------------------------------------------------------


def matching(queryset, parsed):
    """`queryset` narrowed to rows whose index matches `parsed`."""
    if uses_postgresql():
        return queryset.filter(search_vector=parsed.tsquery())
    model = queryset.model
    table, pk = _quoted(model._meta.db_table), _quoted(model._meta.pk.column)
    # The join runs from the full-text match to the row by its primary key,
    # so SQLite reads the index, never the whole table.
    return queryset.extra(
        tables=[FTS_TABLE],
        where=[
            f"{FTS_TABLE} MATCH %s",
            f"{table}.{pk} = ({FTS_TABLE}.rowid >> 16)",
            f"({FTS_TABLE}.rowid & 65535) = {model_code(model)}",
        ],
        params=[parsed.fts5()],
    )


def best_matching(queryset, parsed, limit, also=()):
    """`matching`, kept to the `limit` best rows by text rank, plus the rows
    whose primary keys are in `also` (if they match).

    A common word matches thousands of rows; ranking them all, then joining
    and sorting, is what made search slow. The index ranks and cuts first
    (FTS5 computes bm25 in C; PostgreSQL ranks from the GIN-found rows only),
    and only `limit` rows reach the query that boosts and sorts.
    """
    queryset = matching(queryset, parsed)
    model = queryset.model
    table, pk = _quoted(model._meta.db_table), _quoted(model._meta.pk.column)
    also = [int(key) for key in also]
    named = f" OR {table}.{pk} IN ({', '.join(['%s'] * len(also))})" if also else ""
    if uses_postgresql():
        weights = "{" + ", ".join(str(w) for w in TS_RANK_WEIGHTS) + "}"
        best = (
            f"SELECT {pk} FROM {table} WHERE search_vector @@ query "
            f"ORDER BY ts_rank('{weights}', search_vector, query) DESC LIMIT %s"
        )
        return queryset.extra(
            where=[
                f"({table}.{pk} IN ({best.replace('query', 'to_tsquery(%s, %s)')})"
                f"{named})"
            ],
            params=[SEARCH_CONFIG, parsed.tsquery_text()] * 2 + [limit, *also],
        )
    weights = ", ".join(str(w) for w in BM25_WEIGHTS)
    code = model_code(model)
    # "rowid + 0": a bare rowid IN (...) makes FTS5 look rows up by rowid and
    # test MATCH on each (12x slower); this way it matches once, then filters.
    return queryset.extra(
        where=[
            f"({FTS_TABLE}.rowid + 0 IN (SELECT rowid FROM {FTS_TABLE} "
            f"WHERE {FTS_TABLE} MATCH %s AND (rowid & 65535) = {code} "
            f"ORDER BY bm25({FTS_TABLE}, {weights}) LIMIT %s){named})"
        ],
        params=[parsed.fts5(), limit, *also],
    )


def text_rank(parsed):
    """How well a matching row's words fit, higher is better (use with `matching`)."""
    if uses_postgresql():
        return SearchRank(F("search_vector"), parsed.tsquery(), weights=TS_RANK_WEIGHTS)
    weights = ", ".join(str(w) for w in BM25_WEIGHTS)
    # bm25() is negative, more negative for a better match.
    return RawSQL(f"-bm25({FTS_TABLE}, {weights})", [], output_field=FloatField())


def as_float(value):
    return Value(float(value), output_field=FloatField())


# -- showing -------------------------------------------------------------------


def _same_word(word, term):
    if word == term:
        return True
    short, long_ = sorted((word, term), key=len)
    return (
        len(short) >= 3 and long_.startswith(short) and long_[len(short) :] in _SUFFIXES
    )


def mark_words(text, terms):
    """`text` escaped, with the words that match `terms` in `<mark>`."""
    if not text:
        return ""
    terms = tuple(terms)
    out, last = [], 0
    for match in _TOKEN.finditer(text):
        plain = fold(match.group())
        if any(_same_word(plain, term) for term in terms):
            out.append(escape(text[last : match.start()]))
            out.append(f"<mark>{escape(match.group())}</mark>")
            last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))


def snippet(text, terms, size=SNIPPET_WORDS):
    """About `size` words of `text` around its first match, marked.

    Bodies are markdown; link targets and emphasis marks are noise in a
    one-line snippet, so they go first.
    """
    text = _MARKDOWN_LINK_TARGET.sub("", text or "")
    text = _MARKDOWN_MARKS.sub("", text)
    pieces = " ".join(text.split()).strip(" …").split(" ")
    if not pieces or pieces == [""]:
        return ""
    terms = tuple(terms)
    first = next(
        (
            i
            for i, piece in enumerate(pieces)
            if any(_same_word(w, t) for w in words(piece) for t in terms)
        ),
        0,
    )
    start = max(0, min(first - size // 3, len(pieces) - size))
    window = " ".join(pieces[start : start + size])
    if start > 0:
        window = "… " + window
    if start + size < len(pieces):
        window += " …"
    return mark_words(window, terms)
