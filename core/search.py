"""Full-text search helpers that know no app: what a model indexes, and how.

Each searchable model describes itself with a `SearchDocument`: which fields
carry weight A (title or name), B (summary or lede) and C (body or text). The
same description builds the stored `search_vector` (PostgreSQL), the ranked
query and its highlighted snippet, and the `icontains` fallback used on SQLite,
so the two backends search the same fields.

Snippets from `SearchHeadline` are built from editors' text, which may contain
`<`. PostgreSQL marks the matches with markers no text contains; we escape the
whole snippet and only then turn the markers into `<mark>` tags.
"""

import re
from dataclasses import dataclass

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.db import connection
from django.db.models import Case, F, FloatField, Q, TextField, Value, When
from django.db.models.functions import Concat
from django.utils.html import escape
from django.utils.safestring import mark_safe

SEARCH_CONFIG = "english"
MAX_QUERY_LENGTH = 200

# Private-use characters: they never occur in what editors type, and they
# survive escaping untouched.
_START, _STOP = "\ue000", "\ue001"
_WORD = re.compile(r"\w", re.UNICODE)
_MARKDOWN_LINK_TARGET = re.compile(r"\]\([^)\s]*\)")
_MARKDOWN_MARKS = re.compile(r"[*`\[\]]+|^#+\s*|(?<=\s)#+\s+")


@dataclass(frozen=True)
class SearchDocument:
    """The fields of one model that search reads, by weight."""

    a: tuple[str, ...]
    b: tuple[str, ...] = ()
    c: tuple[str, ...] = ()

    @property
    def fields(self):
        return self.a + self.b + self.c

    def vector(self):
        """The weighted `SearchVector` stored in `search_vector`."""
        parts = [
            SearchVector(*fields, weight=weight, config=SEARCH_CONFIG)
            for weight, fields in (("A", self.a), ("B", self.b), ("C", self.c))
            if fields
        ]
        vector = parts[0]
        for part in parts[1:]:
            vector = vector + part
        return vector

    def headline_source(self):
        """The text a snippet is cut from: the summary (first B field) and body."""
        fields = (self.b[:1] + self.c) or self.a
        if len(fields) == 1:
            return F(fields[0])
        pieces = []
        for field in fields:
            pieces += [F(field), Value(" … ")]
        return Concat(*pieces[:-1], output_field=TextField())

    def contains(self, text, fields=None):
        """The SQLite fallback: any field contains the text, case-insensitively."""
        condition = Q()
        for field in self.fields if fields is None else fields:
            condition |= Q(**{f"{field}__icontains": text})
        return condition

    def fallback_rank(self, text):
        """The SQLite fallback's rank: where the text was found, weighted as
        PostgreSQL's SearchRank weighs A, B and C, so a match in a title
        comes before one in a body on both backends."""
        whens = [
            When(self.contains(text, fields), then=Value(weight))
            for fields, weight in ((self.a, 1.0), (self.b, 0.4), (self.c, 0.2))
            if fields
        ]
        return Case(*whens, default=Value(0.0), output_field=FloatField())


def uses_full_text():
    """True where the database has PostgreSQL's full-text search."""
    return connection.vendor == "postgresql"


def update_search_vector(instance, document):
    """Store `instance`'s weighted search vector (PostgreSQL only).

    A queryset `update()` computes the vector in the database from the saved
    row, and sends no `post_save`, so the signal that calls this never recurses.
    """
    if not uses_full_text():
        return
    type(instance)._default_manager.filter(pk=instance.pk).update(
        search_vector=document.vector()
    )


def rebuild_search_vectors(queryset, document):
    """Recompute the vector of every row in `queryset`; returns the row count."""
    if not uses_full_text():
        return 0
    return queryset.update(search_vector=document.vector())


def clean_query(raw):
    """Check what a visitor typed. Returns (query, problem); one is empty.

    The problem is a sentence for the visitor: nothing typed, too long, or
    nothing a search could match (only punctuation).
    """
    query = " ".join((raw or "").split())
    if not query:
        return "", "Type a word or a name to search for."
    if len(query) > MAX_QUERY_LENGTH:
        return "", (
            f"That search is too long: use at most {MAX_QUERY_LENGTH} characters."
        )
    if not _WORD.search(query):
        return "", "Search for words or names; punctuation alone matches nothing."
    return query, ""


def search_query(query):
    """The visitor's words as a PostgreSQL query, in web-search syntax.

    "websearch" accepts what people type into search boxes ("quoted phrases",
    or, -minus) and never raises a syntax error.
    """
    return SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)


def rank(query):
    return SearchRank(F("search_vector"), query)


def headline(document, query):
    """A snippet with the matches between our private markers (see `highlight`)."""
    return SearchHeadline(
        document.headline_source(),
        query,
        config=SEARCH_CONFIG,
        start_sel=_START,
        stop_sel=_STOP,
        max_words=35,
        min_words=15,
        max_fragments=2,
        fragment_delimiter=" … ",
    )


def highlight(snippet):
    """Escape a snippet, then turn our match markers into `<mark>` tags.

    Bodies are markdown; link targets and emphasis marks are noise in a
    one-line snippet, so they go first.
    """
    if not snippet:
        return ""
    snippet = _MARKDOWN_LINK_TARGET.sub("", snippet)
    snippet = _MARKDOWN_MARKS.sub("", snippet)
    # An empty summary leaves the joining ellipsis at the start: drop it.
    escaped = escape(" ".join(snippet.split()).strip(" …"))
    return mark_safe(escaped.replace(_START, "<mark>").replace(_STOP, "</mark>"))
