"""What search engines and link previews read: JSON-LD and page descriptions.

Core imports no app, so the content types are recognised by their fields
(duck typing): a summit has `starts_on`, an article a `lede`, a declaration an
`adopted_on`. Anything else gets no structured data.

JSON-LD sits inside a `<script>` element, where HTML escaping does not apply
and `</script>` in a title would end the element. `json_ld_script` escapes
`<`, `>` and `&` as JSON `\\u` escapes instead: the JSON means the same, and
the HTML parser never sees a tag.
"""

import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

DESCRIPTION_CHARS = 200
HEADLINE_CHARS = 110  # what search engines show of an article headline

_JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def absolute(url, request=None):
    """An absolute URL for a path, from the request, else from SITE_URL."""
    if not url:
        return ""
    if url.startswith(("http://", "https://")):
        return url
    if request is not None:
        return request.build_absolute_uri(url)
    return f"{settings.SITE_URL}{url}"


def json_ld_script(data):
    """`data` as a `<script type="application/ld+json">` element, safe in HTML."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=None)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text.translate(_JSON_SCRIPT_ESCAPES)),
    )


def _clean(data):
    """Drop empty values, so the JSON-LD states only what we know."""
    return {key: value for key, value in data.items() if value not in ("", None, [])}


def is_summit(obj):
    return hasattr(obj, "starts_on") and hasattr(obj, "ends_on")


def is_article(obj):
    return hasattr(obj, "lede") and hasattr(obj, "body_html")


def is_declaration(obj):
    return hasattr(obj, "adopted_on") and hasattr(obj, "title")


def cover_image_url(obj):
    image = getattr(obj, "cover_image", None)
    return image.url if image else ""


def description_of(obj):
    """One plain sentence or two: lede, summary or description."""
    for field in ("lede", "summary", "description"):
        text = getattr(obj, field, "")
        if text:
            return Truncator(" ".join(text.split())).chars(DESCRIPTION_CHARS)
    return ""


def _publisher():
    return {"@type": "Organization", "name": settings.SITE_NAME}


def structured_data(obj, request=None):
    """The schema.org description of `obj` as a dict, or None."""
    if obj is None:
        return None
    url = absolute(obj.get_absolute_url(), request)
    if is_summit(obj):
        country = getattr(obj, "host_country", None)
        place = _clean(
            {
                "@type": "Place",
                "name": getattr(obj, "venue", "") or getattr(obj, "city", ""),
                "address": _clean(
                    {
                        "@type": "PostalAddress",
                        "addressLocality": getattr(obj, "city", ""),
                        "addressCountry": getattr(country, "code", None) or None,
                    }
                ),
            }
        )
        organiser = getattr(obj, "organiser", "")
        return _clean(
            {
                "@context": "https://schema.org",
                "@type": "Event",
                "name": obj.name,
                "url": url,
                "startDate": obj.starts_on,
                "endDate": obj.ends_on,
                "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
                "location": place,
                "description": description_of(obj),
                "organizer": (
                    {"@type": "Organization", "name": organiser} if organiser else None
                ),
                "sameAs": getattr(obj, "website", ""),
            }
        )
    if is_article(obj):
        is_press = getattr(obj, "kind", "") == "press"
        author = getattr(obj, "author_name", "")
        return _clean(
            {
                "@context": "https://schema.org",
                "@type": "NewsArticle" if is_press else "BlogPosting",
                "headline": Truncator(obj.title).chars(HEADLINE_CHARS),
                "description": description_of(obj),
                "url": url,
                "mainEntityOfPage": url,
                "datePublished": getattr(obj, "published_at", None),
                "dateModified": getattr(obj, "updated_at", None),
                "author": {"@type": "Person", "name": author} if author else None,
                "publisher": _publisher(),
                "image": absolute(cover_image_url(obj), request),
                "isBasedOn": getattr(obj, "original_url", "") if is_press else "",
            }
        )
    if is_declaration(obj):
        return _clean(
            {
                "@context": "https://schema.org",
                "@type": "CreativeWork",
                "name": obj.title,
                "url": url,
                "description": description_of(obj),
                "dateCreated": obj.adopted_on,
                "isBasedOn": getattr(obj, "source_url", ""),
                "publisher": _publisher(),
            }
        )
    return None
