"""Request-level middleware: headers, hostile parameters, database outages.

- `PermissionsPolicyMiddleware` sends the `Permissions-Policy` header Django's
  SecurityMiddleware does not set itself;
- `RejectNulCharactersMiddleware` answers 400 to parameters holding U+0000;
- `DatabaseUnavailableMiddleware` turns "the database cannot be reached" into
  a 503 page with `Retry-After`, rendered from a template that needs no
  database. Nothing has to be reset when the database comes back: each
  request checks its connection (`conn_health_checks`) and opens a new one if
  needed.
"""

import base64
import hashlib
import logging
import re

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)

# Seconds a client or load balancer should wait before trying again.
RETRY_AFTER_SECONDS = 30

# The errors a lost or refused connection raises. Other database errors
# (a broken query, a constraint) are bugs and stay 500s.
UNAVAILABLE_ERRORS = (OperationalError, InterfaceError)


class PermissionsPolicyMiddleware:
    """Send `Permissions-Policy` (settings.PERMISSIONS_POLICY) on every response.

    Our pages need no camera, microphone, location or payment API; saying so
    means an injected or third-party script cannot ask the visitor for them.
    A view that needs one can set its own header, which is left alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = getattr(settings, "PERMISSIONS_POLICY", "")

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Permissions-Policy", self.policy)
        return response


class RejectNulCharactersMiddleware:
    """Answer 400 to a request whose parameters contain U+0000.

    No form of ours means it, and PostgreSQL text cannot hold it: a NUL in a
    search, an admin filter or a small form reaches a query and fails there
    with a 500. Query strings and urlencoded bodies are checked here, once;
    multipart forms go through Django's form fields, which refuse it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _holds_nul(request.GET) or (
            request.content_type == "application/x-www-form-urlencoded"
            and _holds_nul(request.POST)
        ):
            return render(
                request,
                "400.html",
                {"problem": "The request contained a character (U+0000) that no "
                 "page on this site accepts."},
                status=400,
            )  # fmt: skip
        return self.get_response(request)


def _holds_nul(params):
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in params.lists()
    )


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
