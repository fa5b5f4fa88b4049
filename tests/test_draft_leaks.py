"""No draft leaks: nothing unpublished shows anywhere a visitor can look.

A draft and a scheduled item of every kind is created, each with a unique
marker word in its title and text, next to published content that links to
it. Then an anonymous visitor crawls the whole public surface: every page
reachable by links from the home page and the lists (with their
pagination), every URL in the sitemap, the compare matrix with every
declaration asked for by slug (drafts included), every signatory record,
both feeds, a search for each marker, every signatories CSV, and the JSON
export without flags. No marker may appear in any of it.

The surfaces named above must exist: a missing one fails this test rather
than being skipped, so a new surface is never silently unchecked.
"""

import datetime
import io
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from pages.models import Menu
from summits.models import Declaration, Signature
from tests.factories import (
    ArticleFactory,
    DeclarationFactory,
    PageFactory,
    SignatoryFactory,
    SignatureFactory,
    SummitFactory,
)

pytestmark = pytest.mark.django_db

SKIPPED_PREFIXES = ("/admin/", "/markdownx/", "/static/", "/media/")
MAX_PAGES = 1500
ARTICLES_PER_PAGE = 20


def marker(kind, state):
    """A word that appears nowhere else, and survives slugify unchanged."""
    return f"zqleak{kind}{state}"


def search_word(kind, state):
    """A second word in the item's text, to search for.

    The results page rightly echoes the visitor's query, so searching for the
    marker itself would always "find" it. Searching for this word instead,
    a leaked item would still show up with its marker in its title.
    """
    return f"zqfind{kind}{state}"


# In the text of published declarations held by unpublished summits.
PUBLIC_AT_UNPUBLISHED = "zqpublicatunpublished"
SEARCH_WORDS = [
    search_word(kind, state)
    for kind in ("summit", "declaration", "post", "press", "page")
    for state in ("draft", "sched")
] + [PUBLIC_AT_UNPUBLISHED]


class Links(HTMLParser):
    def __init__(self, html):
        super().__init__()
        self.urls = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in {"href", "src", "action"} and value:
                self.urls.append(value)


@pytest.fixture
def unpublished(db):
    """Drafts and scheduled items of every kind, tied to published content.

    Returns the markers, each mapped to a description for failure messages.
    """
    markers = {}
    published_summit = SummitFactory(name="Published Seoul Summit")
    published_declaration = DeclarationFactory(
        title="Published Seoul Declaration", summit=published_summit
    )
    public_signatory = SignatoryFactory(name="Republic of Public")
    SignatureFactory(declaration=published_declaration, signatory=public_signatory)
    # Enough published articles for the list to have a second page.
    for n in range(ARTICLES_PER_PAGE + 1):
        ArticleFactory(title=f"Published article {n}")

    for state, traits in [("draft", {"draft": True}), ("sched", {"scheduled": True})]:
        summit_marker = marker("summit", state)
        summit = SummitFactory(
            name=f"Summit {summit_marker}",
            summary=f"Summary {summit_marker} {search_word('summit', state)}",
            body=f"Body {summit_marker}",
            **traits,
        )
        markers[summit_marker] = f"{state} summit"

        declaration_marker = marker("declaration", state)
        # One unpublished declaration at the published summit, one at the
        # unpublished summit.
        for host, suffix in [(published_summit, "a"), (summit, "b")]:
            declaration = DeclarationFactory(
                title=f"Declaration {declaration_marker}{suffix}",
                summary=f"Summary {declaration_marker} "
                f"{search_word('declaration', state)}",
                text=f"Text {declaration_marker}",
                summit=host,
                **traits,
            )
            # A signatory who signed only this unpublished declaration, and
            # one with a public record elsewhere.
            signer_marker = f"{marker('signer', state)}{suffix}"
            markers[signer_marker] = f"signatory known only from a {state} declaration"
            SignatureFactory(
                declaration=declaration,
                signatory__name=f"Signer {signer_marker}",
                note=f"Note {declaration_marker}",
                source_url=f"https://example.org/{declaration_marker}",
            )
            SignatureFactory(
                declaration=declaration,
                signatory=public_signatory,
                status=Signature.Status.DECLINED,
                note=f"Note {declaration_marker}",
            )
        markers[declaration_marker] = f"{state} declaration"
        # A published declaration at the unpublished summit: public itself,
        # so it must be found, but nothing may name its summit.
        DeclarationFactory(
            title=f"Public declaration at a {state} summit",
            summary=f"Summary {PUBLIC_AT_UNPUBLISHED}",
            summit=summit,
        )

        for kind in ("post", "press"):
            article_marker = marker(kind, state)
            extra = (
                {
                    "outlet": f"Outlet {article_marker}",
                    "original_url": f"https://news.example/{article_marker}",
                    "original_published_on": datetime.date(2024, 5, 22),
                }
                if kind == "press"
                else {}
            )
            article = ArticleFactory(
                title=f"Article {article_marker}",
                lede=f"Lede {article_marker} {search_word(kind, state)}",
                body=f"Body {article_marker}",
                kind=kind,
                **extra,
                **traits,
            )
            # Linked to published content: must not show on its pages.
            article.summits.add(published_summit)
            article.declarations.add(published_declaration)
            markers[article_marker] = f"{state} {kind} article"

        # A page in a menu: neither the menus nor its address may show it.
        page_marker = marker("page", state)
        PageFactory(
            title=f"Page {page_marker}",
            body=f"Body {page_marker} {search_word('page', state)}",
            menu=Menu.HEADER if state == "draft" else Menu.FOOTER,
            **traits,
        )
        markers[page_marker] = f"{state} page"
    if traits.get("scheduled"):
        summit.refresh_from_db()
        assert summit.published_at > timezone.now()
    return markers


def body_of(response):
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def internal(url):
    """The path?query of an on-site URL worth fetching, else None."""
    parts = urlsplit(url)
    site_hosts = {"", "testserver", urlsplit(settings.SITE_URL).netloc}
    if parts.scheme not in {"", "http", "https"} or parts.netloc not in site_hosts:
        return None
    path = parts.path or "/"
    if not path.startswith("/") or path.startswith(SKIPPED_PREFIXES):
        return None
    if "preview=" in parts.query:
        return None
    return urlunsplit(("", "", path, parts.query, ""))


def crawl(client, seeds):
    """Fetch `seeds` and everything they link to; return {url: (status, text)}."""
    pages, queue = {}, list(seeds)
    while queue:
        url = queue.pop(0)
        if url in pages:
            continue
        assert len(pages) < MAX_PAGES, "the crawl does not end: a link loop?"
        response = client.get(url)
        text = body_of(response)
        pages[url] = (response.status_code, text)
        if response.status_code in (301, 302):
            found = [response["Location"]]
        elif "xml" in response.get("Content-Type", ""):
            found = re.findall(r"<(?:loc|link|id)>([^<]+)</", text)
            found += re.findall(r'<link[^>]+href="([^"]+)"', text)
        elif "html" in response.get("Content-Type", ""):
            found = Links(text).urls
        else:
            found = []
        for link in found:
            target = internal(urljoin(f"http://testserver{url}", link.strip()))
            if target and target not in pages:
                queue.append(target)
    return pages


def leaks_in(pages, markers):
    found = []
    for url, (_status, text) in pages.items():
        lowered = text.lower()
        for word, what in markers.items():
            if word in lowered:
                found.append(f"{what} ({word}) at {url}")
    return found


def must_exist(pages, *urls):
    for url in urls:
        status = pages[url][0]
        assert status == 200, f"{url} answered {status}: the surface must exist"


def test_nothing_unpublished_appears_anywhere_public(client, unpublished):
    declarations = Declaration.objects.all()
    compare_all = "/declarations/compare/?kind=all&" + "&".join(
        f"d={d.slug}" for d in declarations
    )
    searches = [f"/search/?q={word}" for word in SEARCH_WORDS]
    csvs = [
        f"/declarations/{d.slug}/signatories.csv"
        for d in Declaration.objects.published()
    ]
    fixed = [
        "/",
        "/summits/",
        "/declarations/",
        "/declarations/compare/",
        compare_all,
        "/signatories/",
        "/articles/",
        "/articles/?page=2",
        "/articles/feed/",
        "/articles/atom/",
        "/sitemap.xml",
        "/robots.txt",
    ]
    pages = crawl(client, fixed + searches + csvs)
    must_exist(pages, *fixed, *searches, *csvs)
    # The search that must find something did.
    assert (
        "Public declaration at a draft summit"
        in (pages[f"/search/?q={PUBLIC_AT_UNPUBLISHED}"][1])
    )

    # The crawl really went everywhere: every published item was reached.
    from articles.models import Article
    from summits.models import Summit

    published_urls = {
        obj.get_absolute_url()
        for model in (Summit, Declaration, Article)
        for obj in model.objects.published()
    }
    assert published_urls <= set(pages), published_urls - set(pages)
    signatory_pages = [url for url in pages if url.startswith("/signatories/")]
    assert len(signatory_pages) > 1, "no signatory record was crawled"

    assert leaks_in(pages, unpublished) == []


def test_unpublished_items_are_not_found_at_their_own_address(client, unpublished):
    from articles.models import Article
    from summits.models import Summit

    for model in (Summit, Declaration, Article):
        hidden = model.objects.exclude(pk__in=model.objects.published())
        assert hidden.exists()
        for item in hidden:
            assert client.get(item.get_absolute_url()).status_code == 404
    for declaration in Declaration.objects.exclude(
        pk__in=Declaration.objects.published()
    ):
        csv_url = f"/declarations/{declaration.slug}/signatories.csv"
        assert client.get(csv_url).status_code == 404


def test_the_export_without_flags_holds_nothing_unpublished(unpublished):
    out = io.StringIO()
    call_command("export_content", stdout=out)
    document = out.getvalue()
    assert '"Published Seoul Declaration"' in document
    found = [what for word, what in unpublished.items() if word in document.lower()]
    assert found == []


def test_the_sitemap_lists_only_published_items(client, unpublished):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    locations = [element.text for element in root.iter() if element.tag.endswith("loc")]
    assert any("published-seoul-declaration" in url for url in locations)
    assert not [url for url in locations if "zqleak" in url]


def test_a_staff_preview_is_never_served_to_visitors_from_the_cache(
    client, staff_client, unpublished
):
    from django.test import Client

    draft = Declaration.objects.drafts().first()
    url = draft.get_absolute_url()
    assert staff_client.get(f"{url}?preview=1").status_code == 200
    visitor = Client()
    for address in (url, f"{url}?preview=1"):
        response = visitor.get(address)
        assert response.status_code == 404
        assert "zqleak" not in body_of(response).lower()
