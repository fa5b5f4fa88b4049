"""What search engines and link previews read: the mechanism, not the content.

Each model with a public page describes itself (djangoproject.com's
`Entry.opengraph_tags` is the pattern): `DescribesItself` gives it
`link_preview()` (the Open Graph / Twitter card values) and
`structured_data()` (its schema.org JSON-LD as a dict). Core never guesses a
model's type from its field names; it only renders what the model says, with
the helpers below.

JSON-LD sits inside a `<script>` element, where HTML escaping does not apply
and `</script>` in a title would end the element. `json_ld_script` escapes
`<`, `>` and `&` as JSON `\\u` escapes instead: the JSON means the same, and
the HTML parser never sees a tag.
"""

import json
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from core.citation import Citable

DESCRIPTION_CHARS = 200
HEADLINE_CHARS = 110  # what search engines show of an article headline
SCHEMA_CONTEXT = "https://schema.org"

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


def drop_empty(data):
    """Drop empty values, so the JSON-LD states only what we know."""
    return {key: value for key, value in data.items() if value not in ("", None, [])}


def schema_org(schema_type, properties):
    """A schema.org item of `schema_type` for JSON-LD, empty values left out."""
    return drop_empty({"@context": SCHEMA_CONTEXT, "@type": schema_type, **properties})


# A text is cut to its first LOOK_AHEAD × length characters before it is
# truncated (see `truncated`).
LOOK_AHEAD = 8


def truncated(text, length, collapse_spaces=False):
    """`Truncator(text).chars(length)`, reading only the start of a long text.

    Truncator normalises the whole text (NFC) before it counts, and
    collapsing spaces splits all of it: for a summary of a few thousand
    characters that was a quarter of a millisecond a page, for 160
    characters shown. The start decides the outcome whenever it is cut
    there; only a start that is not (mostly spaces or combining marks)
    sends the whole text through, so the outcome is always the same.
    """
    text = str(text or "")

    def cut(part):
        if collapse_spaces:
            part = " ".join(part.split())
        return part, Truncator(part).chars(length)

    if len(text) > length * LOOK_AHEAD:
        head, shortened = cut(text[: length * LOOK_AHEAD])
        if shortened != unicodedata.normalize("NFC", head):  # it was cut
            return shortened
    return cut(text)[1]


def plain_description(text):
    """Editors' plain text as one short line for a preview or a search engine."""
    return truncated(text, DESCRIPTION_CHARS, collapse_spaces=True)


def headline(text):
    return truncated(text, HEADLINE_CHARS)


def publisher():
    """The site itself, as schema.org's publisher of what it prints."""
    return {"@type": "Organization", "name": settings.SITE_NAME}


@dataclass(frozen=True)
class LinkPreview:
    """What a link preview shows of a page: Open Graph and Twitter card values.

    `image_url` may be a path; the template tag makes it absolute.
    """

    title: str
    description: str = ""
    og_type: str = "website"
    published_time: datetime | None = None
    image_url: str = ""
    image_alt: str = ""


class DescribesItself(Citable):
    """Mixin for models with a public page: how the page looks from outside,
    and how to cite it (`core.citation`).

    Override `link_preview()` and `structured_data()`; the defaults say
    nothing beyond the item's name, which is always true.

    A model whose URLs include `<its page>card.png` (core.views.ShareCardView)
    sets `has_share_card = True` and may override `share_card()`; its link
    preview then shows that card unless it names an image of its own.
    """

    has_share_card = False

    def link_preview(self):
        return LinkPreview(title=str(self))

    def share_card(self):
        """What the share card shows (a core.share_cards.ShareCard)."""
        from core.share_cards import ShareCard

        return ShareCard(title=str(self))

    def share_card_url(self):
        """The path of the share card, or "" if the model has none."""
        return f"{self.get_absolute_url()}card.png" if self.has_share_card else ""

    def structured_data(self, request=None):
        """The schema.org description of the item as a dict, or None."""
        return None
