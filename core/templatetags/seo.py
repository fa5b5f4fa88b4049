"""Template tags for what crawlers and link previews read.

`{% seo_tags object %}` in `{% block head_extra %}` writes the canonical link,
Open Graph and Twitter card tags and the JSON-LD for a summit, declaration or
article (see `core.seo`); list pages pass `title=` and `description=` instead
of an object. `{% jsonld_for object %}` writes the JSON-LD alone.
"""

from django import template
from django.conf import settings

from core import seo

register = template.Library()


@register.simple_tag(takes_context=True)
def absolute_url(context, url):
    """`url` made absolute from the current request."""
    return seo.absolute(url, context.get("request"))


@register.simple_tag(takes_context=True)
def jsonld_for(context, obj):
    data = seo.structured_data(obj, context.get("request"))
    return seo.json_ld_script(data) if data else ""


@register.inclusion_tag("includes/seo.html", takes_context=True)
def seo_tags(context, obj=None, title="", description="", canonical="", noindex=False):
    """Head tags for a page about `obj`, or a page described by the arguments.

    `canonical` is a path (default: the object's URL, else the request path
    without its query string). A staff preview is never indexed.
    """
    request = context.get("request")
    if obj is not None:
        title = title or str(obj)
        description = description or seo.description_of(obj)
        canonical = canonical or obj.get_absolute_url()
    if not canonical and request is not None:
        canonical = request.path
    image = seo.cover_image_url(obj)
    is_article = obj is not None and seo.is_article(obj)
    return {
        "site_name": settings.SITE_NAME,
        "title": title or settings.SITE_NAME,
        "description": description,
        "canonical": seo.absolute(canonical, request),
        "og_type": "article" if is_article else "website",
        "published_time": getattr(obj, "published_at", None) if is_article else None,
        "image": seo.absolute(image, request),
        "image_alt": getattr(obj, "cover_image_alt", "") if image else "",
        "noindex": noindex or context.get("is_preview", False),
        "jsonld": jsonld_for(context, obj) if obj is not None else "",
    }
