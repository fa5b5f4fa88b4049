"""Site search: what a visitor finds, and what they are told when nothing can be."""

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from articles.models import Article
from core.cache import content_changes_batched
from core.search import highlight
from tests.factories import (
    ArticleFactory,
    DeclarationFactory,
    SignatoryFactory,
    SignatureFactory,
    SummitFactory,
)

pytestmark = pytest.mark.django_db

SEARCH = reverse("home:search")


def search(client, query, **params):
    response = client.get(SEARCH, {"q": query, **params})
    assert response.status_code == 200
    return response


def titles(response):
    return [result.title for result in response.context["results"]]


def needs_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("full-text search runs on PostgreSQL only")


def test_search_finds_every_kind_of_content_by_title(client):
    SummitFactory(name="Bletchley Park Summit")
    DeclarationFactory(title="The Bletchley Declaration")
    SignatureFactory(signatory__name="Bletchley Institute")
    SignatoryFactory(name="Bletchley Lab")  # no published position: not public
    ArticleFactory(title="Bletchley, two years later")

    response = search(client, "Bletchley")

    assert sorted(titles(response)) == [
        "Bletchley Institute",
        "Bletchley Park Summit",
        "Bletchley, two years later",
        "The Bletchley Declaration",
    ]
    assert "4 results for “Bletchley”" in response.content.decode()


def test_search_finds_words_in_the_body(client):
    ArticleFactory(title="A quiet week", body="Talks on frontier compute thresholds.")

    assert titles(search(client, "thresholds")) == ["A quiet week"]


def test_search_results_never_include_drafts_or_scheduled_items(client):
    SummitFactory(name="Zephyr summit DRAFT-MARKER", draft=True)
    DeclarationFactory(title="Zephyr declaration DRAFT-MARKER", draft=True)
    ArticleFactory(title="Zephyr article", body="zephyr DRAFT-MARKER", draft=True)
    ArticleFactory(title="Zephyr later SCHEDULED-MARKER", scheduled=True)
    ArticleFactory(title="Zephyr published")

    response = search(client, "zephyr")

    assert titles(response) == ["Zephyr published"]
    assert "MARKER" not in response.content.decode()


@pytest.mark.parametrize(
    "query, message",
    [
        ("", "Type a word or a name"),
        ("   ", "Type a word or a name"),
        ("x" * 1000, "too long"),
        ("a" * 201, "too long"),
        ("?!… -- ;;", "punctuation alone"),
    ],
)
def test_a_query_that_cannot_be_searched_gets_a_message_not_an_error(
    client, query, message
):
    response = search(client, query)

    assert message in response.content.decode()
    assert "results" not in response.context


def test_a_query_of_two_hundred_characters_is_still_searched(client):
    response = search(client, "a" * 200)

    assert response.context["results"] == []
    assert "Nothing found" in response.content.decode()


def test_search_syntax_a_visitor_might_type_never_errors(client):
    for query in ['"open quote', "a & b | c", "!!x", "(x", "x:*", "' OR 1=1"]:
        html = search(client, query).content.decode()
        assert "Nothing found" in html, query
        assert f'value="{escape(query)}"' in html, "the box keeps what was typed"
    assert "punctuation alone" in search(client, "-").content.decode()


def test_search_result_pages_are_kept_out_of_search_engines(client):
    response = search(client, "anything")

    assert response["X-Robots-Tag"] == "noindex"
    assert '<meta name="robots" content="noindex">' in response.content.decode()


def test_search_results_are_paginated_and_keep_the_query(client):
    ArticleFactory.create_batch(25, title="Gamma report")

    first = search(client, "gamma")
    second = search(client, "gamma", page=2)

    assert len(first.context["results"]) == 20
    assert len(second.context["results"]) == 5
    assert "?q=gamma&amp;page=2" in first.content.decode()


def test_search_query_count_does_not_grow(client, django_assert_num_queries):
    def build(start, stop):
        for i in range(start, stop):
            # Titles that sort the four kinds together, so every page of
            # results has all four and fetches each kind once.
            SummitFactory(name=f"Omega {i:03} summit")
            DeclarationFactory(title=f"Omega {i:03} declaration")
            SignatoryFactory(name=f"Omega {i:03} signatory")
            ArticleFactory(title=f"Omega {i:03} article")

    # Batched, as an import saves: one content-version bump per batch.
    with content_changes_batched():
        build(0, 5)
    cache.clear()
    with CaptureQueriesContext(connection) as few:
        search(client, "omega")
    with content_changes_batched():
        build(5, 100)
    cache.clear()
    with django_assert_num_queries(len(few.captured_queries)):
        search(client, "omega")


def test_highlighted_snippets_escape_the_text_but_keep_the_marks():
    snippet = highlight("<b>x</b> & \ue000match\ue001 <script>")

    assert snippet == "&lt;b&gt;x&lt;/b&gt; &amp; <mark>match</mark> &lt;script&gt;"


def test_a_snippet_from_an_empty_summary_does_not_start_with_an_ellipsis():
    assert highlight(" … The \ue000summit\ue001 met.") == "The <mark>summit</mark> met."


def test_snippets_drop_markdown_noise():
    snippet = highlight("## Why **\ue000compute\ue001** [caps](https://x.org/a) matter")

    assert snippet == "Why <mark>compute</mark> caps matter"


# --- ranking, and PostgreSQL full-text search ---------------------------------


def test_a_title_match_ranks_above_a_summary_match_above_a_body_match(client):
    # Full-text rank on PostgreSQL, the fallback's field weights on SQLite:
    # either way not alphabetical ("Also notes" would come first).
    ArticleFactory(title="Notes", body="Some words about verification at the end.")
    ArticleFactory(title="Verification of compute", body="Nothing else.")
    ArticleFactory(title="Also notes", lede="Why verification matters.")

    assert titles(search(client, "verification")) == [
        "Verification of compute",
        "Also notes",
        "Notes",
    ]


def test_postgresql_matches_word_forms_and_phrases(client):
    needs_postgresql()
    ArticleFactory(title="Governments signing the pledge")
    ArticleFactory(title="A pledge signed in Seoul")

    assert len(titles(search(client, "signs"))) == 2
    assert titles(search(client, '"signed in Seoul"')) == ["A pledge signed in Seoul"]
    assert titles(search(client, "pledge -seoul")) == ["Governments signing the pledge"]


def test_postgresql_snippet_highlights_matches_and_escapes_markup(client):
    needs_postgresql()
    ArticleFactory(
        title="Markup",
        lede="Safety institutes say 3 < 4 & <script>alert(1)</script> <b>x</b>.",
    )

    html = search(client, "institutes").content.decode()

    assert "<mark>institutes</mark> say 3 &lt; 4 &amp;" in html
    assert "<script>alert" not in html and "<b>x" not in html


def test_postgresql_search_vector_follows_edits(client):
    needs_postgresql()
    article = ArticleFactory(title="Before")
    article.title = "Afterwards renamed"
    article.save()

    assert titles(search(client, "renamed")) == ["Afterwards renamed"]
    assert titles(search(client, "before")) == []


def test_rebuild_command_restores_vectors_written_without_a_save(client):
    needs_postgresql()
    ArticleFactory(title="Lost vector")
    Article.objects.update(search_vector=None)
    assert titles(search(client, "lost")) == []

    call_command("rebuild_search_vectors", verbosity=0)

    cache.clear()
    assert titles(search(client, "lost")) == ["Lost vector"]


def test_rebuild_command_explains_itself_on_sqlite(capsys):
    if connection.vendor == "postgresql":
        pytest.skip("the SQLite message")

    call_command("rebuild_search_vectors")

    assert "Not PostgreSQL" in capsys.readouterr().out
