"""Asking the dynamic site for a page, as an anonymous visitor at SITE_URL.

Every page of the static output is rendered by the site's own public views,
through the whole middleware stack, with no cookie and no credentials: what a
visitor gets is what is written, and a draft or a scheduled item answers 404
there as it does on the site. The requests carry SITE_URL's host and scheme,
so the absolute addresses in feeds, the sitemap, robots.txt and link previews
are the public site's, whatever machine runs the command.
"""

import contextlib
import html
import logging
import multiprocessing
import re
import signal
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.db import connections
from django.test import Client
from django.test.utils import override_settings

PRIVATE_DIRECTIVES = {"private", "no-store", "no-cache"}


class SiteURLError(Exception):
    """SITE_URL cannot be the base of a published site."""


class RenderError(Exception):
    """A view failed: nothing is published from a site that errs."""


@dataclass
class Rendered:
    url: str
    status: int
    content_type: str
    body: bytes
    headers: dict
    sets_cookie: bool

    @property
    def is_public(self):
        """A 200 that every anonymous visitor may receive as it is."""
        return (
            self.status == 200
            and not self.sets_cookie
            and not (
                cache_directives(self.headers.get("Cache-Control", ""))
                & PRIVATE_DIRECTIVES
            )
        )

    def text(self):
        return self.body.decode("utf-8", "replace")


def cache_directives(value):
    """{'public', 'max-age'} from 'public, max-age=60'."""
    return {
        part.split("=", 1)[0].strip().lower()
        for part in value.split(",")
        if part.strip()
    }


def site_origin():
    """('https', 'summitwatch.example') from SITE_URL, or SiteURLError."""
    parts = urlsplit(settings.SITE_URL)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or parts.username
    ):
        raise SiteURLError(
            f"SITE_URL is {settings.SITE_URL!r}: set it to the public site's "
            "address, scheme and host only (e.g. https://summitwatch.example); "
            "the feeds and the sitemap print their addresses from it."
        )
    return parts.scheme, parts.netloc


class Renderer:
    """GETs addresses from the site; use inside `active()`.

    With `jobs` above 1, `get_many` renders in that many forked processes,
    each with its own database connection.
    """

    def __init__(self, jobs=1):
        self.jobs = jobs
        self.scheme, self.netloc = site_origin()
        self.origin = f"{self.scheme}://{self.netloc}"
        self.secure = self.scheme == "https"
        extra = {}
        proxy_header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
        if self.secure and proxy_header:
            # The site trusts this header, not the scheme, to know it is HTTPS.
            extra[proxy_header[0]] = proxy_header[1]
        self.client = Client(HTTP_HOST=self.netloc, **extra)

    @contextlib.contextmanager
    def active(self):
        """Render fresh pages as the public host, quietly.

        The host is allowed for these requests only (the command may run
        where ALLOWED_HOSTS does not list it); HTTP is not redirected to
        HTTPS (bodies are the same); the page cache is skipped, so nothing is
        served from an older state or stored for every page of the site. A
        404 is reported by the command itself, not logged per address.
        """
        request_logger = logging.getLogger("django.request")
        level = request_logger.level
        request_logger.setLevel(logging.ERROR)
        try:
            with override_settings(
                ALLOWED_HOSTS=[urlsplit(self.origin).hostname],
                SECURE_SSL_REDIRECT=False,
                PAGE_CACHE_ENABLED=False,
            ):
                yield self
        finally:
            request_logger.setLevel(level)

    def get(self, url):
        try:
            response = self.client.get(url, secure=self.secure)
            # The test client closes the response itself (for a streamed one,
            # once read): closing it again would send request_finished, whose
            # handler closes a database connection that is inside a
            # transaction.
            if response.streaming:
                body = b"".join(response.streaming_content)
            else:
                body = response.content
        except Exception as error:
            raise RenderError(f"{url} failed: {error!r}") from error
        finally:
            # Every request is a new anonymous visitor's.
            self.client.cookies.clear()
        return Rendered(
            url=url,
            status=response.status_code,
            content_type=response.get("Content-Type", ""),
            body=body,
            headers=dict(response.items()),
            sets_cookie=bool(response.cookies),
        )

    def get_many(self, urls):
        """Rendered pages of `urls`, in their order."""
        if self.jobs == 1 or len(urls) < 2 * self.jobs:
            yield from map(self.get, urls)
            return
        if any(connection.in_atomic_block for connection in connections.all()):
            raise RenderError(
                "Rendering in several processes needs the database outside a "
                "transaction; use one process (--jobs 1)."
            )
        global _worker_renderer
        _worker_renderer = self
        # Each process opens its own connection: a forked one must not share
        # the parent's socket.
        connections.close_all()
        pool = multiprocessing.get_context("fork").Pool(
            self.jobs, initializer=_ignore_interrupts
        )
        try:
            yield from pool.imap(_render_in_worker, urls, chunksize=8)
            pool.close()
        finally:
            pool.terminate()
            pool.join()


_worker_renderer = None


def _ignore_interrupts():
    # Ctrl-C reaches every process of the group; the parent stops the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _render_in_worker(url):
    return _worker_renderer.get(url)


# Attributes that hold an address in our templates (always double-quoted).
ADDRESS_ATTRIBUTE = re.compile(r'\s(href|src|srcset|content|poster)="([^"]*)"')


def linked_addresses(rendered, origin):
    """The site's own addresses a page links to: 'path' or 'path?query'.

    Relative links, and absolute ones on the site's origin (link previews
    name the share card and the canonical page absolutely). External links,
    fragments and other schemes are left out.
    """
    base = f"{origin}{rendered.url}"
    found = set()
    for attribute, raw in ADDRESS_ATTRIBUTE.findall(rendered.text()):
        value = html.unescape(raw).strip()
        if attribute == "content" and not value.startswith(f"{origin}/"):
            continue  # a description, a date: not an address
        if attribute == "srcset":
            candidates = [part.split()[0] for part in value.split(",") if part.split()]
        else:
            candidates = [value]
        for candidate in candidates:
            if not candidate or candidate.startswith("#"):
                continue
            parts = urlsplit(urljoin(base, candidate))
            if f"{parts.scheme}://{parts.netloc}" != origin:
                continue
            found.add(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found
