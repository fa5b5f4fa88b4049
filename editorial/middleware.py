"""Middleware that keeps visitors away from tracebacks and dead links.

`DatabaseUnavailableMiddleware` turns "the database cannot be reached" into a
503 page with `Retry-After`, rendered from a template that needs no database.
Nothing has to be reset when the database comes back: each request checks
its connection (`conn_health_checks`) and opens a new one if needed.

`SlugRedirectMiddleware` answers a 404 for an address a public item used to
have with a 301 to where the item lives now.
"""

import base64
import hashlib
import logging
import re

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

from editorial.models import SlugRedirect

logger = logging.getLogger(__name__)

# Seconds a client or load balancer should wait before trying again.
RETRY_AFTER_SECONDS = 30

# The errors a lost or refused connection raises. Other database errors
# (a broken query, a constraint) are bugs and stay 500s.
UNAVAILABLE_ERRORS = (OperationalError, InterfaceError)


def database_unavailable_response():
    """The 503 page. Rendered without a request: no context processor, no query."""
    body = render_to_string("503.html", {"SITE_NAME": settings.SITE_NAME})
    response = HttpResponse(body, status=503, content_type="text/html")
    # The page carries its own styles (it must not depend on anything else);
    # allow exactly that style block through the Content-Security-Policy.
    response._csp_update = {"style-src": inline_style_hashes(body)}
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


def inline_style_hashes(html):
    """CSP source expressions allowing each inline <style> block of `html`."""
    hashes = []
    for style in re.findall(r"<style>(.*?)</style>", html, flags=re.DOTALL):
        digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
        hashes.append(f"'sha256-{digest}'")
    return hashes


def is_database_unavailable(exception):
    return isinstance(exception, UNAVAILABLE_ERRORS)


class DatabaseUnavailableMiddleware:
    """Answer 503 instead of a 500 when a view cannot reach the database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_database_unavailable(exception):
            return None
        # One line, no traceback: an outage is an event, not a bug, and the
        # logs would otherwise fill with identical stack traces.
        logger.warning("Database unavailable for %s: %s", request.path, exception)
        return database_unavailable_response()


class SlugRedirectMiddleware:
    """Turn a 404 at an old address into a 301 to the item's current address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        try:
            target = self.current_url(request.path)
        except DatabaseError:
            logger.warning("Could not look up a redirect for %s", request.path)
            return response
        if target is None:
            return response
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirect(f"{target}?{query}" if query else target)

    @staticmethod
    def candidate_paths(path):
        """The path and each of its parent folders, longest first.

        A page below an item's address (e.g. a declaration's
        `signatories.csv`) follows the item too.
        """
        candidates = [path]
        trimmed = path.rstrip("/")
        while "/" in trimmed.strip("/"):
            trimmed = trimmed.rsplit("/", 1)[0]
            candidates.append(trimmed + "/")
        return candidates

    def current_url(self, path):
        candidates = self.candidate_paths(path)
        redirects = SlugRedirect.objects.filter(old_path__in=candidates)
        for redirect in sorted(redirects, key=lambda r: -len(r.old_path)):
            obj = self.public_object(redirect)
            if obj is None:
                continue
            current = obj.get_absolute_url()
            target = current + path[len(redirect.old_path) :]
            if target != path:
                return target
        return None

    @staticmethod
    def public_object(redirect):
        """The item `redirect` points at, if a visitor may see it now; else None.

        Asked of the model's own `public()`: a draft, a scheduled item or a
        signatory recorded only on drafts answers exactly like an unknown
        address, so the redirect never reveals where it went.
        """
        model = ContentType.objects.get_for_id(redirect.content_type_id).model_class()
        if model is None:
            return None
        return model._default_manager.public().filter(pk=redirect.object_id).first()
