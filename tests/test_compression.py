"""Bytes: pages, feeds and CSVs go out compressed to clients that accept it.

core/middleware_cache.py compresses text responses with brotli or gzip,
stores the variants beside a cached page (a hit costs no compression), gives
each its own strong ETag and always says `Vary: Accept-Encoding`. Never the
admin, nor a response that used the CSRF token (BREACH).
"""

import gzip
import io

import brotli
import pytest
from django.core.management import call_command
from django.http import HttpResponse, StreamingHttpResponse
from django.template import RequestContext, Template
from django.urls import include, path
from PIL import Image

from core import middleware_cache
from core.middleware_cache import accepted_encoding
from tests.factories import ArticleFactory, SignatureFactory

pytestmark = [pytest.mark.cache, pytest.mark.django_db]

SUFFIXES = {"gzip": "gz", "br": "br"}


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_ENABLED = True


@pytest.fixture
def content():
    declaration = SignatureFactory(
        declaration__title="Seoul Declaration", signatory__name="Canada"
    ).declaration
    for n in range(30):
        SignatureFactory(declaration=declaration, signatory__name=f"Country {n}")
    for n in range(3):
        ArticleFactory(title=f"Seoul, {n} years on")
    return {"declaration": declaration.get_absolute_url()}


def decoded(response):
    body = response.content
    encoding = response.get("Content-Encoding")
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "br":
        return brotli.decompress(body)
    assert encoding is None
    return body


def vary(response):
    return {h.strip().lower() for h in response.get("Vary", "").split(",")}


URLS = [
    "/",
    "/articles/",
    "/articles/feed/",
    "/articles/atom/",
    "{declaration}",
    "{declaration}signatories.csv",
    "/declarations/compare/",
    "/sitemap.xml",
]


@pytest.mark.parametrize("encoding", ["gzip", "br"])
@pytest.mark.parametrize("template", URLS)
def test_pages_feeds_and_csvs_go_out_compressed(client, content, template, encoding):
    url = template.format(**content)
    plain = client.get(url)
    packed = client.get(url, HTTP_ACCEPT_ENCODING=encoding)

    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == encoding
    assert decoded(packed) == plain.content
    assert int(packed["Content-Length"]) == len(packed.content) < len(plain.content)
    assert "accept-encoding" in vary(plain)
    assert "accept-encoding" in vary(packed)
    assert packed["ETag"] == f'{plain["ETag"][:-1]}-{SUFFIXES[encoding]}"'


def test_a_hit_costs_no_compression(client, content, monkeypatch):
    first = client.get("/articles/", HTTP_ACCEPT_ENCODING="br")
    assert first["X-Cache"] == "MISS"

    def refuse(*args):
        raise AssertionError("compressed on a cache hit")

    monkeypatch.setattr(middleware_cache, "compress", refuse)
    again = client.get("/articles/", HTTP_ACCEPT_ENCODING="br")
    other = client.get("/articles/", HTTP_ACCEPT_ENCODING="gzip, deflate")
    plain = client.get("/articles/")

    assert again["X-Cache"] == other["X-Cache"] == plain["X-Cache"] == "HIT"
    assert again.content == first.content
    assert other["Content-Encoding"] == "gzip"
    assert decoded(other) == plain.content


@pytest.mark.parametrize("cache_on", [True, False], ids=["cache on", "cache off"])
def test_each_encoding_has_its_own_strong_etag_and_304(
    client, content, settings, cache_on
):
    settings.PAGE_CACHE_ENABLED = cache_on
    etags = {}
    for encoding in ("identity", "gzip", "br"):
        response = client.get("/articles/", HTTP_ACCEPT_ENCODING=encoding)
        etags[encoding] = response["ETag"]
        repeat = client.get(
            "/articles/",
            HTTP_ACCEPT_ENCODING=encoding,
            HTTP_IF_NONE_MATCH=etags[encoding],
        )
        assert repeat.status_code == 304
        assert repeat.content == b""
        assert repeat["ETag"] == etags[encoding]
        assert "accept-encoding" in vary(repeat)

    assert len(set(etags.values())) == 3
    assert not any(etag.startswith("W/") for etag in etags.values())
    # A tag of another encoding names other bytes: the full page comes back.
    mismatch = client.get(
        "/articles/", HTTP_ACCEPT_ENCODING="br", HTTP_IF_NONE_MATCH=etags["gzip"]
    )
    assert mismatch.status_code == 200
    assert mismatch["Content-Encoding"] == "br"


def test_compressed_bytes_are_the_same_cached_or_not(client, content, settings):
    """One strong ETag, one body: the stored variant equals a fresh one."""
    cached = client.get("/", HTTP_ACCEPT_ENCODING="br")
    settings.PAGE_CACHE_ENABLED = False
    fresh = client.get("/", HTTP_ACCEPT_ENCODING="br")
    assert fresh.content == cached.content
    assert fresh["ETag"] == cached["ETag"]


def test_head_tells_the_compressed_length(client, content):
    head_before = client.head("/articles/", HTTP_ACCEPT_ENCODING="gzip")
    page = client.get("/articles/", HTTP_ACCEPT_ENCODING="gzip")
    head_after = client.head("/articles/", HTTP_ACCEPT_ENCODING="gzip")

    assert page["X-Cache"] == "MISS"
    assert head_after["X-Cache"] == "HIT"
    for head in (head_before, head_after):
        assert head.status_code == 200
        assert head.content == b""
        assert head["Content-Encoding"] == "gzip"
        assert head["Content-Length"] == str(len(page.content))
        assert head["ETag"] == page["ETag"]


def test_tiny_bodies_are_sent_as_they_are(client):
    response = client.get("/robots.txt", HTTP_ACCEPT_ENCODING="gzip, br")
    assert response.status_code == 200
    assert len(response.content) < middleware_cache.MIN_COMPRESSED_BYTES
    assert "Content-Encoding" not in response
    assert "accept-encoding" not in vary(response)


def test_a_share_card_png_is_not_compressed_again(client):
    article = ArticleFactory()
    response = client.get(
        f"{article.get_absolute_url()}card.png", HTTP_ACCEPT_ENCODING="gzip, br"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "Content-Encoding" not in response
    assert "accept-encoding" not in vary(response)


def test_media_keep_a_long_lifetime_and_are_not_compressed(client, settings):
    folder = settings.MEDIA_ROOT / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (64, 64), "navy").save(folder / "flag-3f9a.png")

    response = client.get("/media/uploads/flag-3f9a.png", HTTP_ACCEPT_ENCODING="br")
    assert response.status_code == 200
    assert "Content-Encoding" not in response
    max_age = {
        d.split("=")[0].strip(): d.split("=")[-1]
        for d in response["Cache-Control"].split(",")
    }["max-age"]
    assert int(max_age) >= 24 * 60 * 60
    response.close()


def test_search_results_are_compressed_and_answer_304(client, content):
    url = "/search/?q=seoul"
    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert "X-Cache" not in response  # Not stored: a one-off address.
    assert response["Content-Encoding"] == "gzip"
    assert response["ETag"].endswith('-gz"')
    repeat = client.get(
        url, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=response["ETag"]
    )
    assert repeat.status_code == 304


def test_a_personal_page_is_compressed_on_the_way_out(client, content):
    client.cookies["messages"] = "pending"
    response = client.get("/articles/", HTTP_ACCEPT_ENCODING="br")
    assert "X-Cache" not in response
    assert response["Content-Encoding"] == "br"
    assert "accept-encoding" in vary(response)


def test_a_missing_page_is_compressed_too(client):
    response = client.get("/articles/no-such-article/", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 404
    assert response["Content-Encoding"] == "gzip"
    assert b"<html" in decoded(response)


# -- BREACH: a secret beside text the attacker chose is never compressed --------


def form_with_csrf_token(request):
    """A public page with a POST form that echoes the visitor's query."""
    template = Template(
        '<form method="post">{% csrf_token %}<input value="{{ request.GET.q }}">'
        "<button>Go</button></form>" + "<p>Filler to be worth compressing.</p>" * 50
    )
    return HttpResponse(template.render(RequestContext(request)))


def streamed_csv(request):
    rows = (f"{n},Country {n},signed\n".encode() for n in range(500))
    return StreamingHttpResponse(rows, content_type="text/csv")


def already_gzipped(request):
    response = HttpResponse(gzip.compress(b"<p>packed by the view</p>" * 100))
    response["Content-Encoding"] = "gzip"
    return response


urlpatterns = [
    path("packed/", already_gzipped),
    path("contact/", form_with_csrf_token),
    path("rows.csv", streamed_csv),
    path("", include("config.urls")),
]


@pytest.mark.urls(__name__)
def test_a_response_that_used_the_csrf_token_is_not_compressed(client):
    response = client.get("/contact/?q=guess", HTTP_ACCEPT_ENCODING="gzip, br")
    assert "csrfmiddlewaretoken" in response.content.decode()
    assert "Content-Encoding" not in response


def test_the_admin_is_never_compressed(client, staff_user):
    login = client.get("/admin/login/", HTTP_ACCEPT_ENCODING="gzip, br")
    client.force_login(staff_user)
    index = client.get("/admin/", HTTP_ACCEPT_ENCODING="gzip, br")
    for response in (login, index):
        assert response.status_code == 200
        assert len(response.content) > middleware_cache.MIN_COMPRESSED_BYTES
        assert "Content-Encoding" not in response


@pytest.mark.urls(__name__)
def test_a_streamed_csv_is_compressed_as_it_goes(client):
    plain = b"".join(client.get("/rows.csv").streaming_content)
    response = client.get("/rows.csv", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert "Content-Length" not in response
    assert gzip.decompress(b"".join(response.streaming_content)) == plain


def test_a_published_data_file_is_compressed_with_its_own_etag(
    client, content, settings, tmp_path
):
    settings.DATA_ROOT = tmp_path / "data"
    call_command("publish_data", verbosity=0)
    url = "/data/summitwatch.json"
    plain = client.get(url)
    plain_body = b"".join(plain.streaming_content)
    packed = client.get(url, HTTP_ACCEPT_ENCODING="br")
    assert packed["Content-Encoding"] == "br"
    assert brotli.decompress(b"".join(packed.streaming_content)) == plain_body
    assert packed["ETag"] == f'{plain["ETag"][:-1]}-br"'
    repeat = client.get(
        url, HTTP_ACCEPT_ENCODING="br", HTTP_IF_NONE_MATCH=packed["ETag"]
    )
    assert repeat.status_code == 304
    for response in (plain, packed):
        response.close()


@pytest.mark.urls(__name__)
def test_a_response_the_view_encoded_is_neither_stored_nor_encoded_again(client):
    for _ in range(2):
        response = client.get("/packed/", HTTP_ACCEPT_ENCODING="br")
        assert "X-Cache" not in response
        assert response["Content-Encoding"] == "gzip"
        assert gzip.decompress(response.content).startswith(b"<p>packed")


@pytest.mark.parametrize(
    "header, expected",
    [
        ("", "identity"),
        ("gzip", "gzip"),
        ("gzip, deflate, br", "br"),
        ("br;q=0.5, gzip", "gzip"),
        ("br;q=0, gzip;q=0", "identity"),
        ("*", "br"),
        ("*;q=0.1, br;q=0", "gzip"),
        ("x-gzip", "gzip"),
        ("GZIP;Q=1", "gzip"),
        ("br;q=banana, gzip", "gzip"),
        ("identity", "identity"),
        (",,;", "identity"),
    ],
)
def test_the_client_chooses_the_encoding(header, expected):
    assert accepted_encoding(header) == expected


# -- static files ---------------------------------------------------------------


def test_production_static_files_are_compressed_and_hashed():
    from tests.test_security_deploy import show_settings

    storages = show_settings("STORAGES")["STORAGES"]
    assert "whitenoise.storage.CompressedManifestStaticFilesStorage" in storages


def test_collectstatic_writes_brotli_files_beside_the_gzip_ones(settings, tmp_path):
    """whitenoise makes .br files when the brotli package is installed."""
    settings.STATIC_ROOT = tmp_path
    settings.STATICFILES_FINDERS = [
        "django.contrib.staticfiles.finders.FileSystemFinder"
    ]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        },
    }
    call_command("collectstatic", "--noinput", verbosity=0, stdout=io.StringIO())

    stylesheets = list((tmp_path / "css").glob("site.*.css"))
    assert stylesheets, "no hashed stylesheet"
    css = stylesheets[0]
    assert css.with_name(css.name + ".br").stat().st_size < css.stat().st_size
    assert css.with_name(css.name + ".gz").exists()
