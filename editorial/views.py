"""Health check, draft preview links, and the last-resort error page."""

import sys

from django.db import DatabaseError, connection
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve
from django.utils.cache import add_never_cache_headers
from django.views import defaults
from django.views.decorators.cache import never_cache

from editorial.middleware import (
    RETRY_AFTER_SECONDS,
    database_unavailable_response,
    is_database_unavailable,
)
from editorial.models import PreviewLink


@never_cache
def healthz(request):
    """For load balancers: 200 "ok" when the database answers, else 503.

    The body never says more than that; the reason goes to the logs, not to
    whoever asks.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        response = HttpResponse("unavailable\n", status=503, content_type="text/plain")
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponse("ok\n", content_type="text/plain")


def preview(request, token):
    """Show a draft or scheduled item to whoever holds a valid preview link.

    The item's own public view renders it, so the reviewer sees exactly the
    page visitors will see; `PublishedOrPreviewMixin` lets that view show the
    one object named by `request.preview_object`. Expired, revoked, unknown
    or tampered tokens all get the same 404.
    """
    link = PreviewLink.find(token)
    obj = link.content_object if link is not None else None
    if obj is None:
        raise Http404("No such preview.")
    url = obj.get_absolute_url()
    if obj.is_public():
        # Nothing left to preview: send the reviewer to the real page.
        return HttpResponseRedirect(url)
    try:
        match = resolve(url)
    except Resolver404 as error:
        raise Http404("No such preview.") from error
    request.preview_object = obj
    response = match.func(request, *match.args, **match.kwargs)
    if hasattr(response, "render") and callable(response.render):
        response = response.render()
    mark_private(response)
    return response


def mark_private(response):
    """A preview stays between the editor and the reviewer."""
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    # The token is in the address: do not hand it to sites the page links to.
    response["Referrer-Policy"] = "no-referrer"
    return response


def server_error(request):
    """handler500: a lost database connection anywhere still gets the 503 page.

    Views are covered by `DatabaseUnavailableMiddleware`; this catches the
    rest (middleware, template context processors, session saving).
    """
    if is_database_unavailable(sys.exc_info()[1]):
        return database_unavailable_response()
    return defaults.server_error(request)
