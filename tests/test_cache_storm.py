"""Edit storms: an edit makes stale only the pages that read what it changed.

Edits here are plain saves, as an editor's are: the factories batch their
saves into one bump of every table (tests/factories.py), so they only set up.

Pages are keyed by the versions of the tables they read (core/cache.py); a
page another worker is rendering is waited for, not rendered again
(core/middleware_cache.py). CI runs these again against a real Redis.
"""

import gzip
import threading

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import include, path

from core import cache as page_cache
from core.middleware_cache import PageCacheMiddleware
from tests.factories import ArticleFactory, SignatoryFactory, SignatureFactory

pytestmark = [pytest.mark.cache, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_ENABLED = True


@pytest.fixture(autouse=True)
def no_outage_left_over(monkeypatch):
    # An outage seen by another test would make the first lookup here bump
    # every version: harmless, but these tests count misses.
    monkeypatch.setattr(page_cache, "_cache_failed", False)


@pytest.fixture
def declaration_with_article():
    signature = SignatureFactory(
        declaration__title="Seoul Declaration", signatory__name="Canada"
    )
    article = ArticleFactory(title="Seoul, one year on")
    article.declarations.add(signature.declaration)
    return signature.declaration, article


def test_an_article_edit_leaves_declaration_pages_that_read_no_article_cached(
    client, declaration_with_article
):
    declaration, article = declaration_with_article
    urls = [
        f"{declaration.get_absolute_url()}signatories.csv",
        "/declarations/compare/",
    ]
    for url in urls:
        assert client.get(url)["X-Cache"] == "MISS"
        assert client.get(url)["X-Cache"] == "HIT"

    article.title = "Seoul, two years on"
    article.save()

    for url in urls:
        assert client.get(url)["X-Cache"] == "HIT", url


def test_an_article_edit_makes_every_page_that_shows_it_stale(
    client, declaration_with_article
):
    declaration, article = declaration_with_article
    urls = [
        "/",
        "/articles/",
        article.get_absolute_url(),
        "/articles/feed/",
        declaration.get_absolute_url(),  # lists the articles about it
    ]
    for url in urls:
        client.get(url)
        assert client.get(url)["X-Cache"] == "HIT", url

    article.title = "Seoul, two years on"
    article.save()

    for url in urls:
        response = client.get(url)
        assert response["X-Cache"] == "MISS", url
        assert "Seoul, two years on" in response.content.decode(), url


def test_a_new_signature_makes_the_csv_stale_but_not_the_article_list(
    client, declaration_with_article
):
    declaration, _ = declaration_with_article
    kenya = SignatoryFactory(name="Kenya")
    csv_url = f"{declaration.get_absolute_url()}signatories.csv"
    for url in (csv_url, "/articles/"):
        client.get(url)

    SignatureFactory.build(declaration=declaration, signatory=kenya).save()

    response = client.get(csv_url)
    assert response["X-Cache"] == "MISS"
    assert "Kenya" in response.content.decode()
    assert client.get("/articles/")["X-Cache"] == "HIT"


# -- output the ORM does not show: fragments from a cache, data from elsewhere --

FRAGMENT = {"html": "<p>Signatures: 1</p>"}
OUTSIDE = {"text": "release 1", "private": False}


def page_with_a_cached_fragment(request):
    """Stands for a page whose signature table came from a fragment cache.

    A fragment hit sends no SQL, so it names its tables itself, as the
    fragment cache does (core.cache.note_tables_read).
    """
    page_cache.note_tables_read({"summits_signature", "summits_signatory"})
    return HttpResponse(f"<main>{FRAGMENT['html']}</main>")


def page_from_outside_the_database(request):
    response = HttpResponse(f"<main>{OUTSIDE['text']}</main>")
    if OUTSIDE.get("private"):
        response["Cache-Control"] = "private"
    return response


@pytest.mark.urls(__name__)
def test_a_page_with_a_fragment_hit_goes_stale_when_the_fragment_tables_change(
    client,
):
    article, signature = ArticleFactory(), SignatureFactory()
    FRAGMENT["html"] = "<p>Signatures: 1</p>"
    client.get("/fragment-page/")
    assert client.get("/fragment-page/")["X-Cache"] == "HIT"

    article.save()  # The fragment reads no article: the page stays.
    assert client.get("/fragment-page/")["X-Cache"] == "HIT"

    FRAGMENT["html"] = "<p>Signatures: 2</p>"
    signature.save()
    response = client.get("/fragment-page/")
    assert response["X-Cache"] == "MISS"
    assert b"Signatures: 2" in response.content


@pytest.mark.urls(__name__)
def test_a_page_that_reads_no_table_still_goes_stale_on_a_deploy(client):
    article = ArticleFactory()
    OUTSIDE.update(text="release 1", private=False)
    client.get("/outside/")
    article.save()
    assert client.get("/outside/")["X-Cache"] == "HIT"

    OUTSIDE["text"] = "release 2"
    page_cache.bump_content_version()  # What gunicorn's start (a deploy) does.

    response = client.get("/outside/")
    assert response["X-Cache"] == "MISS"
    assert b"release 2" in response.content


def test_a_wrong_index_entry_costs_a_miss_never_a_stale_page(client):
    article = ArticleFactory(title="First title")
    client.get("/articles/")
    state = page_cache.read_page_state(RequestFactory().get("/articles/"))
    # Claim the page read nothing: a lookup under that claim finds nothing.
    page_cache.page_cache().set(state.index_key, ((), True), 300)

    article.title = "Second title"
    article.save()

    response = client.get("/articles/")
    assert response["X-Cache"] == "MISS"
    assert "Second title" in response.content.decode()
    assert client.get("/articles/")["X-Cache"] == "HIT"


def test_an_edit_gives_the_page_a_new_key_and_a_new_render_lock(client):
    article = ArticleFactory()
    client.get("/articles/")
    request = RequestFactory().get("/articles/")
    before = page_cache.read_page_state(request)

    article.save()

    after = page_cache.read_page_state(request)
    assert "articles_article" in before.tables
    assert after.page_key(after.tables) != before.page_key(before.tables)
    # Requests made after the edit never wait for a render begun before it.
    assert after.lock_key() != before.lock_key()


# -- no stampede ------------------------------------------------------------------

RENDERS = {"count": 0}


def slow_popular_page(request):
    """Renders only once every other request for it is waiting (see below)."""
    RENDERS["count"] += 1
    assert WAITING.wait_for_others(), "the other requests never started waiting"
    return HttpResponse(f"<main>popular {RENDERS['count']}</main>" * 100)


class Waiting:
    """Counts requests that went to wait for another worker's render."""

    def __init__(self):
        self.condition = threading.Condition()
        self.count = 0
        self.expected = 0

    def arrived(self):
        with self.condition:
            self.count += 1
            self.condition.notify_all()

    def wait_for_others(self):
        with self.condition:
            return self.condition.wait_for(
                lambda: self.count >= self.expected, timeout=20
            )


WAITING = Waiting()

urlpatterns = [
    path("fragment-page/", page_with_a_cached_fragment),
    path("outside/", page_from_outside_the_database),
    path("popular/", slow_popular_page),
    path("", include("config.urls")),
]


@pytest.mark.urls(__name__)
def test_concurrent_misses_render_the_page_once(monkeypatch, settings):
    # Generous: the bound only matters if a thread is starved for that long.
    settings.PAGE_CACHE_LOCK_WAIT = 30
    RENDERS["count"], WAITING.count, WAITING.expected = 0, 0, 0
    assert Client().get("/popular/")["X-Cache"] == "MISS"
    # The page is known, and now stale: a deploy. Bumping works out the
    # schedule here, so no query runs in the threads (the view reads none).
    page_cache.bump_content_version()
    real_wait = PageCacheMiddleware.wait

    def counted_wait(self, *args):
        WAITING.arrived()
        return real_wait(self, *args)

    monkeypatch.setattr(PageCacheMiddleware, "wait", counted_wait)
    WAITING.expected = 3
    responses = []

    def visit():
        responses.append(Client().get("/popular/", HTTP_ACCEPT_ENCODING="gzip"))

    threads = [threading.Thread(target=visit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not any(thread.is_alive() for thread in threads)
    assert RENDERS["count"] == 2  # Once before the deploy, once after.
    assert sorted(r["X-Cache"] for r in responses) == ["MISS", "WAIT", "WAIT", "WAIT"]
    assert {r["Content-Encoding"] for r in responses} == {"gzip"}
    (page,) = {gzip.decompress(r.content) for r in responses}
    assert b"popular 2" in page  # The new render, not the one before the deploy.


def test_a_waiter_renders_itself_once_the_lock_is_gone_without_a_page(settings):
    """The render was not storable, or failed: no waiting out the whole bound."""
    settings.PAGE_CACHE_LOCK_WAIT = 60
    ArticleFactory()
    request = RequestFactory().get("/articles/")
    state = page_cache.read_page_state(request)
    middleware = PageCacheMiddleware(lambda request: HttpResponse())
    # Nobody holds the lock: the first poll gives up.
    assert middleware.wait(state, state.lock_key(), "identity") is None


def test_a_failed_render_releases_its_lock(client):
    article = ArticleFactory()
    client.get("/articles/")
    article.save()
    state = page_cache.read_page_state(RequestFactory().get("/articles/"))

    def broken(request):
        assert page_cache.page_cache().get(state.lock_key()) is not None
        raise RuntimeError("template bug")

    middleware = PageCacheMiddleware(broken)
    with pytest.raises(RuntimeError):
        middleware(RequestFactory().get("/articles/"))
    assert page_cache.page_cache().get(state.lock_key()) is None


def test_a_page_never_stored_takes_no_lock(client, monkeypatch):
    cache = page_cache.page_cache()
    locks = []
    real_add = cache.add
    monkeypatch.setattr(
        cache, "add", lambda key, *a, **k: locks.append(key) or real_add(key, *a, **k)
    )
    ArticleFactory(title="Frontier AI safety")
    for _ in range(2):
        assert client.get("/search/?q=frontier").status_code == 200
        assert client.get("/articles/no-such-article/").status_code == 404
    assert not [key for key in locks if key.startswith("page-lock:")]


@pytest.mark.urls(__name__)
def test_a_page_no_longer_stored_is_forgotten(client):
    OUTSIDE.update(text="release 1", private=False)
    client.get("/outside/")
    state = page_cache.read_page_state(RequestFactory().get("/outside/"))
    assert state.tables == frozenset()

    OUTSIDE["private"] = True
    page_cache.bump_content_version()
    response = client.get("/outside/")
    assert "X-Cache" not in response
    state = page_cache.read_page_state(RequestFactory().get("/outside/"))
    assert state.tables is None  # So its next miss takes no lock.


# -- the cache server away during a storm -------------------------------------------


class Outage:
    """Makes the page cache fail every call while `down`, as a dead Redis does."""

    METHODS = ("get", "get_many", "set", "set_many", "add", "incr", "delete")

    def __init__(self, monkeypatch):
        self.down = False
        cache = page_cache.page_cache()
        for name in self.METHODS:
            real = getattr(cache, name)
            monkeypatch.setattr(cache, name, self.guard(real))

    def guard(self, real):
        def call(*args, **kwargs):
            if self.down:
                raise ConnectionError("cache server down")
            return real(*args, **kwargs)

        return call


def test_no_stale_page_after_the_cache_server_returns(client, monkeypatch):
    article = ArticleFactory(title="Before the outage")
    client.get("/articles/")
    assert client.get("/articles/")["X-Cache"] == "HIT"
    outage = Outage(monkeypatch)

    outage.down = True
    article.title = "Edited during the outage"
    article.save()  # The bump is lost.
    during = client.get("/articles/")
    assert during.status_code == 200
    assert "Edited during the outage" in during.content.decode()
    assert "X-Cache" not in during

    outage.down = False  # Back, with the old page and old versions in it.
    after = client.get("/articles/")
    assert after["X-Cache"] == "MISS"
    assert "Edited during the outage" in after.content.decode()
    assert client.get("/articles/")["X-Cache"] == "HIT"


def test_a_bump_lost_to_a_brief_failure_is_made_up_before_the_next_page(
    client, monkeypatch
):
    """Only the writer's bump failed; reads kept working."""
    article = ArticleFactory(title="Old title")
    client.get("/articles/")
    outage = Outage(monkeypatch)
    outage.down = True
    article.title = "New title"
    article.save()
    outage.down = False

    response = client.get("/articles/")
    assert "New title" in response.content.decode()


def test_pages_still_answer_when_the_cache_fails_mid_request(client, monkeypatch):
    ArticleFactory(title="Still here")
    client.get("/articles/")
    cache = page_cache.page_cache()

    def refuse(*args, **kwargs):
        raise ConnectionError("cache server down")

    # The versions are read; then the page read, the lock and the store fail.
    for name in ("get", "add", "set_many"):
        monkeypatch.setattr(cache, name, refuse)
    page_cache.bump_content_version(["articles_article"])
    response = client.get("/articles/")
    assert response.status_code == 200
    assert "Still here" in response.content.decode()


def test_the_sitemap_drops_an_unpublished_article_on_the_next_request(
    client, declaration_with_article
):
    _, article = declaration_with_article
    client.get("/sitemap.xml")
    cached = client.get("/sitemap.xml")
    assert cached["X-Cache"] == "HIT"
    assert article.get_absolute_url() in cached.content.decode()

    article.status = "draft"
    article.save()

    response = client.get("/sitemap.xml")
    assert response["X-Cache"] == "MISS"
    assert article.get_absolute_url() not in response.content.decode()
