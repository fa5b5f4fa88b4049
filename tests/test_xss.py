"""Stored XSS: hostile text in any field never becomes executable markup.

The corpus (tests/data/xss_vectors.py) goes through every markdown field, the
editor's preview, and the titles and ledes printed on pages, feeds, JSON-LD
and meta tags. Output is judged by parsing it as a browser would and looking
at the elements and attributes that result, not by searching for strings:
`&lt;script&gt;` as text is harmless, `<script>` as an element is not.
"""

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from core.markdown import ALLOWED_TAGS, plain_text, render_markdown
from tests.data.xss_vectors import TITLE_VECTORS, VECTORS
from tests.factories import (
    ArticleFactory,
    DeclarationFactory,
    SignatureFactory,
    SummitFactory,
)

SAFE_SCHEMES = {"http", "https", "mailto"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "data"}
NEVER_ON_A_PAGE = {"iframe", "object", "embed", "frame", "frameset", "applet", "base"}
# PostgreSQL text cannot hold NUL, and nothing lets one in (forms and the
# importer refuse it: see test_nul_characters_are_refused_*), so vectors that
# reach the database leave it out; the renderer and preview still get them all.
STORABLE_VECTORS = [(f, text) for f, text in VECTORS if "\x00" not in text]
ALL_VECTORS = "\n\n".join(text for _family, text in STORABLE_VECTORS)


def url_scheme(value):
    """The scheme a browser would see, or "" for a relative URL.

    Browsers drop tabs and newlines anywhere and spaces and control
    characters at the ends; a scheme is a letter followed by letters, digits,
    `+`, `-` or `.` before the first colon (so `java%0ascript:` is a path).
    """
    cleaned = "".join(ch for ch in value if ch not in "\t\n\r").strip(
        "".join(map(chr, range(0x21)))
    )
    match = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", cleaned)
    return match.group(1).lower() if match else ""


class Elements(HTMLParser):
    """Every element and attribute a browser would build from `html`."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.elements = []  # (tag, {attr: value})
        self.scripts = []  # (attrs, text)
        self._in_script = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        self.elements.append((tag, attributes))
        if tag == "script":
            self._in_script = (attributes, [])

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        if self._in_script is not None:
            self._in_script[1].append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._in_script is not None:
            attributes, text = self._in_script
            self.scripts.append((attributes, "".join(text)))
            self._in_script = None


def executable_markup(html, allowed_tags=None):
    """A list of problems: anything in `html` that could run script."""
    parsed = Elements(html)
    problems = []
    for tag, attributes in parsed.elements:
        if allowed_tags is not None and tag not in allowed_tags:
            problems.append(f"<{tag}> is not allowed here")
        if tag in NEVER_ON_A_PAGE:
            problems.append(f"<{tag}>")
        if tag == "meta" and "http-equiv" in attributes:
            problems.append(f"<meta http-equiv={attributes['http-equiv']}>")
        for name, value in attributes.items():
            if name.startswith("on"):
                problems.append(f"<{tag} {name}=…>")
            if name in {"style", "srcdoc"}:
                problems.append(f"<{tag} {name}=…>")
            if name in URL_ATTRIBUTES and url_scheme(value) not in SAFE_SCHEMES | {""}:
                problems.append(f"<{tag} {name}={value!r}>")
    for attributes, text in parsed.scripts:
        kind = attributes.get("type", "")
        if kind == "application/ld+json":
            # Data, not code; it must parse, and hold no raw `<` that could
            # close the element early.
            json.loads(text)
            if "<" in text:
                problems.append("raw '<' inside JSON-LD")
        elif not attributes.get("src", "").startswith("/static/"):
            problems.append(f"inline or foreign <script {attributes}>")
    return problems


def assert_inert(html, where, allowed_tags=None):
    problems = executable_markup(html, allowed_tags)
    assert not problems, f"executable markup in {where}: {problems}"


# --- the pipeline itself -----------------------------------------------------


def test_the_corpus_is_big_enough_and_covers_every_family():
    families = {family for family, _text in VECTORS}
    assert len(VECTORS) >= 40
    assert families >= {
        "script",
        "event",
        "url",
        "svg",
        "mathml",
        "markdown-link",
        "markdown-image",
        "reference",
        "autolink",
        "raw-html",
        "broken",
    }


def test_the_checker_itself_catches_what_it_should():
    # A check that cannot fail proves nothing.
    assert executable_markup('<img src=x onerror="alert(1)">')
    assert executable_markup("<script>alert(1)</script>")
    assert executable_markup('<a href=" java\tscript:alert(1)">x</a>')
    assert executable_markup('<p style="x">x</p>')
    assert executable_markup("<iframe src=/x></iframe>")
    assert not executable_markup("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>")
    assert not executable_markup('<a href="/relative">x</a>')


@pytest.mark.parametrize(
    "text", [text for _f, text in VECTORS], ids=[f for f, _t in VECTORS]
)
def test_render_markdown_leaves_nothing_executable(text):
    assert_inert(render_markdown(text), repr(text), allowed_tags=ALLOWED_TAGS)


def test_links_to_other_sites_get_rel_noopener_noreferrer():
    html = render_markdown(
        "[a](https://a.example) <https://b.example> [c][c]\n\n[c]: https://c.example"
        '\n\n<a href="https://d.example" rel="opener" target="_blank">d</a>'
    )
    anchors = [attrs for tag, attrs in Elements(html).elements if tag == "a"]
    assert len(anchors) == 4
    for attrs in anchors:
        assert attrs["rel"] == "noopener noreferrer"
        assert "target" not in attrs


def test_safe_links_images_and_relative_urls_survive():
    html = render_markdown(
        "[site](https://example.org/a?b=1) [mail](mailto:press@example.org) "
        "[page](/summits/seoul/) [anchor](#top) ![map](/media/uploads/a.png)"
    )
    assert 'href="https://example.org/a?b=1"' in html
    assert 'href="mailto:press@example.org"' in html
    assert 'href="/summits/seoul/"' in html
    assert 'href="#top"' in html
    assert 'src="/media/uploads/a.png"' in html


def test_ids_and_classes_are_only_those_markdown_makes():
    html = render_markdown(
        'Note[^1] <div id="main" class="preview-banner">fake notice</div>\n\n'
        "```python\nx = 1\n```\n\n[^1]: The source."
    )
    assert 'id="main"' not in html and "preview-banner" not in html
    assert 'id="fn:1"' in html and 'id="fnref:1"' in html
    assert 'class="footnote"' in html and 'class="language-python"' in html


def test_plain_text_removes_every_tag_and_the_content_of_scripts():
    text = plain_text("<p>Seoul &amp; Paris <b>agree</b><script>alert(1)</script>")
    assert text == "Seoul & Paris agree"


# --- every markdown field, saved --------------------------------------------

MARKDOWN_FIELDS = [
    (SummitFactory, "body", "body_html"),
    (DeclarationFactory, "text", "text_html"),
    (ArticleFactory, "body", "body_html"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("factory", "source", "target"),
    MARKDOWN_FIELDS,
    ids=["Summit.body", "Declaration.text", "Article.body"],
)
def test_every_markdown_field_stores_only_inert_html(factory, source, target):
    item = factory(**{source: ALL_VECTORS})
    item.refresh_from_db()
    assert_inert(getattr(item, target), target, allowed_tags=ALLOWED_TAGS)
    for _family, text in STORABLE_VECTORS:
        html = getattr(factory(**{source: text}), target)
        assert_inert(html, f"{target} from {text!r}", allowed_tags=ALLOWED_TAGS)


@pytest.mark.django_db
def test_the_editor_preview_returns_only_inert_html(staff_client):
    for _family, text in VECTORS:
        response = staff_client.post("/markdownx/markdownify/", {"content": text})
        assert response.status_code == 200
        assert_inert(response.content.decode(), f"preview of {text!r}", ALLOWED_TAGS)


# --- pages, feeds, JSON-LD and meta tags ---------------------------------------


@pytest.fixture
def hostile_content(db):
    """Published content whose every text field is hostile."""
    items = []
    for index, title in enumerate(TITLE_VECTORS):
        summit = SummitFactory(
            name=f"{title} summit {index}",
            summary=title,
            city=title[:100],
            body=ALL_VECTORS,
        )
        declaration = DeclarationFactory(
            title=title, summit=summit, summary=title, text=ALL_VECTORS
        )
        SignatureFactory(
            declaration=declaration,
            signatory__name=f"{title} signatory {index}",
            note=title,
        )
        article = ArticleFactory(
            title=title,
            lede=title,
            body=ALL_VECTORS,
            author_name=title[:200],
        )
        article.summits.add(summit)
        article.declarations.add(declaration)
        press = ArticleFactory(
            title=f"{title} press",
            kind="press",
            lede=title,
            outlet=title[:200],
            original_url="https://news.example/story",
            original_published_on="2024-05-22",
        )
        items += [summit, declaration, article, press]
        items += list(declaration.signatories.all())
    return items


def page_urls(items):
    urls = {
        "/",
        "/summits/",
        "/declarations/",
        "/declarations/compare/",
        "/signatories/",
        "/articles/",
        "/search/?q=alert",
        "/search/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    }
    urls.update(item.get_absolute_url() for item in items)
    return sorted(urls)


@pytest.mark.django_db
def test_no_page_holds_executable_markup(client, hostile_content):
    for url in page_urls(hostile_content):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert(response.content.decode(), url)


@pytest.mark.django_db
def test_hostile_titles_are_printed_as_text(client, hostile_content):
    article = next(i for i in hostile_content if i.__class__.__name__ == "Article")
    html = client.get(article.get_absolute_url()).content.decode()
    title_texts = []

    class Titles(HTMLParser):
        def __init__(self):
            super().__init__()
            self.in_title = False

        def handle_starttag(self, tag, attrs):
            self.in_title = tag == "title"

        def handle_data(self, data):
            if self.in_title:
                title_texts.append(data)

    Titles().feed(html)
    assert any(article.title in text for text in title_texts)


@pytest.mark.django_db
def test_meta_tags_keep_hostile_titles_inside_their_attribute(client, hostile_content):
    articles = [i for i in hostile_content if i.__class__.__name__ == "Article"]
    for article in articles:
        html = client.get(article.get_absolute_url()).content.decode()
        metas = [a for tag, a in Elements(html).elements if tag == "meta"]
        titles = [
            a.get("content", "")
            for a in metas
            if a.get("property") == "og:title" or a.get("name") == "twitter:title"
        ]
        assert titles, "no og:title or twitter:title meta tag"
        # The whole hostile title is inside the attribute: it did not end the
        # attribute or the tag early.
        assert all(article.title in content for content in titles), titles
        for attributes in metas:
            assert set(attributes) <= {"name", "property", "content", "charset"}, (
                attributes
            )


def json_strings(data):
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from json_strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from json_strings(value)


@pytest.mark.django_db
def test_json_ld_cannot_be_broken_out_of(client, hostile_content):
    seen = 0
    for item in hostile_content:
        html = client.get(item.get_absolute_url()).content.decode()
        for attributes, text in Elements(html).scripts:
            if attributes.get("type") == "application/ld+json":
                seen += 1
                assert "<" not in text and ">" not in text
                strings = list(json_strings(json.loads(text)))
                # The hostile title is still there, intact, as data.
                assert any(
                    title in string for title in TITLE_VECTORS for string in strings
                ) or ("signatory" in item.get_absolute_url())
    assert seen, "no JSON-LD found on any detail page"


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/articles/feed/", "/articles/atom/"])
def test_feeds_carry_hostile_text_only_as_escaped_text(client, hostile_content, url):
    response = client.get(url)
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # still well-formed XML
    # No element of the feed came from a title: nothing like <script> or
    # <img> was injected into the XML tree.
    tags = {element.tag.split("}")[-1] for element in root.iter()}
    assert not tags & {"script", "img", "svg", "iframe", "body", "title2"}
    texts = [element.text or "" for element in root.iter()]
    for title in TITLE_VECTORS:
        assert any(title in text for text in texts), f"{title!r} lost from {url}"
    # Summaries and content are HTML that readers render: it must be inert.
    for element in root.iter():
        name = element.tag.split("}")[-1]
        if name in {"description", "summary", "content"} and element.text:
            assert_inert(element.text, f"{url} <{name}>")
