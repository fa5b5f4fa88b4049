"""Several hosts: two gunicorns behind one nginx, sharing PostgreSQL, Redis
and object storage, as README.md ("Several hosts") describes.

Host A and host B are two gunicorn processes with the production settings on
two loopback ports; nginx spreads requests over both (round robin). Every
request carries the site's one public host name, as a load balancer passes
it on, so a page cached by one host has the same key on the other. Stories:

- an edit saved through one host is on the other's next page (the page
  cache and its content version are in the shared Redis);
- an editor signed in through one host is signed in on the other and
  through nginx, and signed out everywhere at once (sessions in PostgreSQL);
- an image uploaded through host A is in the pages host B renders, and its
  URLs fetch (the bucket on the S3 server).

Needs PostgreSQL (DATABASE_URL=postgres://…: a fresh database is made and
dropped on that server), Redis (REDIS_URL: its database is emptied), an S3
server (S3_TEST_ENDPOINT, or moto started by the tests) and nginx. Without
them the tests are skipped, saying what is missing; CI sets
REQUIRE_SEVERAL_HOSTS=1, which makes a missing piece a failure.
"""

import http.client
import io
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from django.utils.text import slugify
from PIL import Image

from articles.models import Article
from tests import object_storage
from tests.test_admin import article_post

pytestmark = pytest.mark.several_hosts

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
REQUIRED = "REQUIRE_SEVERAL_HOSTS"
# The name visitors use; the load balancer passes it on to every host.
PUBLIC_HOST = "summitwatch.test"
ADMIN = ("editor", secrets.token_urlsafe(16))
START_TIMEOUT = 60


def lacking(reason):
    """Skip, or fail where CI promised everything (REQUIRE_SEVERAL_HOSTS=1)."""
    if os.environ.get(REQUIRED, "").strip() not in ("", "0"):
        pytest.fail(f"{REQUIRED} is set but {reason}")
    pytest.skip(f"{reason} (set {REQUIRED}=1 to make this a failure)")


def postgres_server():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        lacking("no PostgreSQL: set DATABASE_URL=postgres://…")
    import psycopg

    parts = urlsplit(url)
    server = f"{parts.scheme}://{parts.netloc}"
    try:
        psycopg.connect(f"{server}/postgres", connect_timeout=3).close()
    except psycopg.OperationalError as error:
        lacking(f"PostgreSQL does not answer at {parts.hostname}: {error}")
    return server


def redis_url():
    url = os.environ.get("REDIS_URL", "")
    if not url:
        lacking("no Redis: set REDIS_URL=redis://…")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        lacking(f"Redis does not answer at {url}: {error}")
    return url


def nginx_binary():
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None
    )
    if found is None:
        lacking("nginx is not installed (apt-get install nginx)")
    return found


@contextmanager
def fresh_database(server):
    import psycopg

    name = f"sw_several_hosts_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def production_env(database_url, cache_url, bucket_env, static_root):
    env = {
        key: value
        for key, value in os.environ.items()
        # Nothing from the test run's own configuration leaks in.
        if not key.startswith(("DJANGO_", "S3_", "SECURE_", "SESSION_", "CSRF_"))
        and key not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "MEDIA_ROOT"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),  # the same on both hosts
        ALLOWED_HOSTS=PUBLIC_HOST,
        SITE_URL=f"http://{PUBLIC_HOST}",
        DATABASE_URL=database_url,
        REDIS_URL=cache_url,
        PAGE_CACHE="1",
        STATIC_ROOT=str(static_root),
        # Plain HTTP on loopback: no redirect to HTTPS, cookies over HTTP.
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        WEB_CONCURRENCY="2",
        LOG_LEVEL="WARNING",
        ADMIN_USERNAME=ADMIN[0],
        ADMIN_PASSWORD=ADMIN[1],
        PYTHONPATH=str(ROOT),
        **bucket_env,
    )
    return env


def manage(env, *args):
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}: {result.stderr}"


def wait_until_answering(base, process, log):
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            status = fetch(base, "GET", "/healthz").status
        except OSError:
            time.sleep(0.2)
            continue
        if status == 200:
            return
        time.sleep(0.2)
    pytest.fail(f"{base} did not start:\n{Path(log).read_text()[-3000:]}")


@contextmanager
def running(args, env, log, base):
    """A server process until the block ends; its log in `log`."""
    with open(log, "w") as output:
        process = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        wait_until_answering(base, process, log)
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


NGINX_CONFIG = """\
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
{user}
events {{ worker_connections 64; }}
http {{
    access_log {tmp}/nginx-access.log;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    upstream summitwatch {{
        server 127.0.0.1:{port_a};
        server 127.0.0.1:{port_b};
    }}
    server {{
        listen 127.0.0.1:{port};
        server_name {host};
        client_max_body_size 6m;
        location / {{
            proxy_pass http://summitwatch;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            # Which host answered: the stories check both take turns.
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""


@dataclass
class Site:
    a: str
    b: str
    nginx: str
    media_url: str


@pytest.fixture(scope="module")
def site(request, tmp_path_factory):
    """Host A, host B and nginx in front, sharing PostgreSQL, Redis and S3."""
    server, cache_url, nginx = postgres_server(), redis_url(), nginx_binary()
    # Only now: a run that lacks the rest does not start an S3 server.
    s3_endpoint = request.getfixturevalue("s3_endpoint")
    import redis

    # Pages cached under another database's content must not be served.
    redis.Redis.from_url(cache_url).flushdb()
    tmp = tmp_path_factory.mktemp("several-hosts")
    with ExitStack() as stack:
        database_url = stack.enter_context(fresh_database(server))
        bucket = stack.enter_context(object_storage.new_bucket(s3_endpoint))
        bucket_env = object_storage.bucket_environment(s3_endpoint, bucket)
        env = production_env(database_url, cache_url, bucket_env, tmp / "static")
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")  # one release, one copy
        manage(env, "ensure_admin")
        ports = [object_storage.free_port() for _ in range(3)]
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for label, port, base in zip("ab", ports, bases, strict=False):
            stack.enter_context(
                running(
                    [GUNICORN, "--bind", f"127.0.0.1:{port}"],
                    env,
                    tmp / f"gunicorn-{label}.log",
                    base,
                )
            )
        config = tmp / "nginx.conf"
        config.write_text(
            NGINX_CONFIG.format(
                tmp=tmp,
                # As root, nginx's workers would otherwise run as nobody,
                # who may not write the temporary folders in `tmp`.
                user="user root;" if os.geteuid() == 0 else "",
                port=ports[2],
                port_a=ports[0],
                port_b=ports[1],
                host=PUBLIC_HOST,
            )
        )
        stack.enter_context(
            running(
                [nginx, "-p", str(tmp), "-c", str(config), "-e", "stderr"],
                env,
                tmp / "nginx.log",
                bases[2],
            )
        )
        yield Site(
            a=bases[0],
            b=bases[1],
            nginx=bases[2],
            media_url=object_storage.media_storage(bucket_env)[1],
        )


# --- a small HTTP client: one visitor, cookies kept across hosts --------------


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)


def fetch(base, method, path, body=None, headers=None):
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request(
            method, path, body=body, headers={"Host": PUBLIC_HOST, **(headers or {})}
        )
        answer = connection.getresponse()
        return Response(answer.status, answer.headers, answer.read())
    finally:
        connection.close()


def multipart(fields, files):
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"'
            f"\r\n\r\n{value}\r\n".encode()
        )
    for name, (filename, data, content_type) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
            + data
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Visitor:
    """A browser: one cookie jar for the site, whichever host answers.

    (A browser keeps cookies per host name, not per server behind it.)
    """

    def __init__(self):
        self.cookies = {}

    def request(self, base, method, path, fields=None, files=None, headers=None):
        headers = dict(headers or {})
        body = None
        if files:
            body, headers["Content-Type"] = multipart(fields or {}, files)
        elif fields is not None:
            body = urlencode(fields, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = fetch(base, method, path, body, headers)
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response

    def get(self, base, path):
        return self.request(base, "GET", path)

    def post(self, base, path, fields, files=None, headers=None):
        """A form post, with the CSRF token a page would carry."""
        if "csrftoken" not in self.cookies:
            self.get(base, "/admin/login/")
        fields = {**fields, "csrfmiddlewaretoken": self.cookies["csrftoken"]}
        return self.request(base, "POST", path, fields, files, headers)

    def sign_in(self, base):
        response = self.post(
            base,
            "/admin/login/?next=/admin/",
            {"username": ADMIN[0], "password": ADMIN[1], "next": "/admin/"},
        )
        assert response.status == 302, response.text[:2000]
        assert response.headers["Location"] == "/admin/"


def signed_in(response):
    """Is this the admin (200), rather than a redirect to its login page?"""
    return response.status == 200 and 'action="/admin/logout/"' in response.text


def through_nginx(site, visitor, path, times=4):
    """`path` requested through nginx until both hosts have answered it."""
    responses = [visitor.get(site.nginx, path) for _ in range(times)]
    upstreams = {response.headers["X-Upstream"] for response in responses}
    assert upstreams == {
        site.a.removeprefix("http://"),
        site.b.removeprefix("http://"),
    }, upstreams
    return responses


@pytest.fixture(scope="module")
def editor(site):
    """An editor signed in through host A."""
    visitor = Visitor()
    visitor.sign_in(site.a)
    return visitor


def new_article(title, body="", slug=""):
    """The admin form's fields for an article with this title and body."""
    article = Article(
        title=title, slug=slug, kind="post", body=body, lede="From the summit."
    )
    return article_post(article, body=body)


def publish_article(visitor, base, title, body=""):
    """Publish a new article through the admin of `base`; its slug."""
    data = {**new_article(title, body), "_publish": "Publish"}
    response = visitor.post(base, "/admin/articles/article/add/", data)
    errors = re.findall(r'<ul class="errorlist.*?</ul>', response.text, re.S)
    assert response.status == 302, errors or response.text[:2000]
    return slugify(title)


def article_pk(visitor, base, title):
    query = urlencode({"q": title})
    changelist = visitor.get(base, f"/admin/articles/article/?{query}").text
    found = re.findall(r'href="/admin/articles/article/(\d+)/change/', changelist)
    assert len(set(found)) == 1, found
    return found[0]


# --- the stories ----------------------------------------------------------------


def test_nginx_spreads_visitors_over_both_hosts(site):
    responses = through_nginx(site, Visitor(), "/healthz")
    assert {response.status for response in responses} == {200}


def test_a_page_cached_by_one_host_is_served_from_the_cache_by_the_other(site, editor):
    slug = publish_article(editor, site.a, "Cached once for every host")
    reader = Visitor()
    first = reader.get(site.b, f"/articles/{slug}/")
    assert first.status == 200 and first.headers["X-Cache"] == "MISS"
    again = reader.get(site.a, f"/articles/{slug}/")
    assert again.headers["X-Cache"] == "HIT"
    assert again.body == first.body


def test_an_edit_through_one_host_is_on_the_others_next_page(site, editor):
    slug = publish_article(editor, site.a, "Before the summit")
    reader = Visitor()
    for base in (site.a, site.b):
        reader.get(base, f"/articles/{slug}/")
        reader.get(base, "/articles/")
    assert reader.get(site.b, "/articles/").headers["X-Cache"] == "HIT"

    pk = article_pk(editor, site.a, "Before the summit")
    # A plain save keeps the status (the buttons decide it).
    edited = {**new_article("After the summit", slug=slug), "_save": "Save"}
    saved = editor.post(site.a, f"/admin/articles/article/{pk}/change/", edited)
    assert saved.status == 302, saved.text[:2000]

    # The very next request, on the other host, shows it; nginx too.
    for page in (f"/articles/{slug}/", "/articles/"):
        on_b = reader.get(site.b, page)
        assert "After the summit" in on_b.text and "Before the summit" not in on_b.text
    for response in through_nginx(site, reader, f"/articles/{slug}/"):
        assert "After the summit" in response.text


def test_a_session_started_on_one_host_is_valid_on_every_host(site):
    visitor = Visitor()
    assert not signed_in(visitor.get(site.b, "/admin/"))
    visitor.sign_in(site.a)
    assert signed_in(visitor.get(site.a, "/admin/"))
    assert signed_in(visitor.get(site.b, "/admin/"))
    assert all(signed_in(r) for r in through_nginx(site, visitor, "/admin/"))

    # Signing out through host B ends the session on host A too.
    session = visitor.cookies["sessionid"]
    assert visitor.post(site.b, "/admin/logout/", {}).status == 200
    visitor.cookies["sessionid"] = session  # as if another tab still held it
    assert visitor.get(site.a, "/admin/").status == 302


def test_an_image_uploaded_through_one_host_shows_on_the_others_pages(site, editor):
    buffer = io.BytesIO()
    Image.new("RGB", (900, 600), "seagreen").save(buffer, format="PNG")
    uploaded = editor.post(
        site.a,
        "/markdownx/upload/",
        {"alt_text": "Delegates at the table"},
        files={"image": ("delegates.png", buffer.getvalue(), "image/png")},
        headers={"X-Requested-With": "XMLHttpRequest"},
    )
    assert uploaded.status == 200, uploaded.text
    url = uploaded.json()["url"]
    assert url.startswith(site.media_url)

    # Host B writes the article, reading the renditions host A made.
    slug = publish_article(
        editor, site.b, "Pictures from Paris", body=uploaded.json()["image_code"]
    )
    page = Visitor().get(site.b, f"/articles/{slug}/").text
    assert "<picture>" in page
    shown = set(re.findall(r"(https?://[^\s\"]+)(?: \d+w)?", page))
    shown = {address for address in shown if address.startswith(site.media_url)}
    assert any("/renditions/" in address for address in shown), shown
    for address in shown:
        with urllib.request.urlopen(address, timeout=10) as image:
            assert image.status == 200
            assert image.headers["Content-Type"].startswith("image/")
    # And in the media library, on the host that did not receive the upload.
    library = editor.get(site.b, "/admin/core/image/").text
    assert f'src="{url}"' in library
