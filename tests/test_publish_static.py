"""publish_static: the public site as files, published again with only the
changes, checked against the site, and served by nginx as the site serves it."""

import gzip
import io
import os
import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client, override_settings
from PIL import Image as PILImage

from articles.models import Article
from core.models import Status
from pages.models import Page
from staticsite import output, publishing
from staticsite.rendering import Renderer
from tests.factories import (
    ArticleFactory,
    DeclarationFactory,
    SignatoryFactory,
    SignatureFactory,
    SummitFactory,
)

pytestmark = pytest.mark.django_db

HOST = "summitwatch.example"
SITE = f"https://{HOST}"
# Words only the draft and the scheduled items carry: no file may hold one.
SECRETS = (
    "Embargoed pledge",
    "embargoed-pledge",
    "Atlantis",
    "Tomorrow's treaty",
    "tomorrows-treaty",
    "Unfinished draft",
    "unfinished-draft",
    "Hidden page",
    "hidden-page",
    "secret-cover",
)


@pytest.fixture(scope="module", autouse=True)
def public_site(tmp_path_factory):
    """The site at its public address; the open data in a folder of its own."""
    with override_settings(
        SITE_URL=SITE,
        # The dynamic site answers its public host, for the comparisons.
        ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, HOST],
        DATA_ROOT=tmp_path_factory.mktemp("data"),
    ):
        yield


def build_demo():
    """The shipped demo content, its open data, 25 more articles (a second
    page of the list), and beside them a draft declaration signed by a
    signatory recorded nowhere else, a draft article with a cover image, a
    scheduled article and a draft page."""
    call_command("load_demo_content", verbosity=0)
    call_command("publish_data", verbosity=0)
    for number in range(25):
        ArticleFactory(title=f"Brief {number}")
    secret = DeclarationFactory(
        title="Embargoed pledge", slug="embargoed-pledge", draft=True, summit=None
    )
    SignatureFactory(declaration=secret, signatory=SignatoryFactory(name="Atlantis"))
    draft = ArticleFactory(
        title="Unfinished draft", slug="unfinished-draft", draft=True
    )
    cover = io.BytesIO()
    PILImage.new("RGB", (40, 30), "red").save(cover, format="JPEG")
    draft.cover_image.save("secret-cover.jpg", cover, save=True)
    ArticleFactory(title="Tomorrow's treaty", slug="tomorrows-treaty", scheduled=True)
    SummitFactory(name="Drafted summit", draft=True)
    Page.objects.create(title="Hidden page", slug="hidden-page", body="Not yet.")


def publish(directory, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("publish_static", str(directory), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def files(directory):
    return {path: Path(directory, path) for path in output.walk(directory)}


def inodes(directory):
    return {path: file.stat().st_ino for path, file in files(directory).items()}


def dynamic(url):
    """What the site serves at `url` to an anonymous visitor at SITE_URL."""
    response = Client(HTTP_HOST=HOST).get(url, secure=True)
    body = (
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    return response, body


def copy_of(site, tmp_path):
    """Another DIR with the same output and state, to publish into again."""
    parent = tmp_path / "copy"
    parent.mkdir()
    state = f".{site.name}{output.STATE_SUFFIX}"
    shutil.copytree(site.parent / state, parent / state, symlinks=True)
    (parent / site.name).symlink_to(os.readlink(site))
    return parent / site.name


@pytest.fixture(scope="class")
def published(build_once, tmp_path_factory):
    """The demo, published once for the class: (DIR, the run's Report)."""
    build_once(build_demo)
    site = tmp_path_factory.mktemp("published") / "site"

    def run():
        renderer = Renderer()
        with renderer.active():
            target = output.Output(site)
            target.check_usable()
            return publishing.publish(target, renderer, publishing.Report())

    return site, build_once(run)


class TestTheDemoPublished:
    def test_every_public_page_is_written_and_no_draft_or_scheduled_item(
        self, published
    ):
        site, report = published
        assert report.warnings == []
        written = files(site)
        for path in (
            "index.html",
            "robots.txt",
            "sitemap.xml",
            "404.html",
            "search/index.html",
            "articles/index.html",
            "articles/index.page-2.html",
            "articles/feed/index.rss",
            "articles/atom/index.atom",
            "changes/index.page-2.html",
            "declarations/compare/index.html",
            "declarations/bletchley-declaration/index.html",
            "declarations/bletchley-declaration/signatories.csv",
            "declarations/bletchley-declaration/embed/index.html",
            "declarations/bletchley-declaration/card.png",
            "signatories/united-kingdom/index.html",
            "about/index.html",
            "data/index.html",
            "data/positions.csv",
            "data/summitwatch.json",
            "media/covers/why-summits-matter.jpg",
            "static/css/site.css",
        ):
            assert path in written, path
        # Pages of text have their gzipped copy, for gzip_static.
        assert gzip.decompress(written["index.html.gz"].read_bytes()) == (
            written["index.html"].read_bytes()
        )
        assert "articles/feed/index.rss.gz" in written
        assert "robots.txt.gz" not in written  # too short to be worth it
        for path, file in written.items():
            assert not any(word in path for word in SECRETS), path
            if not path.startswith("static/"):
                content = file.read_bytes()
                if path.endswith(".gz"):
                    content = gzip.decompress(content)
                content = content.decode("utf-8", "replace")
                for word in SECRETS:
                    assert word not in content, (path, word)

    def test_each_file_is_the_bytes_the_site_serves(self, published):
        site, _ = published
        for url, path in (
            ("/", "index.html"),
            ("/articles/?page=2", "articles/index.page-2.html"),
            ("/articles/feed/", "articles/feed/index.rss"),
            ("/sitemap.xml", "sitemap.xml"),
            ("/declarations/bletchley-declaration/card.png", None),
            ("/data/positions.csv", "data/positions.csv"),
        ):
            response, body = dynamic(url)
            assert response.status_code == 200
            path = path or url.lstrip("/")
            assert (site / path).read_bytes() == body, url
            kind = output.media_type(response["Content-Type"])
            assert output.type_of_file(path) == kind, url

    def test_absolute_addresses_are_the_public_sites(self, published):
        site, _ = published
        assert f"Sitemap: {SITE}/sitemap.xml" in (site / "robots.txt").read_text()
        sitemap = (site / "sitemap.xml").read_text()
        locations = re.findall(r"<loc>([^<]+)</loc>", sitemap)
        assert locations and all(url.startswith(f"{SITE}/") for url in locations)
        feed = (site / "articles/feed/index.rss").read_text()
        assert f"<link>{SITE}/articles/</link>" in feed
        assert "127.0.0.1" not in sitemap + feed
        # Every address of the sitemap has its file.
        for url in locations:
            path = output.file_for(url.removeprefix(SITE), "text/html")
            assert (site / path).is_file(), url

    def test_the_crawl_finds_no_address_the_list_missed(self, published):
        _, report = published
        assert report.found_by_links == []
        # Filters and sort orders stay with the app.
        assert "/articles/?kind=press" in report.dynamic_links

    def test_only_media_a_public_page_shows_are_published(self, published):
        site, _ = published
        media = [path for path in files(site) if path.startswith("media/")]
        assert "media/covers/why-summits-matter.jpg" in media
        assert not any("secret-cover" in path for path in media)

    # -- publishing again --------------------------------------------------

    def test_a_second_run_rewrites_only_what_changed(self, published, tmp_path):
        site = copy_of(published[0], tmp_path)
        before = inodes(site)
        first_folder = Path(os.path.realpath(site))
        leftover = first_folder.parent / "20200101T000000-dead00"
        (leftover / "articles").mkdir(parents=True)  # as a crash leaves it

        article = Article.objects.get(slug="new-delhi-what-to-watch")
        article.title = "New Delhi: what to watch, updated"
        article.save()
        Article.objects.filter(slug="why-international-ai-summits-matter").update(
            status=Status.DRAFT
        )
        stdout, _ = publish(site, "--verbosity", "2")
        after = inodes(site)
        page = "articles/new-delhi-what-to-watch/index.html"
        assert after[page] != before[page]
        assert "updated" in (site / page).read_text()
        assert "  changed: articles/index.page-2.html" in stdout
        assert "  changed: articles/new-delhi-what-to-watch/card.png" in stdout
        gone = "articles/why-international-ai-summits-matter/index.html"
        assert f"  removed: {gone}" in stdout
        assert gone not in after
        # A file the edit does not touch is the same file, not a copy.
        for unchanged in (
            "robots.txt",
            "static/css/site.css",
            "data/positions.csv",
            "declarations/bletchley-declaration/card.png",
        ):
            assert after[unchanged] == before[unchanged], unchanged
        # An empty feed, dated "now" at each rendering, is not rewritten.
        empty_feed = "declarations/montreal-protocol/assessments/feed/index.rss"
        assert b"<item>" not in (site / empty_feed).read_bytes()
        assert after[empty_feed] == before[empty_feed]
        # The previous output and the crash's leftover are gone.
        assert site.is_symlink()
        assert not first_folder.exists() and not leftover.exists()

        stdout, _ = publish(site)
        assert " 0 new, 0 changed," in stdout
        assert inodes(site) == after

    def test_a_run_that_is_interrupted_leaves_the_previous_output_whole(
        self, published, tmp_path, monkeypatch
    ):
        site = copy_of(published[0], tmp_path)
        folder = Path(os.path.realpath(site))
        before = {path: file.read_bytes() for path, file in files(site).items()}
        Article.objects.filter(slug="new-delhi-what-to-watch").update(title="Changed")
        rendered = []
        real_get = Renderer.get

        def interrupted_get(self, url):
            rendered.append(url)
            if len(rendered) == 40:
                raise KeyboardInterrupt  # Ctrl-C, or the machine going down
            return real_get(self, url)

        monkeypatch.setattr(Renderer, "get", interrupted_get)
        with pytest.raises(KeyboardInterrupt):
            publish(site)
        assert Path(os.path.realpath(site)) == folder
        assert {path: f.read_bytes() for path, f in files(site).items()} == before
        # Nothing half-built is left beside it.
        assert sorted(p.name for p in folder.parent.iterdir()) == sorted(
            ["lock", folder.name, f"{folder.name}.json"]
        )

    def test_a_view_that_errs_publishes_nothing(self, published, tmp_path, monkeypatch):
        site = copy_of(published[0], tmp_path)
        folder = Path(os.path.realpath(site))

        def broken(self, *args, **kwargs):
            raise RuntimeError("the template is broken")

        monkeypatch.setattr(
            "summits.views.SignatoryDetailView.get_context_data", broken
        )
        with pytest.raises(CommandError, match="the previous output is unchanged"):
            publish(site)
        assert Path(os.path.realpath(site)) == folder

    def test_a_dry_run_says_what_would_change_and_writes_nothing(
        self, published, tmp_path
    ):
        site = copy_of(published[0], tmp_path)
        state = sorted(output.walk(site.parent))
        Article.objects.filter(slug="new-delhi-what-to-watch").update(title="Changed")
        stdout, _ = publish(site, "--dry-run", "--verbosity", "2")
        assert "Would publish" in stdout
        assert "  changed: articles/new-delhi-what-to-watch/index.html" in stdout
        assert sorted(output.walk(site.parent)) == state

    # -- --check -------------------------------------------------------------

    def test_check_passes_on_an_output_and_lists_each_difference(
        self, published, tmp_path
    ):
        site = tmp_path / "copied"
        # Any copy of an output checks, e.g. on the web server it was synced to.
        shutil.copytree(published[0], site)
        out = io.StringIO()
        call_command("publish_static", str(site), "--check", stdout=out)
        assert "are what the site serves" in out.getvalue()

        (site / "about" / "index.html").write_text("<p>Edited on the server</p>")
        (site / "robots.txt").unlink()
        (site / "index.html.gz").unlink()
        (site / "leftover.html").write_text("old")
        Article.objects.filter(slug="new-delhi-what-to-watch").update(title="New")
        out = io.StringIO()
        with pytest.raises(CommandError, match=r"differs from the site in \d+ files"):
            call_command("publish_static", str(site), "--check", stdout=out)
        lines = out.getvalue().splitlines()
        assert "differs: about/index.html (/about/)" in lines
        assert "missing: robots.txt (/robots.txt)" in lines
        assert "missing: index.html.gz" in lines
        assert "not on the site: leftover.html" in lines
        assert (
            "differs: articles/new-delhi-what-to-watch/index.html "
            "(/articles/new-delhi-what-to-watch/)"
        ) in lines

    # -- nginx ---------------------------------------------------------------

    def test_the_nginx_config_serves_the_folder_and_sends_search_to_the_app(
        self, published
    ):
        site, _ = published
        config, _ = publish(
            site,
            "--nginx-config",
            "--app-url",
            "http://127.0.0.1:8000",
            "--listen",
            "8080",
        )
        assert f"root {site};" in config
        assert f"server_name {HOST};" in config
        assert "listen 8080;" in config
        assert "application/rss+xml rss;" in config
        assert (
            "location /search/ {\n        proxy_pass http://127.0.0.1:8000;" in config
        )
        assert "frame-ancestors *" in config  # the embed pages
        static_only, _ = publish(site, "--nginx-config")
        assert "proxy_pass" not in static_only

    @pytest.mark.nginx
    def test_nginx_serves_the_output_as_the_site_serves_it(
        self, published, nginx_serving
    ):
        site, _ = published
        base = nginx_serving(site)
        for url in (
            "/",
            "/articles/",
            "/articles/?page=2",
            "/articles/feed/",
            "/articles/atom/",
            "/sitemap.xml",
            "/robots.txt",
            "/declarations/bletchley-declaration/",
            "/declarations/bletchley-declaration/signatories.csv",
            "/declarations/bletchley-declaration/card.png",
            "/data/positions.csv",
            "/data/summitwatch.json",
        ):
            status, headers, body = fetch(base + url)
            response, expected = dynamic(url)
            assert status == 200, url
            assert body == expected, url
            assert output.media_type(headers["Content-Type"]) == output.media_type(
                response["Content-Type"]
            ), url
            assert headers["X-Content-Type-Options"] == "nosniff"

        # The .gz beside the page, to a client that accepts gzip.
        url = "/declarations/bletchley-declaration/"
        status, headers, body = fetch(base + url, {"Accept-Encoding": "gzip"})
        assert (status, headers["Content-Encoding"]) == (200, "gzip")
        assert gzip.decompress(body) == dynamic(url)[1]
        assert "Accept-Encoding" in headers["Vary"]

        status, headers, _ = fetch(base + url + "embed/")
        assert status == 200
        assert "frame-ancestors *" in headers["Content-Security-Policy"]
        assert "X-Frame-Options" not in headers
        status, headers, _ = fetch(base + "/")
        assert headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        # A draft is a 404 with the site's 404 page, as on the site.
        status, headers, body = fetch(base + "/summits/drafted-summit/")
        assert status == 404
        assert body == (site / "404.html").read_bytes()
        assert dynamic("/summits/drafted-summit/")[0].status_code == 404
        status, headers, _ = fetch(base + "/static/css/site.css")
        assert (status, output.media_type(headers["Content-Type"])) == (
            200,
            "text/css",
        )


# -- bad input ----------------------------------------------------------------


def test_dir_that_is_a_file_is_refused(tmp_path):
    target = tmp_path / "site"
    target.write_text("a file")
    with pytest.raises(CommandError, match="is a file, not a folder"):
        publish(target)


def test_a_folder_of_other_files_is_refused_and_left_alone(tmp_path):
    target = tmp_path / "site"
    target.mkdir()
    (target / "important.txt").write_text("keep me")
    with pytest.raises(CommandError, match="did not write"):
        publish(target)
    assert (target / "important.txt").read_text() == "keep me"


def test_dir_inside_a_folder_the_site_serves_is_refused(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.MEDIA_ROOT = tmp_path / "media"
    with pytest.raises(CommandError, match="inside STATIC_ROOT"):
        publish(tmp_path / "static" / "site")
    with pytest.raises(CommandError, match="inside MEDIA_ROOT"):
        publish(tmp_path / "media" / "site")
    with pytest.raises(CommandError, match="STATIC_ROOT .* is inside"):
        publish(tmp_path)


def test_an_unwritable_place_is_a_clear_error(tmp_path, monkeypatch):
    # As root every folder is writable, so the test asks os.access to say no.
    monkeypatch.setattr(output.os, "access", lambda path, mode: False)
    with pytest.raises(CommandError, match="permission denied"):
        publish(tmp_path / "site")
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.undo()
    with pytest.raises(CommandError, match="Cannot create"):
        publish(blocker / "site")


def test_a_link_someone_else_made_is_refused(tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "site").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(CommandError, match="did not make"):
        publish(tmp_path / "site")


def test_a_site_url_with_a_path_is_refused(settings, tmp_path):
    settings.SITE_URL = "https://example.org/summitwatch"
    with pytest.raises(CommandError, match="scheme and host only"):
        publish(tmp_path / "site")


def test_check_of_a_missing_folder_and_stray_options_are_clear_errors(tmp_path):
    with pytest.raises(CommandError, match="is not a folder"):
        publish(tmp_path / "nothing", "--check")
    with pytest.raises(CommandError, match="goes with --nginx-config"):
        publish(tmp_path / "site", "--app-url", "http://127.0.0.1:8000")
    with pytest.raises(CommandError, match="not the address of the app"):
        publish(tmp_path / "site", "--nginx-config", "--app-url", "127.0.0.1")


def test_one_run_at_a_time_writes_an_output_and_the_next_waits(tmp_path):
    first, second = output.Output(tmp_path / "site"), output.Output(tmp_path / "site")
    waiting, writing = threading.Event(), threading.Event()

    def second_run():
        with second.lock(waiting=waiting.set):
            writing.set()

    with first.lock():
        thread = threading.Thread(target=second_run)
        thread.start()
        assert waiting.wait(timeout=10)
        assert not writing.is_set()
    thread.join(timeout=10)
    assert writing.is_set()


def test_jobs_out_of_range_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="from 1 to 64"):
        publish(tmp_path / "site", "--jobs", "0")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_several_processes_publish_the_same_files_as_one(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("forked processes connect anew, which needs PostgreSQL here")
    build_demo()
    publish(tmp_path / "one")
    publish(tmp_path / "two", "--jobs", "2")
    one, two = files(tmp_path / "one"), files(tmp_path / "two")
    assert one.keys() == two.keys()
    for path, file in one.items():
        kind = output.type_of_file(path)
        assert publishing.comparable(file.read_bytes(), kind) == (
            publishing.comparable(two[path].read_bytes(), kind)
        ), path


# -- nginx --------------------------------------------------------------------

NGINX = shutil.which("nginx") or (
    "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def nginx_serving(tmp_path):
    """serve(DIR): nginx with publish_static's config on a free loopback
    port, in the foreground; stopped after the test."""
    if NGINX is None:
        if os.environ.get("REQUIRE_NGINX"):
            pytest.fail("REQUIRE_NGINX is set but nginx is not installed.")
        pytest.skip("nginx is not installed (apt-get install nginx).")
    processes = []

    def serve(site):
        port = free_port()
        folder = tmp_path / "nginx"
        folder.mkdir()
        config, _ = publish(
            site,
            "--nginx-config",
            "--listen",
            f"127.0.0.1:{port}",
            "--standalone",
            str(folder),
        )
        conf = folder / "nginx.conf"
        conf.write_text(config)
        process = subprocess.Popen(
            [NGINX, "-c", str(conf), "-p", str(folder)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        processes.append(process)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:  # until it answers, or has died
            try:
                urllib.request.urlopen(base + "/robots.txt", timeout=2).read()
                return base
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    pytest.fail(f"nginx did not start: {process.stderr.read()}")
                time.sleep(0.1)

    yield serve
    for process in processes:
        process.terminate()
        process.wait(timeout=20)


def fetch(url, headers=None):
    try:
        request = urllib.request.Request(url, headers=headers or {})
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()
