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
    assert 'rel="nofollow noopener noreferrer"' in html


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
