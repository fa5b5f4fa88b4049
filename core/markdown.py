"""The one markdown pipeline: Python-Markdown, then nh3.

Models render their markdown fields through `render_markdown` on save, and the
markdownx live preview calls the same function (MARKDOWNX_MARKDOWNIFY_FUNCTION),
so what an editor previews is exactly what visitors get. Editors paste from the
web, so the output is sanitised with an allowlist of what markdown produces:
anything else (scripts, event handlers, styles, iframes, forms, javascript:
URLs) is dropped here, once, and templates can print the stored HTML.
"""

import html
import re
import threading
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import markdown
import nh3
from django.conf import settings
from django.core.validators import MaxLengthValidator

from core.renditions import picture_html, renditions_for

MARKDOWN_EXTENSIONS = [
    "markdown.extensions.extra",  # tables, footnotes, fenced code, attr lists
    "markdown.extensions.sane_lists",
    "markdown.extensions.smarty",
]

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt",
    "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "img", "ins", "li", "ol",
    "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "ul",
}  # fmt: skip

ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "td": {"align", "colspan", "rowspan"},
    "ol": {"start"},
    # Footnotes from the "extra" extension link back and forth by id.
    "li": {"id"},
    "sup": {"id"},
    "div": {"class"},
    "code": {"class"},
}

ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
# Links to other sites. Not "nofollow": what editors link to are the sources
# and coverage the record stands on, written by accountable staff, not
# visitors' comments; search engines may follow them as citations.
# "noopener noreferrer": the other site gets no handle on our window and
# learns nothing of which page sent the reader.
EXTERNAL_LINK_REL = "noopener noreferrer"
# Removed with everything inside them, not just unwrapped to text.
REMOVED_WITH_CONTENT = {"script", "style", "template", "noscript", "iframe", "object"}

# `id` and `class` are kept only with the values markdown itself produces.
# An editor's own id could clobber the page's ids or DOM globals that scripts
# look up; an own class could dress text up as a site notice.
_ALLOWED_VALUES = {
    "id": re.compile(r"fn(ref)?:[\w.-]+"),  # footnotes: fn:1, fnref:1
    "class": re.compile(r"footnote|language-[\w+#.-]+"),  # footnotes, code
}


def _keep_attribute(tag, attribute, value):
    pattern = _ALLOWED_VALUES.get(attribute)
    if pattern is None or pattern.fullmatch(value):
        return value
    return None


def sanitise_html(html_text):
    """Reduce HTML to the allowlist; relative URLs stay, other schemes go.

    nh3 (ammonia) parses like a browser, so broken and nested tags are
    judged as a browser would read them, and URLs are checked after entity
    decoding (`&#106;avascript:`) and whitespace removal.
    """
    cleaned = nh3.clean(
        html_text,
        tags=ALLOWED_TAGS,
        clean_content_tags=REMOVED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_keep_attribute,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=None,  # set per link below; any rel an editor wrote is dropped
        strip_comments=True,
    )
    return _mark_external_links(cleaned)


# nh3 writes each tag's attributes double-quoted, `"` inside escaped, so in
# its output this finds every link's opening tag and its href.
_ANCHOR = re.compile(r'<a\b([^>]*?)\bhref="([^"]*)"')


def is_internal_url(url):
    """A link to this site: relative ("/summits/…", "#fn:1") or absolute to
    SITE_URL's host. Mail links are neither and get no rel either."""
    parts = urlsplit(html.unescape(url))
    if parts.scheme == "mailto" or (not parts.scheme and not parts.netloc):
        return True
    site_host = urlsplit(settings.SITE_URL).hostname
    return parts.scheme in ("http", "https") and parts.hostname == site_host


def _mark_external_links(html_text):
    """Our own pages carry no rel (crawlers follow our records); other sites'
    links get EXTERNAL_LINK_REL."""

    def mark(match):
        before, url = match.groups()
        if is_internal_url(url):
            return match.group(0)
        return f'<a{before}href="{url}" rel="{EXTERNAL_LINK_REL}"'

    return _ANCHOR.sub(mark, html_text)


def plain_text(text):
    """Text with every tag removed, for places that take no markup.

    For meta descriptions, feed summaries and the like built from HTML or
    markdown: the result is plain text (entities decoded), so print it with
    autoescaping on, never with `|safe`.
    """
    if not text:
        return ""
    stripped = nh3.clean(text, tags=set(), clean_content_tags=REMOVED_WITH_CONTENT)
    return " ".join(html.unescape(stripped).split())


# Far beyond any article (a long one is 30,000 characters), and small enough
# that the parser's worst cases stay well under a request's time limit.
MARKDOWN_MAX_CHARS = 100_000
# Python-Markdown looks for the end of each "[" (a link) and each "<" (a raw
# tag) by scanning ahead, so text with thousands of unclosed ones takes
# seconds to minutes. Real text has a handful; past these counts, or nested
# deeper than any real link, they are escaped before parsing.
_MAX_UNCLOSED = 50
_MAX_BRACKET_DEPTH = 8


def _defuse(text):
    """Escape the brackets that would make the parser quadratic.

    Linear, and a no-op for ordinary text: only unclosed "[" (or "[" nested
    absurdly deep) and "<" with no ">" after them are escaped, and only when
    there are more of them than real writing has.
    """
    escape_at = set()
    if text.count("[") > _MAX_UNCLOSED:
        open_brackets, pairs = [], {}
        for index, char in enumerate(text):
            if char == "[":
                open_brackets.append(index)
            elif char == "]" and open_brackets:
                pairs[open_brackets.pop()] = index
        # What is left open was never closed. Depth counts closed pairs only,
        # so a run of stray "[" does not make the real links after it deep.
        closing, depth, too_deep = set(pairs.values()), 0, []
        for index in sorted((*pairs, *closing)):
            if index in pairs:
                depth += 1
                if depth > _MAX_BRACKET_DEPTH:
                    too_deep.append(index)
            elif index in closing:
                depth -= 1
        if len(open_brackets) > _MAX_UNCLOSED or too_deep:
            escape_at.update(open_brackets, too_deep)
    if text.count("<") > _MAX_UNCLOSED:
        unclosed, closed_later = [], False
        for index in range(len(text) - 1, -1, -1):
            if text[index] == ">":
                closed_later = True
            elif text[index] == "<" and not closed_later:
                unclosed.append(index)
        if len(unclosed) > _MAX_UNCLOSED:
            escape_at.update(unclosed)
    if not escape_at:
        return text
    entity = {"[": "&#91;", "<": "&lt;"}
    return "".join(
        entity[char] if index in escape_at else char for index, char in enumerate(text)
    )


markdown_length = MaxLengthValidator(
    MARKDOWN_MAX_CHARS,
    message="Keep this under %(limit_value)s characters (it has %(show_value)s).",
)


def render_preview(text):
    """The editor's live preview: `render_markdown`, within the same limit."""
    if len(text or "") > MARKDOWN_MAX_CHARS:
        return (
            f"<p><strong>Too long to preview or save:</strong> keep the text under "
            f"{MARKDOWN_MAX_CHARS:,} characters (it has {len(text):,}).</p>"
        )
    return render_markdown(text)


_parsers = threading.local()


def _parse(text):
    # Building a parser (its extensions and their ~60 patterns) costs a tenth
    # of a render; an import renders thousands. One per thread, reset before
    # each text, as Python-Markdown documents for converting many texts.
    parser = getattr(_parsers, "parser", None)
    if parser is None:
        parser = markdown.Markdown(extensions=MARKDOWN_EXTENSIONS, output_format="html")
        _parsers.parser = parser
    try:
        return parser.reset().convert(_defuse(text))
    except BaseException:
        # A run cut short (RecursionError) may leave state reset() misses.
        _parsers.parser = None
        raise


# What Python-Markdown itself writes and sanitising trims by design (footnote
# link classes, table column alignment): not the editor's doing, not reported.
_MARKDOWNS_OWN = re.compile(r"class=footnote-[\w-]+|style=text-align: \w+;?")


class _ElementCounter(HTMLParser):
    """Counts tags and (tag, attribute) pairs of an HTML text."""

    def __init__(self, html_text):
        super().__init__(convert_charrefs=True)
        self.tags, self.attributes = Counter(), Counter()
        self.feed(html_text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags[tag] += 1
        for name, value in attrs:
            self.attributes[tag, name, value or ""] += 1

    handle_startendtag = handle_starttag


def removed_html(text):
    """What sanitising would drop from `text`'s rendering, for the editor.

    ["<script>", "the onclick attribute of <p>", …]: the elements and
    attributes of the raw rendering that the sanitised one lacks. Editors are
    told on save rather than finding their text silently changed.
    """
    if not text or len(text) > MARKDOWN_MAX_CHARS:
        return []
    try:
        raw = _parse(text)
    except RecursionError:
        return []
    before, after = _ElementCounter(raw), _ElementCounter(sanitise_html(raw))
    removed = [f"<{tag}>" for tag in sorted(before.tags - after.tags)]
    gone_tags = set(before.tags) - set(after.tags)
    for tag, name, value in sorted(before.attributes - after.attributes):
        if tag in gone_tags or _MARKDOWNS_OWN.fullmatch(f"{name}={value}"):
            continue
        if name in ("href", "src") and value:
            removed.append(f"the address “{value}” in <{tag}>")
        else:
            removed.append(f"the {name} attribute of <{tag}>")
    return list(dict.fromkeys(removed))


def render_markdown(text):
    """Render editor-written markdown to safe HTML."""
    if not text:
        return ""
    try:
        rendered = _parse(text)
    except RecursionError:
        # Lists or quotes nested hundreds deep: nobody writes that on purpose.
        # Keep the words, as plain paragraphs, rather than fail the save.
        rendered = "".join(
            f"<p>{html.escape(paragraph)}</p>"
            for paragraph in text.split("\n\n")
            if paragraph.strip()
        )
    return use_renditions(sanitise_html(rendered))


# The column markdown is shown in (var(--prose), 44rem) at most.
MARKDOWN_IMAGE_SIZES = "(min-width: 46rem) 44rem, calc(100vw - 2rem)"
# nh3 writes every attribute double-quoted, with `"` inside escaped.
_IMG = re.compile(r"<img ([^>]*)>")
_ATTRIBUTE = re.compile(r'([a-z]+)="([^"]*)"')


def use_renditions(html_text):
    """Sanitised HTML whose uploaded images become `<picture>`s of their
    renditions (core.renditions), where renditions were made.

    After sanitising, on purpose: editors cannot write `<picture>`,
    `<source>` or `srcset` themselves (nh3 keeps none of them); only images
    we stored and resized get them, built from our own manifest. Images
    from elsewhere, or uploaded before renditions existed, stay as they are.
    """
    media_url = settings.MEDIA_URL
    if f'src="{media_url}' not in html_text:
        return html_text

    def replace(match):
        attributes = {
            k: html.unescape(v) for k, v in _ATTRIBUTE.findall(match.group(1))
        }
        src = attributes.get("src", "")
        if not src.startswith(media_url):
            return match.group(0)
        found = renditions_for(src.removeprefix(media_url))
        if found is None:
            return match.group(0)
        return picture_html(found, attributes.get("alt", ""), MARKDOWN_IMAGE_SIZES)

    return _IMG.sub(replace, html_text)


# nh3 writes every attribute double-quoted, with `"` inside escaped, so this
# finds exactly the URL attributes of sanitised HTML.
_URL_ATTRIBUTE = re.compile(r'\b(href|src)="([^"]*)"')


def absolutise_urls(html_text, base_url):
    """Sanitised HTML with its relative links and images made absolute.

    For HTML read away from the site, such as feed items: a reader resolves
    `/declarations/…` against nothing. Only relative URLs change (sanitising
    left no other schemes than http, https and mailto).
    """

    def absolute(match):
        attribute, url = match.groups()
        if urlsplit(html.unescape(url)).scheme:
            return match.group(0)
        return f'{attribute}="{urljoin(base_url, url)}"'

    return _URL_ATTRIBUTE.sub(absolute, html_text)
