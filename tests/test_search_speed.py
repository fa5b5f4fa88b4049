"""Site search kept fast: cached results that are never stale, counts that stop,
common words ranked in tiers, snippets found without reading every word.

What search finds and how it ranks is in test_search.py and
test_search_relevance.py; these are about what makes it cheap, and that it
changes none of that.
"""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core import cache as page_cache
from core.models import Status
from core.search import _inline_constants as inline_constants
from core.search import snippet
from home import search as site_search
from home.search import SiteSearch
from tests.factories import (
    ArticleFactory,
    DeclarationFactory,
    SignatoryFactory,
    SignatureFactory,
)
from tests.search_helpers import SEARCH, search, titles

pytestmark = pytest.mark.django_db


def searched_again(client, query):
    """Search twice (the second answer comes from the cache of results, and
    its page may be stored), then return a third search: from the caches."""
    search(client, query)
    search(client, query)
    return client.get(SEARCH, {"q": query})


# -- the cache of results --------------------------------------------------------


def test_a_repeated_search_reads_no_search_tables(client):
    ArticleFactory(title="Quokka census")
    search(client, "quokka")  # counts, ranks, fetches: then cached

    with CaptureQueriesContext(connection) as again:
        response = search(client, "  QUOKKA ")  # the same words, typed otherwise

    assert titles(response) == ["Quokka census"]
    assert not [q for q in again.captured_queries if "articles_article" in q["sql"]]


def test_a_one_off_search_is_not_stored_as_a_page_but_a_repeated_one_is(client):
    ArticleFactory(title="Quokka census")

    first = search(client, "quokka")
    second = search(client, "quokka")
    with CaptureQueriesContext(connection) as third_queries:
        third = client.get(SEARCH, {"q": "quokka"})

    assert "X-Cache" not in first  # one-off: shared, not stored
    assert second["X-Cache"] == "MISS"  # asked again: stored
    assert third["X-Cache"] == "HIT" and not third_queries.captured_queries
    assert "<mark>Quokka</mark> census" in third.content.decode()


def test_a_newly_published_article_is_found_on_the_next_search(client):
    ArticleFactory(title="Quokka census")
    assert "sightings" not in searched_again(client, "quokka").content.decode()

    ArticleFactory(title="Quokka sightings")

    html = search(client, "quokka").content.decode()
    assert "</mark> sightings" in html and "2 results" in html


def test_an_unpublished_article_disappears_from_the_next_search(client):
    ArticleFactory(title="Quokka census")
    hidden = ArticleFactory(title="Quokka sightings")
    assert "</mark> sightings" in searched_again(client, "quokka").content.decode()

    hidden.status = Status.DRAFT
    hidden.save()

    response = search(client, "quokka")
    assert titles(response) == ["Quokka census"]
    assert "sightings" not in response.content.decode()


def test_a_scheduled_article_appears_in_a_cached_search_when_its_time_comes(client):
    go_live = timezone.now() + datetime.timedelta(hours=2)
    ArticleFactory(title="Quokka census")
    ArticleFactory(title="Quokka sightings", published_at=go_live)
    assert "sightings" not in searched_again(client, "quokka").content.decode()

    with time_machine.travel(go_live + datetime.timedelta(seconds=1)):
        assert "Quokka sightings" in titles(search(client, "quokka"))


def test_a_signatory_appears_in_search_when_its_scheduled_declaration_does(client):
    # Its public filter is compiled once, with "now" three queries deep.
    go_live = timezone.now() + datetime.timedelta(hours=2)
    declaration = DeclarationFactory(title="Embargoed text", published_at=go_live)
    SignatureFactory(declaration=declaration, signatory__name="Quokka Institute")
    assert "Institute" not in searched_again(client, "quokka").content.decode()

    with time_machine.travel(go_live + datetime.timedelta(seconds=1)):
        assert titles(search(client, "quokka")) == ["Quokka Institute"]


def test_search_works_with_the_page_cache_off(client, settings, monkeypatch):
    settings.PAGE_CACHE_ENABLED = False
    stored = []
    monkeypatch.setattr(SiteSearch, "_cache_set", lambda *args: stored.append(args))
    ArticleFactory(title="Quokka census")

    for _ in range(2):
        response = search(client, "quokka")
        assert titles(response) == ["Quokka census"]
        assert "X-Cache" not in response
    assert stored == []


def test_search_works_when_the_cache_is_down(client, monkeypatch):
    ArticleFactory(title="Quokka census")

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(page_cache.page_cache(), "get", down)
    monkeypatch.setattr(page_cache.page_cache(), "set", down)

    assert titles(search(client, "quokka")) == ["Quokka census"]


def test_any_page_number_gives_a_page(client):
    ArticleFactory.create_batch(25, title="Quokka report")

    for page, shown in [("abc", 1), ("0", 1), ("-3", 1), ("2", 2), ("9" * 40, 2)]:
        response = search(client, "quokka", page=page)
        assert response.context["page_obj"].number == shown, page


# -- counting and ranking ----------------------------------------------------------


def test_counts_stop_at_the_limit_and_say_so(client, monkeypatch):
    monkeypatch.setattr(site_search, "COUNT_LIMIT", 3)
    ArticleFactory.create_batch(5, title="Quokka report")
    SignatureFactory(signatory__name="Quokka Institute")

    response = search(client, "quokka")
    html = response.content.decode()

    assert "4+ results for" in html
    assert "Articles (3+)" in html and "Signatories (1)" in html


def a_common_word(monkeypatch, limit=2):
    """More than `limit` matches of one kind rank that kind in tiers."""
    monkeypatch.setattr(site_search, "EXACT_RANK_LIMIT", limit)


def test_a_common_word_ranks_title_and_summary_matches_first_then_newest(
    client, monkeypatch
):
    a_common_word(monkeypatch)
    now = timezone.now()
    ArticleFactory(
        title="Older notes",
        body="A quokka, twice: quokka.",
        published_at=now - datetime.timedelta(days=3),
    )
    ArticleFactory(title="Newer notes", body="A quokka.", published_at=now)
    ArticleFactory(title="In the summary", lede="About the quokka.")
    ArticleFactory(title="Quokka in the title", body="Nothing else.")

    assert titles(search(client, "quokka")) == [
        "Quokka in the title",
        "In the summary",
        "Newer notes",
        "Older notes",
    ]


def test_pages_of_a_common_word_follow_on_from_each_other(monkeypatch):
    a_common_word(monkeypatch)
    now = timezone.now()
    for n in range(5):
        ArticleFactory(title=f"Quokka {n}", lede="A quokka, a quokka.")
        ArticleFactory(
            title=f"Notes {n}",
            body="quokka",
            published_at=now - datetime.timedelta(hours=n),
        )

    everything = SiteSearch("quokka").matches[:10]
    in_pages = [
        row
        for start in (0, 3, 6, 9)
        for row in SiteSearch("quokka").matches[start : start + 3]
    ]

    assert in_pages == everything
    assert len({(kind, pk) for kind, pk, _rank, _title in everything}) == 10


def test_a_word_in_very_many_titles_lists_them_newest_first(client, monkeypatch):
    a_common_word(monkeypatch)
    monkeypatch.setattr(site_search, "HEAD_RANK_LIMIT", 2)
    now = timezone.now()
    for days, title in enumerate(["Quokka", "Quokka, quokka, quokka", "A quokka"]):
        ArticleFactory(title=title, published_at=now - datetime.timedelta(days=days))
    ArticleFactory(title="Notes", body="quokka", published_at=now)

    assert titles(search(client, "quokka")) == [
        "Quokka",
        "Quokka, quokka, quokka",
        "A quokka",
        "Notes",  # the body only: after every head match, however new
    ]
    pages = [SiteSearch("quokka").matches[n : n + 1] for n in range(4)]
    assert [row for page in pages for row in page] == SiteSearch("quokka").matches[:4]


def test_a_name_typed_exactly_still_comes_first_among_many_matches(client, monkeypatch):
    a_common_word(monkeypatch)
    for n in range(4):
        SignatureFactory(
            signatory__name=f"Quokka watchers {n}",
            signatory__description="Quokka quokka.",
        )
    SignatureFactory(signatory=SignatoryFactory(name="Quokka"))

    assert titles(search(client, "quokka"))[0] == "Quokka"


def test_drafts_stay_out_of_every_tier(client, monkeypatch):
    a_common_word(monkeypatch)
    ArticleFactory.create_batch(3, title="Quokka report")
    ArticleFactory.create_batch(3, title="Notes", body="quokka")
    ArticleFactory(title="Quokka DRAFT-MARKER", draft=True)
    ArticleFactory(title="Notes", body="quokka DRAFT-MARKER", draft=True)
    ArticleFactory(title="Quokka SCHEDULED-MARKER", scheduled=True)

    response = search(client, "quokka")

    assert len(titles(response)) == 6
    assert "MARKER" not in response.content.decode()


# -- showing -----------------------------------------------------------------------


def test_a_late_match_in_a_long_body_is_found_for_the_snippet():
    text = (
        " ".join(f"word{i}" for i in range(2000)) + " the quokka sleeps " + "tail " * 9
    )

    cut = snippet(text, ["quokka"])

    assert cut.startswith("… word1") and "<mark>quokka</mark> sleeps" in cut


def test_a_snippet_marks_words_with_accents_and_in_capitals():
    cut = snippet("Türkiye’s TURKIYE turkiyes — “Turkiye”", ["turkiye"])

    assert cut == (
        "<mark>Türkiye</mark>’s <mark>TURKIYE</mark> <mark>turkiyes</mark> "
        "— “<mark>Turkiye</mark>”"
    )


# -- statements planned once (PostgreSQL) ------------------------------------------

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)


def prepared_statements():
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@on_postgresql
def test_search_statements_are_prepared_and_djangos_own_are_not(client):
    ArticleFactory(title="Quokka census", body="Wombats too.")
    words = ["quokka", "wombat", "census", "quokka census", "wombat census", "too"]
    seen = []

    def watch(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        for query in words:  # six different searches: one statement's text
            search(client, query)

    prepared = prepared_statements()
    counting = [sql for sql in prepared if "COUNT(*)" in sql]
    assert counting and all("$1" in sql for sql in counting)
    # Django's cursors bind on the client: the rows' fetch is never prepared.
    assert not [sql for sql in prepared if '"articles_article"."slug"' in sql]
    # Still seen by Django's execute wrappers (the page cache's watch).
    assert sum("COUNT(*)" in sql for sql in seen) >= 6


@on_postgresql
def test_a_prepared_statement_sees_the_public_status_not_a_parameter(client):
    """A prepared statement's plan is made once for any parameters. With the
    status a parameter, the planner took the status index for a selective
    one and read every article's search vector along it: 20 ms for a rare
    word on 10,000 articles, against 1 ms through the GIN index. Only the
    moment, which changes, stays a parameter."""
    ArticleFactory(title="Quokka census", body="Wombats too.")
    for query in ["quokka", "wombat", "census", "too", "quokka census", "zebra"]:
        search(client, query)

    prepared = [sql for sql in prepared_statements() if "COUNT(*)" in sql]
    assert prepared
    for sql in prepared:
        assert '"articles_article"."status" = \'published\'' in sql
        assert not re.search(r'"status"\)? = \$\d', sql)


@on_postgresql
def test_constants_are_written_in_as_the_server_would_quote_them():
    moment = timezone.now()
    sql, params = inline_constants(
        "a = %s AND b LIKE '50%%' AND c <= %s AND d = %s",
        ["it's 5% off", moment, 7],
        keep=moment,
    )

    assert sql == "a = 'it''s 5%% off' AND b LIKE '50%%' AND c <= %s AND d = 7"
    assert params == [moment]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM (SELECT 'it''s 5%% off' AS a, 7 AS d, "
            "'2000-01-01'::timestamptz AS c, '50%%' AS b) t WHERE " + sql,
            params,
        )
        assert cursor.fetchall() == [(1,)]


@on_postgresql
def test_without_prepared_statements_search_uses_djangos_cursor(client, monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "OPTIONS", {})
    ArticleFactory(title="Quokka census")

    found = [
        titles(search(client, query))
        for query in ["quokka", "census", "quokka census", "census quokka", "cens"]
    ]

    assert found[:4] == [["Quokka census"]] * 4
    assert not [sql for sql in prepared_statements() if "COUNT(*)" in sql]


@on_postgresql
def test_a_word_in_very_many_titles_is_never_planned_blind(client, monkeypatch):
    """Read newest first, the planner must see the words (core.search.matches):
    such a statement is not prepared, where its plan would be made without them."""
    a_common_word(monkeypatch)
    monkeypatch.setattr(site_search, "HEAD_RANK_LIMIT", 2)
    ArticleFactory.create_batch(4, title="Quokka")

    for _ in range(6):
        SiteSearch("quokka").matches[:10]

    assert not [sql for sql in prepared_statements() if "result_kind" in sql]
