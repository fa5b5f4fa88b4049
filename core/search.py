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

import datetime
import functools
import os
import re
import zlib
from dataclasses import dataclass, replace

from django.db import connection, models
from django.utils import timezone
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
# Characters of markdown a snippet cleans at first (then four times more).
SNIPPET_CHUNK = 800

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
_MARKDOWN_EMPHASIS = re.compile(r"[*`\[\]_>]+")
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
        """The text of a PostgreSQL tsquery, for `to_tsquery`: each word a
        quoted lexeme, never syntax."""
        joiner = " | " if self.any_term else " & "
        return joiner.join("'{}'".format(t.replace("'", "")) for t in self.terms)


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
#
# Search is raw SQL assembled from pieces each model compiles once per process
# (`SearchTable`): building the same ORM querysets for seven kinds on every
# request cost more than running them. What a visitor typed only ever reaches
# the SQL as a parameter.
#
# Three scopes of "matches": "all" (any field), "head" (every word in a field
# of weight A or B: title, names, summary, place) and "rest" (all, but not
# head: some word in the body only). On PostgreSQL the head is `search_head`,
# a generated column holding the A and B lexemes of `search_vector` (home's
# migration 0002): small, kept in the row and GIN indexed, where the whole
# vector is mostly body text stored out of line. SQLite's FTS5 filters by
# column (`{a b} : …`).

HEAD_VECTOR = "search_head"
SCOPES = ("all", "head", "rest")
# In compiled filters, "now" is this stand-in, swapped for the time of each
# query (`SearchTable.public`): a filter compiled once must not freeze the clock.
NOW_STANDIN = datetime.datetime(2000, 1, 1, 0, 0, 0, 424242, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class SearchTable:
    """What search's SQL needs of one model: quoted names and its public filter."""

    code: int
    table: str
    pk: str
    title: str
    public_sql: str
    public_params: tuple
    kind: str | None
    recency: str | None
    now_at: tuple

    def public(self):
        """The public filter's SQL and its parameters, judged at this moment."""
        if not self.now_at:
            return self.public_sql, list(self.public_params)
        now = _as_stored(timezone.now())
        params = list(self.public_params)
        for index in self.now_at:
            params[index] = now
        return self.public_sql, params


_tables = {}


def _as_stored(moment):
    """`moment` as the database's driver receives it in a query."""
    return models.DateTimeField().get_db_prep_value(moment, connection)


def search_table(model, public, title_field):
    """The `SearchTable` of `model` for this database, compiled on first use.

    `public(now)` returns the model's public rows as a queryset (its
    `public()`); it is compiled with `NOW_STANDIN` for `now`.
    """
    key = (connection.alias, connection.vendor, model._meta.label_lower)
    found = _tables.get(key)
    if found is None:
        found = _tables[key] = _compile_table(model, public, title_field)
    return found


def _column(model, field_name):
    meta = model._meta
    return f"{_quoted(meta.db_table)}.{_quoted(meta.get_field(field_name).column)}"


_PLACEHOLDER = re.compile(r"%%|%s")


def _inline_constants(sql, params, keep):
    """`sql` with each parameter but `keep` (the moment) written in as a
    literal, and the parameters left.

    Search's statements are prepared on PostgreSQL (`fetch_rows`), and a
    prepared statement's plan is made once for any parameters. With
    `status = $1` the planner cannot know that nearly every row is
    published: it guessed the status index selective, and checked each
    article's whole search vector along it, 20 ms for a rare word instead of
    the GIN index's 1 ms. Written in, the constant's statistics are used.
    """
    from psycopg.sql import Literal  # PostgreSQL only, where psycopg is installed

    connection.ensure_connection()  # Literal quotes as this server would
    values = iter(params)
    left = []

    def replace(match):
        if match.group() == "%%":
            return "%%"
        value = next(values)
        if value == keep:
            left.append(value)
            return "%s"
        literal = Literal(value).as_string(connection.connection)
        return literal.replace("%", "%%")

    return _PLACEHOLDER.sub(replace, sql), left


def _compile_table(model, public, title_field):
    meta = model._meta
    queryset = public(NOW_STANDIN)
    query = queryset.query
    compiler = query.get_compiler(connection=connection)
    if set(query.alias_map) <= {meta.db_table} and not query.distinct:
        where_sql, params = compiler.compile(query.where) if query.where else ("", ())
    else:  # A filter through a join: ask for the primary keys instead.
        sql, params = queryset.order_by().values("pk").query.sql_with_params()
        where_sql = f"{_column(model, meta.pk.name)} IN ({sql})"
    standin = _as_stored(NOW_STANDIN)
    if connection.vendor == "postgresql":
        where_sql, params = _inline_constants(where_sql, params, keep=standin)
    field_names = {field.name for field in meta.concrete_fields}
    return SearchTable(
        code=model_code(model),
        table=_quoted(meta.db_table),
        pk=_column(model, meta.pk.name),
        title=_column(model, title_field),
        public_sql=f"({where_sql})" if where_sql else "1 = 1",
        public_params=tuple(params),
        kind=_column(model, "kind") if "kind" in field_names else None,
        recency=_column(model, "published_at")
        if "published_at" in field_names
        else None,
        now_at=tuple(i for i, param in enumerate(params) if param == standin),
    )


def matches(table, parsed, scope="all", newest=False):
    """(FROM, WHERE, params) for `table`'s rows matching `parsed` in `scope`.

    The public filter is not included (see `SearchTable.public`). `newest`:
    the rows will be read newest first (see `rank`).
    """
    if uses_postgresql():
        # Usually a sub-select hides the words from the planner, which then
        # expects few matches and walks the GIN index; seeing a common word,
        # it would read every row's whole vector instead (a sequential scan),
        # which costs ten times more than the index even for 80 % of the
        # rows. Newest first, it should see them: for a word in most rows,
        # walking the date index until enough rows match is cheapest.
        query = f"to_tsquery('{SEARCH_CONFIG}', %s)"
        query = query if newest else f"(SELECT {query})"
        head = f"{table.table}.{HEAD_VECTOR} @@ {query}"
        whole = f"{table.table}.search_vector @@ {query}"
        where = {"all": whole, "head": head, "rest": f"{whole} AND NOT {head}"}
        words = parsed.tsquery_text()
        params = {"all": [words], "head": [words], "rest": [words, words]}
        return table.table, where[scope], params[scope]
    expression = parsed.fts5()
    head = "{a b} : (" + expression + ")"
    text = {"all": expression, "head": head, "rest": f"({expression}) NOT {head}"}
    # The full-text index is the outer loop (CROSS JOIN keeps SQLite from
    # reordering): its rowids lead to the rows by primary key.
    return (
        f"{FTS_TABLE} CROSS JOIN {table.table}",
        f"{FTS_TABLE} MATCH %s AND ({FTS_TABLE}.rowid & 65535) = {table.code} "
        f"AND {table.pk} = ({FTS_TABLE}.rowid >> 16)",
        [text[scope]],
    )


# The score of a head match read newest first: below a title or summary
# match scored by its words (0.18 and up), above any body match (0.05 at most).
NEWEST_HEAD_RANK = 0.1


def rank(table, parsed, scope="all", newest=False):
    """(SQL, params): how well a row matching in `scope` fits, higher is better.

    Words in the head weigh most. "rest" rows (no head match), and head rows
    read `newest` first, all have one score (0, and `NEWEST_HEAD_RANK`): they
    are told apart by date (`recency`), newest first.
    """
    if scope == "rest" or newest:
        return repr(NEWEST_HEAD_RANK if scope == "head" else 0.0), []
    if uses_postgresql():
        weights = "{" + ", ".join(str(w) for w in TS_RANK_WEIGHTS) + "}"
        vector = HEAD_VECTOR if scope == "head" else "search_vector"
        return (
            f"ts_rank('{weights}', {table.table}.{vector}, "
            f"(SELECT to_tsquery('{SEARCH_CONFIG}', %s)))",
            [parsed.tsquery_text()],
        )
    weights = ", ".join(str(w) for w in BM25_WEIGHTS)
    # bm25() is negative, more negative for a better match.
    return f"-bm25({FTS_TABLE}, {weights})", []


def recency(table):
    """SQL of a number that grows with the row's date (0 without one)."""
    if table.recency is None:
        return "0.0"
    if uses_postgresql():
        return f"EXTRACT(EPOCH FROM {table.recency})"
    return f"julianday({table.recency})"


def count_sql(table, parsed, scope, limit, exclude=()):
    """(SQL, params) counting `table`'s public rows matching in `scope`
    (primary keys in `exclude` left out), up to `limit`: counting stops
    there, so a common word costs no more than that."""
    from_sql, where, params = matches(table, parsed, scope)
    public_sql, public_params = table.public()
    keys_sql, keys_params = _keys(table, exclude=exclude)
    return (
        f"SELECT COUNT(*) FROM (SELECT 1 FROM {from_sql} WHERE {where} "
        f"AND {public_sql}{keys_sql} LIMIT %s) AS counted",
        [*params, *public_params, *keys_params, limit],
    )


def ranked_sql(
    table,
    parsed,
    scope,
    limit,
    scoring=None,
    only=(),
    exclude=(),
    unless=False,
    newest=False,
):
    """(SQL, params): up to `limit` of `table`'s public rows matching in
    `scope`, best first, as columns result_id, result_rank, result_recency
    and result_title; best is the highest rank, then the newest (where the
    rank is one for all: "rest", `newest`), then by title.

    `scoring(rank_sql, rank_params)` returns the (SQL, params) of a score made
    of the rank (boosts; where the rank is one for all, the score must be
    too); `only` keeps those primary keys, `exclude` leaves them out.
    `unless`: no rows at all when `limit` rows (not in `exclude`) match in
    the head: the rest is read only when the head falls short. The database
    checks this once, before reading the rest.
    """
    from_sql, where, params = matches(table, parsed, scope, newest)
    public_sql, public_params = table.public()
    rank_sql, rank_params = rank(table, parsed, scope, newest)
    score_sql, score_params = (
        scoring(rank_sql, rank_params) if scoring else (rank_sql, rank_params)
    )
    by_date = scope == "rest" or newest
    keys_sql, keys_params = _keys(table, only, exclude)
    gate_sql, gate_params = "", []
    if unless:
        head_sql, head_params = count_sql(table, parsed, "head", limit, exclude)
        gate_sql, gate_params = f" AND ({head_sql}) < %s", [*head_params, limit]
    if by_date:
        # One score for all: the date orders them, by its index if it helps.
        dated = f"{table.recency} DESC, " if table.recency else ""
        order = f"{dated}result_title, result_id"
    else:
        order = "result_rank DESC, result_title, result_id"
    sql = (
        f"SELECT {table.pk} AS result_id, "
        f"CAST({score_sql} AS DOUBLE PRECISION) AS result_rank, "
        f"CAST({recency(table) if by_date else '0.0'} AS DOUBLE PRECISION) "
        f"AS result_recency, {table.title} AS result_title "
        f"FROM {from_sql} WHERE {where} AND {public_sql}{keys_sql}{gate_sql} "
        f"ORDER BY {order} LIMIT %s"
    )
    return sql, [
        *score_params,
        *params,
        *public_params,
        *keys_params,
        *gate_params,
        limit,
    ]


def fetch_rows(sql, params, plan_once=True):
    """The rows of one of search's statements.

    On PostgreSQL, a statement whose words are parameters the planner cannot
    see (`plan_once`; not one read `newest` first, see `matches`) is sent
    with its parameters bound on the server, so psycopg may prepare it and
    PostgreSQL plan it once per connection: planning the counting statement
    (fourteen sub-selects) cost more than running it (3 ms of 5). Django's
    own cursors bind on the client and are never prepared; this one still
    goes through Django's cursor wrapper (its errors and execute wrappers,
    such as the page cache's watch over what is read). While queries are
    logged (DEBUG, tests counting them), Django's cursor is used: the log
    cannot show a prepared statement's SQL.
    """
    if (
        plan_once
        and uses_postgresql()
        and _prepares(connection)
        and not connection.queries_logged
    ):
        # What `connection.cursor()` does first: a connection kept from an
        # earlier request that no longer answers is replaced.
        connection.close_if_health_check_failed()
        connection.ensure_connection()
        connection.validate_thread_sharing()
        import psycopg  # Installed with PostgreSQL's backend (requirements).

        with connection.wrap_database_errors:
            raw = psycopg.Cursor(connection.connection)  # binds on the server
        cursor = connection.make_cursor(raw)
    else:
        cursor = connection.cursor()
    with cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _prepares(db):
    """Whether `db`'s connections may prepare statements (psycopg's
    `prepare_threshold` in its OPTIONS; Django's default turns it off, which
    a pooler in transaction mode needs)."""
    return db.settings_dict.get("OPTIONS", {}).get("prepare_threshold") is not None


def _keys(table, only=(), exclude=()):
    """(SQL, params) keeping the primary keys `only`, leaving out `exclude`."""
    sql, params = "", []
    for keys, operator in ((only, "IN"), (exclude, "NOT IN")):
        if keys:
            marks = ", ".join(["%s"] * len(keys))
            sql += f" AND {table.pk} {operator} ({marks})"
            params += [int(key) for key in keys]
    return sql, params


# -- showing -------------------------------------------------------------------
#
# Only the shown page's titles and snippets are marked, but a body is long and
# a match may come late: words are found with `str.find`, not by folding every
# word of the text in Python.


@functools.lru_cache(maxsize=512)
def _forms(terms):
    """Every folded word that counts as one of `terms`: the term itself, and
    the term and a word three letters or longer that differ by an ending in
    `_SUFFIXES` ("commitment", "commitments"; "signing", "sign")."""
    forms = set()
    for term in terms:
        forms.add(term)
        for suffix in _SUFFIXES:
            if not suffix:
                continue
            if len(term) >= 3:
                forms.add(term + suffix)
            if term.endswith(suffix) and len(term) - len(suffix) >= 3:
                forms.add(term[: -len(suffix)])
    return frozenset(forms)


@functools.lru_cache(maxsize=512)
def _ascii_forms(terms):
    """(root, forms) for each term: its ASCII forms, and the start they all
    share (when the root is not in a text, none of them is)."""
    out = []
    for term in terms:
        forms = sorted(form for form in _forms((term,)) if form.isascii())
        if forms:
            out.append((os.path.commonprefix(forms), tuple(forms)))
    return tuple(out)


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _spans(text, terms):
    """(start, end) of each word of `text` that counts as one of `terms`, in
    order. A word is what `_TOKEN` cuts: a run of letters and digits.

    Folding an ASCII word is lower-casing it, so ASCII forms are found with
    `str.find` in the lower-cased text; only words with other letters
    ("Türkiye") are folded one by one.
    """
    terms = tuple(terms)
    # "İ" is the one character whose lower case is two: keep places aligned.
    lowered = text.replace("\u0130", "I").lower()
    length = len(text)
    found = {}
    for root, forms in _ascii_forms(terms):
        if root not in lowered:
            continue
        for form in forms:
            start = lowered.find(form)
            while start != -1:
                end = start + len(form)
                if not (start and text[start - 1].isalnum()) and not (
                    end < length and text[end].isalnum()
                ):
                    found[start] = end
                start = lowered.find(form, start + 1)
    if not text.isascii():
        forms, seen = _forms(terms), set()
        for match in _NON_ASCII.finditer(text):
            at = match.start()
            if not text[at].isalnum():
                continue  # Punctuation: "…", "’", "—".
            start = end = at
            while start and text[start - 1].isalnum():
                start -= 1
            while end < length and text[end].isalnum():
                end += 1
            if start not in seen:
                seen.add(start)
                if fold(text[start:end]) in forms:
                    found[start] = end
    return sorted(found.items())


def mark_words(text, terms):
    """`text` escaped, with the words that match `terms` in `<mark>`."""
    if not text:
        return ""
    out, last = [], 0
    for start, end in _spans(text, terms):
        out.append(escape(text[last:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        last = end
    out.append(escape(text[last:]))
    return mark_safe("".join(out))


def _plain(markdown):
    """`markdown` as one line of words: link targets, emphasis and heading
    marks gone, spaces single, no space or ellipsis at either end."""
    text = _MARKDOWN_LINK_TARGET.sub("", markdown)
    # Without a "#", only the emphasis marks can match (and much faster).
    text = (_MARKDOWN_MARKS if "#" in text else _MARKDOWN_EMPHASIS).sub("", text)
    return " ".join(text.split()).strip(" …")


def snippet(text, terms, size=SNIPPET_WORDS):
    """About `size` words of `text` around its first match, marked.

    Bodies are markdown; link targets and emphasis marks are noise in a
    one-line snippet, so they go first.
    """
    text = text or ""
    # Cleaning is local, so a long text is cleaned a piece at a time, from
    # the start, until the first match has enough words after it that the
    # rest could not change the window: most matches come early.
    cut = SNIPPET_CHUNK
    while True:
        whole = cut >= len(text)
        plain = _plain(text if whole else text[:cut])
        spans = _spans(plain, terms)
        if whole or (spans and plain.count(" ", spans[0][0]) > size + 8):
            break
        cut *= 4
    if not plain:
        return ""
    pieces = plain.split(" ")
    # Words are the pieces between single spaces: the match's piece is the
    # number of spaces before it.
    first = plain.count(" ", 0, spans[0][0]) if spans else 0
    start = max(0, min(first - size // 3, len(pieces) - size))
    window = " ".join(pieces[start : start + size])
    if start > 0:
        window = "… " + window
    if start + size < len(pieces) or not whole:
        window += " …"
    return mark_words(window, terms)
