"""Template tags for what crawlers and link previews read.

`{% seo_tags object %}` in `{% block head_extra %}` writes the canonical link,
Open Graph and Twitter card tags and the JSON-LD of an item, as the item
describes itself (`core.seo.DescribesItself`); list pages pass `title=` and
`description=` instead of an object. `{% jsonld_for object %}` writes the
JSON-LD alone. `{% cite_record object %}` prints the permalink, the date
the record last changed and a suggested citation (plain text and BibTeX).
"""

from django import template
from django.conf import settings

from core import seo
from core.citation import last_updated

register = template.Library()


@register.filter
def truncated(text, length):
    """`truncatechars` that reads only the start of a long text (core.seo)."""
    try:
        length = int(length)
    except (TypeError, ValueError):
        return text
    return seo.truncated(text, length)


@register.simple_tag(takes_context=True)
def absolute_url(context, url):
    """`url` made absolute from the current request."""
    return seo.absolute(url, context.get("request"))


@register.simple_tag(takes_context=True)
def jsonld_for(context, obj):
    data = obj.structured_data(context.get("request")) if obj is not None else None
    return seo.json_ld_script(data) if data else ""


@register.inclusion_tag("includes/seo.html", takes_context=True)
def seo_tags(context, obj=None, title="", description="", canonical="", noindex=False):
    """Head tags for a page about `obj`, or a page described by the arguments.

    `canonical` is a path (default: the object's URL, else the request path
    without its query string). A staff preview is never indexed.
    """
    request = context.get("request")
    preview = seo.LinkPreview(title=title)
    if obj is not None:
        preview = obj.link_preview()
        title = title or preview.title
        description = description or preview.description
        canonical = canonical or obj.get_absolute_url()
    if not canonical and request is not None:
        canonical = request.path
    image = seo.absolute(preview.image_url, request)
    image_alt = preview.image_alt
    if obj is not None and not image:
        # From SITE_URL, not the request: crawlers of other sites fetch the
        # card, and a request's Host header is the visitor's word, not ours.
        image = seo.absolute(obj.share_card_url())
        image_alt = f"{title} — {settings.SITE_NAME}"
    return {
        "site_name": settings.SITE_NAME,
        "title": title or settings.SITE_NAME,
        "description": description,
        "canonical": seo.absolute(canonical, request),
        "og_type": preview.og_type,
        "published_time": preview.published_time,
        "image": image,
        "image_alt": image_alt if image else "",
        "noindex": noindex or context.get("is_preview", False),
        "jsonld": jsonld_for(context, obj),
    }


@register.inclusion_tag("includes/cite.html", takes_context=True)
def cite_record(context, obj):
    """How to cite `obj`: one query, for the date of its newest revision."""
    url = seo.absolute(obj.get_absolute_url(), context.get("request"))
    citation = obj.citation(url, updated=last_updated(obj))
    return {"citation": citation, "permalink": url}
