"""Whole-page cache and conditional GET for anonymous visitors.

`PageCacheMiddleware` sits high in MIDDLEWARE, just below the security and
static-file middleware, so a cache hit skips sessions, CSRF, authentication
and the view: one cache read answers a burst of visitors. It applies to every
public page, feed, sitemap and CSV without those views knowing about it.

A request is one of three kinds:

- *untouched*: not GET/HEAD, or the admin and editor tools. Passed through.
- *personal*: it carries a session or messages cookie or credentials, or asks
  for a staff preview. Never looked up or stored; marked `private, no-store`
  when the visitor turned out to be logged in or it was a preview.
- *public*: everything else. Looked up in the cache; on a miss the response
  is stored when it is safe to share (below), unless its view marked it
  `mark_unstored` (a search with a query: public, but each one a one-off).

A response is shared (stored, `Cache-Control: public`) only when it is a
200 that sets no cookie (so no CSRF token and no session), is not streamed,
varies on nothing but `Cookie`, and its view did not mark it private.

Every shared response carries a strong `ETag` (a hash of its body), and a
request whose `If-None-Match` matches gets `304 Not Modified` — from the
cache without rendering when the page is stored.
"""

import hashlib
import logging

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import (
    add_never_cache_headers,
    cc_delim_re,
    get_conditional_response,
    patch_cache_control,
)

from core import cache as page_cache

logger = logging.getLogger(__name__)

UNTOUCHED, PERSONAL, PUBLIC = "untouched", "personal", "public"

# Cookies whose presence may change a page: a logged-in session, or a flash
# message waiting to be shown.
PERSONAL_COOKIES = (settings.SESSION_COOKIE_NAME, "messages")
PRIVATE_DIRECTIVES = {"private", "no-store", "no-cache"}
CACHE_STATUS_HEADER = "X-Cache"


def classify(request):
    if request.method not in ("GET", "HEAD"):
        return UNTOUCHED
    if request.path.startswith(tuple(page_cache.setting("PAGE_CACHE_EXCLUDED_PATHS"))):
        return UNTOUCHED
    if request.GET.get("preview") == "1":
        return PERSONAL
    if "HTTP_AUTHORIZATION" in request.META or any(
        name in request.COOKIES for name in PERSONAL_COOKIES
    ):
        return PERSONAL
    return PUBLIC


def cache_control_directives(response):
    return {
        directive.split("=", 1)[0].strip().lower()
        for directive in cc_delim_re.split(response.get("Cache-Control", ""))
        if directive.strip()
    }


def is_shareable(request, response):
    """May every anonymous visitor receive this very response?"""
    if response.status_code != 200 or response.streaming:
        return False
    # A cookie means a CSRF token, a session or something else per visitor.
    # The CSRF middleware sets its cookie whenever a template used
    # {% csrf_token %}; the META flag covers a token issued after it ran.
    if response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    if cache_control_directives(response) & PRIVATE_DIRECTIVES:
        return False
    # The key holds the URL only; a page varying on anything but the cookie
    # (which personal requests never reach here with) must not be shared.
    vary = {
        header.strip().lower()
        for header in cc_delim_re.split(response.get("Vary", ""))
        if header.strip()
    }
    return vary <= {"cookie"}


def add_public_headers(response):
    directives = cache_control_directives(response)
    patch_cache_control(
        response,
        public=True,
        **(
            {}
            if "max-age" in directives  # The view chose its own lifetime.
            else {
                "max_age": page_cache.setting("PAGE_CACHE_MAX_AGE"),
                "stale_while_revalidate": page_cache.setting(
                    "PAGE_CACHE_STALE_WHILE_REVALIDATE"
                ),
            }
        ),
    )
    if not response.has_header("ETag"):
        digest = hashlib.blake2b(response.content, digest_size=16).hexdigest()
        response["ETag"] = f'"{digest}"'


def freeze(response):
    """What the cache keeps of a response: its body and headers, nothing else."""
    return response.content, list(response.items())


def thaw(entry):
    content, headers = entry
    response = HttpResponse(content)
    for name, value in headers:
        response[name] = value
    return response


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        kind = classify(request)
        if kind == UNTOUCHED:
            return self.get_response(request)
        if kind == PERSONAL:
            return self.personal_response(request)
        return self.public_response(request)

    def personal_response(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.GET.get("preview") == "1" or (user and user.is_authenticated):
            # Drafts and staff views must never reach a shared cache.
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response

    def public_response(self, request):
        key = timeout = None
        if page_cache.setting("PAGE_CACHE_ENABLED"):
            key, timeout, cached = self.lookup(request)
            if cached is not None:
                response = thaw(cached)
                response[CACHE_STATUS_HEADER] = "HIT"
                return self.conditional(request, response)

        response = self.get_response(request)
        if not is_shareable(request, response):
            return response
        add_public_headers(response)
        if key is not None and timeout and request.method == "GET":
            if not page_cache.is_unstored(response):
                self.store(key, response, timeout)
                response[CACHE_STATUS_HEADER] = "MISS"
        return self.conditional(request, response)

    def conditional(self, request, response):
        """304 for a matching If-None-Match; HEAD answers carry no body."""
        response = get_conditional_response(
            request, etag=response["ETag"], response=response
        )
        if request.method == "HEAD" and response.status_code == 200:
            # Content-Length still tells the size of the GET answer.
            response.content = b""
        return response

    def lookup(self, request):
        """(key, timeout, cached entry or None); (None, None, None) if no cache."""
        try:
            version = page_cache.get_content_version()
            if version is None:
                return None, None, None
            next_publication = page_cache.next_publication(version)
            key = page_cache.page_key(request, version, next_publication)
            timeout = page_cache.page_timeout(next_publication)
            cached = page_cache.page_cache().get(key) if timeout else None
        except Exception:
            logger.warning("Page cache lookup failed; rendering.", exc_info=True)
            return None, None, None
        return key, timeout, cached

    def store(self, key, response, timeout):
        try:
            page_cache.page_cache().set(key, freeze(response), timeout)
        except Exception:
            logger.warning("Could not store a page in the cache.", exc_info=True)
