"""Site search: what a visitor finds, and what they are told when nothing can be."""

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from articles.models import Article
from core.search import mark_words, model_code, snippet
from tests.factories import (
    ArticleFactory,
    DeclarationFactory,
    SignatoryFactory,
    SignatureFactory,
    SummitFactory,
)
from tests.search_helpers import search, titles

pytestmark = pytest.mark.django_db


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


def test_a_draft_summits_name_and_city_never_find_its_published_declarations(
    client,
):
    # Found by a crawl: the declaration was indexed with its summit's words,
    # so a guessed name confirmed a summit nobody had announced.
    summit = SummitFactory(name="Quixotic Summit", city="Xanadu", draft=True)
    DeclarationFactory(title="Public text", summit=summit, kind="statement")

    for query in ("Quixotic", "Xanadu", "Xanadu statement"):
        assert titles(search(client, query)) == [], query

    summit.status = "published"
    summit.published_at = timezone.now()
    summit.save()  # publishing re-indexes its declarations
    assert "Public text" in titles(search(client, "Xanadu"))


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
            SummitFactory(name=f"Omega {i:03} summit")
            DeclarationFactory(title=f"Omega {i:03} declaration")
            SignatureFactory(signatory__name=f"Omega {i:03} signatory")
            ArticleFactory(title=f"Omega {i:03} article")

    build(0, 5)
    search(client, "omega")  # the catalogue of names is cached from here on
    # The count of each kind, one page of the union, the page's articles;
    # the menus of editors' pages come from their cached fragments.
    with django_assert_num_queries(3):
        search(client, "omega", kind="article")
    build(5, 100)
    search(client, "omega")
    with django_assert_num_queries(3):
        search(client, "omega", kind="article")
    # Every kind on one page: one query more per kind, never per result.
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        response = search(client, "omega")
    kinds = {result.kind for result in response.context["results"]}
    # Cold: the next publication, the catalogue (summits, declarations,
    # signatories and their other names, series, groups, pages), then as
    # above with the menus.
    assert len(cold.captured_queries) == 1 + 7 + 3 + len(kinds)


def test_highlighting_escapes_the_text_but_keeps_the_marks():
    marked = mark_words("<b>x</b> & Summits <script>", ["summit"])

    assert marked == "&lt;b&gt;x&lt;/b&gt; &amp; <mark>Summits</mark> &lt;script&gt;"


def test_highlighting_matches_whole_words_without_accents():
    marked = mark_words("Ukraine, the UK and Türkiye", ["uk", "turkiye"])

    assert marked == "Ukraine, the <mark>UK</mark> and <mark>Türkiye</mark>"


def test_a_snippet_from_an_empty_summary_does_not_start_with_an_ellipsis():
    assert snippet(" … The summit met.", ["summit"]) == "The <mark>summit</mark> met."


def test_snippets_drop_markdown_noise():
    text = "## Why **compute** [caps](https://x.org/a) matter"

    assert snippet(text, ["compute"]) == "Why <mark>compute</mark> caps matter"


def test_a_snippet_is_cut_around_the_first_match():
    text = " ".join(f"word{i}" for i in range(200)) + " verification " + "tail " * 50

    cut = snippet(text, ["verification"])

    assert cut.startswith("… ") and cut.endswith(" …")
    assert "<mark>verification</mark>" in cut and "word0 " not in cut


def test_every_searchable_model_has_its_own_index_code():
    from home.search import SOURCES

    codes = [model_code(source.model) for source in SOURCES]

    assert len(set(codes)) == len(codes)


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


def test_word_forms_match_on_both_databases(client):
    # English stems: PostgreSQL's snowball, SQLite's porter tokenizer.
    ArticleFactory(title="Governments signing the pledge")
    ArticleFactory(title="A pledge signed in Seoul")

    assert len(titles(search(client, "signs"))) == 2
    # Operators are words like any other, never syntax: "-seoul" needs Seoul.
    assert titles(search(client, "pledge -seoul")) == ["A pledge signed in Seoul"]


def test_snippet_highlights_matches_and_escapes_markup(client):
    ArticleFactory(
        title="Markup",
        lede="Safety institutes say 3 < 4 & <script>alert(1)</script> <b>x</b>.",
    )

    html = search(client, "institutes").content.decode()

    assert "<mark>institutes</mark> say 3 &lt; 4 &amp;" in html
    assert "<script>alert" not in html and "<b>x" not in html


def test_the_index_follows_edits_and_deletions(client):
    article = ArticleFactory(title="Before")
    article.title = "Afterwards renamed"
    article.save()

    assert titles(search(client, "renamed")) == ["Afterwards renamed"]
    assert titles(search(client, "before")) == []
    article.delete()
    assert titles(search(client, "renamed")) == []


def test_a_summit_renamed_moves_its_declarations_in_search(client):
    summit = SummitFactory(name="Old summit", city="Oldtown")
    DeclarationFactory(title="A communique", summit=summit)
    summit.city = "Newcastle"
    summit.save()

    assert titles(search(client, "Newcastle communique")) == ["A communique"]
    assert titles(search(client, "Oldtown")) == []


def test_rebuild_command_restores_an_index_written_without_a_save(client):
    ArticleFactory(title="Lost vector")
    Article.objects.bulk_create([Article(title="Bulk written", slug="bulk-written")])
    Article.objects.update(status="published", published_at=timezone.now())
    assert titles(search(client, "bulk")) == []

    call_command("rebuild_search_index", verbosity=0)

    cache.clear()
    assert titles(search(client, "bulk")) == ["Bulk written"]
    assert titles(search(client, "lost")) == ["Lost vector"]


def test_rebuild_command_reports_what_it_indexed(capsys):
    ArticleFactory(title="Counted")

    call_command("rebuild_search_vectors")  # the former name still works

    assert "Article: indexed 1 rows." in capsys.readouterr().out
