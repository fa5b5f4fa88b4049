"""`reverse_slug`: the address of a page whose URL takes one slug, fast.

Tables, the matrix, feeds and search results link hundreds of records per
page, and `reverse()` costs about 70 µs a call. An address with a slug is a
fixed text around that slug, so each route's text is worked out once (for
the URLconf and script prefix in force, which it depends on) and the slug
put in its place.
"""

import functools
import re

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

# What the `slug` path converter accepts; reverse() quotes none of it. Other
# slugs (there should be none) go through reverse() itself, which then
# refuses them exactly as before.
_PLAIN_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
_MARKER = "slug-marker-4f2a"


@functools.lru_cache(maxsize=256)
def _around(name, urlconf, prefix):
    """(before, after): the text of route `name`'s address around its slug."""
    before, found, after = reverse(name, args=[_MARKER], urlconf=urlconf).partition(
        _MARKER
    )
    return (before, after) if found else None


def reverse_slug(name, slug):
    """`reverse(name, args=[slug])`, the same text at a fraction of the cost."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    around = _around(name, urlconf, get_script_prefix())
    if around is None or not _PLAIN_SLUG.fullmatch(slug):
        return reverse(name, args=[slug], urlconf=urlconf)
    return f"{around[0]}{slug}{around[1]}"
