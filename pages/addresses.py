"""The site's own top-level addresses, read from the URLconf.

A page lives at `/<slug>/`, beside every other first path segment of the site
(`/summits/`, `/admin/`, `/sitemap.xml`…). Reading them from the URLconf
rather than keeping a list means an address added later is reserved the day it
is added, without anyone remembering to come here.
"""

import re

from django.urls import URLPattern, URLResolver, get_resolver

# Addresses the second wave of the design gives to site pages that may not
# exist yet; a page taking one now would be shadowed later.
PLANNED_ADDRESSES = frozenset({"series", "groups", "changes", "data", "embed"})

# The literal start of a route or regex, up to the first "/", "<" or regex
# syntax: "summits/" -> "summits", "^media/(?P<path>.+)$" -> "media".
_LITERAL = re.compile(r"[\w.-]+")


def _first_segment(pattern):
    text = str(pattern.pattern).lstrip("^")
    match = _LITERAL.match(text)
    if match is None:
        return None
    segment = match.group(0)
    rest = text[match.end() :]
    # "sitemap\.xml" in a regex: keep the escaped dot as part of the name.
    while rest.startswith("\\.") and (more := _LITERAL.match(rest[2:])):
        segment += "." + more.group(0)
        rest = rest[2 + more.end() :]
    return segment


def _segments(patterns):
    for pattern in patterns:
        segment = _first_segment(pattern)
        if segment:
            yield segment.lower()
        elif isinstance(pattern, URLResolver):
            # An include mounted at "" spreads its routes over the top level.
            yield from _segments(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            continue  # "" (the home page) or a catch-all like "<slug>/"


def site_addresses(urlconf=None):
    """Every first path segment the URLconf answers, plus the planned ones."""
    return frozenset(_segments(get_resolver(urlconf).url_patterns)) | PLANNED_ADDRESSES
