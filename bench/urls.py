"""The site's URLs plus `/bench/floor/`, the benchmark's floor.

The floor is a bare Django view returning 20 KB through the whole middleware
stack: what the framework costs before any template or query. Pages are
reported as a ratio of its requests per second.
"""

from django.http import HttpResponse
from django.urls import include, path

# About the size of a real page's HTML, so the floor pays the same bytes.
FLOOR_BODY = (
    "<!doctype html><title>floor</title>"
    + "<p>Summit Watch benchmark floor.</p>\n" * 560
)[: 20 * 1024].encode()


def floor(request):
    response = HttpResponse(FLOOR_BODY)
    # Never stored: the floor measures rendering a response, not a cache hit.
    response["Cache-Control"] = "no-store"
    return response


urlpatterns = [
    path("bench/floor/", floor),
    path("", include("config.urls")),
]
