"""Markdown is rendered and sanitised once, on save, by one pipeline."""

import pytest

from core.markdown import render_markdown
from tests.factories import ArticleFactory, DeclarationFactory, SummitFactory

pytestmark = pytest.mark.django_db

HOSTILE = (
    "Hello <script>alert(1)</script> "
    '<img src="x" onerror="alert(2)"> '
    "[click](javascript:alert(3)) "
    '<a href="JaVaScRiPt:alert(4)">x</a>'
)


def test_markdown_renders_to_html():
    html = render_markdown(
        "# Title\n\nSome **bold** and a [link](https://example.org)."
    )
    assert "<h1>Title</h1>" in html
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.org"' in html
    assert 'rel="noopener noreferrer"' in html


@pytest.mark.parametrize("factory", [ArticleFactory, SummitFactory])
def test_script_and_event_handlers_never_reach_body_html(factory):
    item = factory(body=HOSTILE)
    html = item.body_html.lower()
    assert "<script" not in html
    assert "onerror" not in html
    assert "javascript:" not in html
    assert "hello" in html


def test_declaration_text_is_rendered_on_save():
    declaration = DeclarationFactory(text="We *agree* <script>x()</script>")
    assert "<em>agree</em>" in declaration.text_html
    assert "<script" not in declaration.text_html


def test_editing_the_markdown_re_renders_the_html():
    article = ArticleFactory(body="first")
    article.body = "second"
    article.save(update_fields=["body"])
    article.refresh_from_db()
    assert "second" in article.body_html


# --- pathological input: the parser's worst cases ------------------------------
# (How long they take is measured in bench, not here; these pin the behaviour.)

ORDINARY = (
    "## Who signed\n\nSee [the text](https://gov.uk/x) and ![a chart](/m/c.png), "
    "[a [nested] link](/a/), a <abbr title='x'>tag</abbr>, and `a[0] < b`.\n"
)


def test_ordinary_text_is_never_touched_by_the_defusing_step():
    from core.markdown import _defuse

    assert _defuse(ORDINARY) == ORDINARY
    # A long but well-formed document too: many brackets, all closed.
    long_text = "\n\n".join(f"[Link {n}](/declarations/{n}/)" for n in range(500))
    assert _defuse(long_text) == long_text


@pytest.mark.parametrize(
    "text",
    ["[" * 4000, "![" * 2000, "[a" * 3000, "[" * 2000 + "x" + "]" * 2000, "<a " * 5000],
    ids=["brackets", "images", "bracket-text", "nested", "unclosed-tags"],
)
def test_runs_of_unclosed_brackets_render_as_text(text):
    html = render_markdown(text)
    assert "<a" not in html and "<img" not in html
    assert html.count("[") + html.count("&lt;") >= 2000


def test_lists_nested_a_thousand_deep_keep_their_words_instead_of_failing():
    html = render_markdown("- " * 1000 + "the last word")
    assert "the last word" in html


def test_links_still_work_in_text_that_also_has_a_run_of_brackets():
    html = render_markdown("[" * 100 + "\n\n[the source](https://gov.uk/x)")
    assert 'href="https://gov.uk/x"' in html


@pytest.mark.django_db
def test_the_preview_refuses_text_over_the_limit_with_a_message(staff_client):
    from core.markdown import MARKDOWN_MAX_CHARS

    response = staff_client.post(
        "/markdownx/markdownify/", {"content": "x" * (MARKDOWN_MAX_CHARS + 1)}
    )
    assert "Too long to preview or save" in response.content.decode()


# ------------------------------------------------ links within the site


@pytest.mark.parametrize(
    "link",
    [
        "/declarations/paris-statement/",
        "#fn:1",
        "../summits/",
        "mailto:press@example.org",
        "SITE/summits/seoul/",  # absolute, to SITE_URL's host
    ],
)
def test_links_to_our_own_pages_carry_no_rel(link, settings):
    settings.SITE_URL = "https://summitwatch.example"
    href = link.replace("SITE", settings.SITE_URL)
    html = render_markdown(f"[ours]({href})")
    assert f'<a href="{href}">ours</a>' in html


@pytest.mark.parametrize(
    "link",
    [
        "https://gov.uk/paris",
        "//summitwatch.example.evil.test/",
        "https://summitwatch.example.evil.test/",
        "http://evil.test/?next=https://summitwatch.example/",
    ],
)
def test_links_to_other_sites_keep_noopener(link, settings):
    settings.SITE_URL = "https://summitwatch.example"
    html = render_markdown(f"[theirs]({link})")
    assert 'rel="noopener noreferrer"' in html
    assert "nofollow" not in html


@pytest.mark.django_db
def test_the_feed_carries_our_links_without_nofollow(client):
    ArticleFactory(body="See [the statement](/declarations/paris/).")
    xml = client.get("/articles/feed/").content.decode()
    assert "http://testserver/declarations/paris/" in xml
    assert "nofollow" not in xml


@pytest.mark.django_db
def test_the_migration_rerenders_stored_nofollow_links_only():
    from django.apps import apps

    from core.migration_operations import rerender_markdown

    stale = DeclarationFactory(text="[ours](/summits/x/)")
    fresh = DeclarationFactory(text="[ours](/summits/y/)")
    type(stale).objects.filter(pk=stale.pk).update(
        text_html='<p><a href="/summits/x/" rel="nofollow noopener noreferrer">'
        "ours</a></p>"
    )
    updated_at = type(stale).objects.get(pk=stale.pk).updated_at

    operation = rerender_markdown(
        "summits.Declaration", {"text": "text_html"}, 'rel="nofollow'
    )
    operation.code(apps, None)

    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.text_html == '<p><a href="/summits/x/">ours</a></p>'
    assert stale.updated_at == updated_at  # a re-render is not an edit
    assert fresh.text_html == '<p><a href="/summits/y/">ours</a></p>'
