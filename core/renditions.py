"""Renditions: an uploaded image in the sizes and formats pages show it at.

`make_renditions(name)` reads a stored image (one that went through
`core.uploads.clean_image`), writes smaller copies of it once, as WebP and as
a JPEG (PNG for images with transparency) fallback, and returns a
`RenditionSet`; a manifest beside them lets `renditions_for(name)` find them
again without decoding anything. Pages print a `<picture>` with `srcset` and
`sizes`, so a phone loads the 380-pixel copy where a desktop loads the
1200-pixel one (`{% picture %}` in core's `summitwatch` tags, and
`picture_html` for the markdown pipeline).

It names no model: a model (an article's cover) or an upload view (the
markdown editor's images) calls it with a storage name and keeps the
returned set (`as_dict()`), e.g. in a JSONField, so pages need no file
access. Nothing here trusts the image: it has been re-encoded on upload.
"""

import io
import json
import logging
import posixpath
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from PIL import Image

from core.storage import STORAGE_ERRORS

logger = logging.getLogger(__name__)

# The widths pages show images at: a card or phone column, a two-column or
# tablet width and the article column on a high-density screen.
WIDTHS = (380, 760, 1200)
RENDITIONS_DIR = "renditions"
WEBP = "image/webp"
JPEG = "image/jpeg"
PNG = "image/png"
QUALITY = {WEBP: 80, JPEG: 82}
FORMATS = {WEBP: ("WEBP", "webp"), JPEG: ("JPEG", "jpg"), PNG: ("PNG", "png")}


@dataclass
class RenditionSet:
    """The stored copies of one image: per media type, (name, width) pairs
    from the smallest; `width` and `height` are the original's."""

    original: str
    width: int
    height: int
    fallback_type: str
    sources: dict = field(default_factory=dict)

    def as_dict(self):
        return {
            "original": self.original,
            "width": self.width,
            "height": self.height,
            "fallback_type": self.fallback_type,
            "sources": {
                kind: [list(p) for p in pairs] for kind, pairs in self.sources.items()
            },
        }

    @classmethod
    def from_dict(cls, data):
        """A set from `as_dict()` output, or None if it is empty or damaged."""
        try:
            return cls(
                original=str(data["original"]),
                width=int(data["width"]),
                height=int(data["height"]),
                fallback_type=str(data["fallback_type"]),
                sources={
                    str(kind): [(str(name), int(width)) for name, width in pairs]
                    for kind, pairs in data["sources"].items()
                },
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            return None

    def srcset(self, kind, storage=default_storage):
        return ", ".join(
            f"{storage.url(name)} {width}w"
            for name, width in self.sources.get(kind, [])
        )

    def fallback_url(self, storage=default_storage):
        """The fallback's middle size: sharp enough where srcset is ignored."""
        pairs = self.sources.get(self.fallback_type) or []
        if not pairs:
            return storage.url(self.original)
        return storage.url(pairs[min(1, len(pairs) - 1)][0])


def _folder(name):
    stem = posixpath.splitext(posixpath.basename(name))[0]
    return posixpath.join(RENDITIONS_DIR, stem)


def _manifest_name(name):
    return posixpath.join(_folder(name), "manifest.json")


def _encode(image, kind):
    pillow_format, _ = FORMATS[kind]
    buffer = io.BytesIO()
    options = {"quality": QUALITY[kind]} if kind in QUALITY else {"optimize": True}
    if kind == JPEG and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    image.save(buffer, format=pillow_format, **options)
    return buffer.getvalue()


def make_renditions(name, storage=default_storage, widths=WIDTHS):
    """Write the renditions of the stored image `name`; return their set.

    One copy per width narrower than the original, plus one at the
    original's width (capped at the largest width), in WebP and the
    fallback format. Made once: an existing manifest is returned as it is.
    """
    existing = renditions_for(name, storage)
    if existing is not None:
        return existing
    with storage.open(name, "rb") as handle:
        original = Image.open(handle)
        original.load()
    has_alpha = "A" in original.getbands() or "transparency" in original.info
    fallback = PNG if has_alpha else JPEG
    if original.mode == "P":
        original = original.convert("RGBA" if has_alpha else "RGB")
    largest = min(original.width, max(widths))
    chosen = sorted({w for w in widths if w < original.width} | {largest})
    folder = _folder(name)
    sources = {WEBP: [], fallback: []}
    for width in chosen:
        height = max(1, round(original.height * width / original.width))
        resized = original.resize((width, height), Image.Resampling.LANCZOS)
        for kind in (WEBP, fallback):
            extension = FORMATS[kind][1]
            stored = storage.save(
                posixpath.join(folder, f"{width}.{extension}"),
                ContentFile(_encode(resized, kind)),
            )
            sources[kind].append((stored, width))
    renditions = RenditionSet(
        original=name,
        width=original.width,
        height=original.height,
        fallback_type=fallback,
        sources=sources,
    )
    storage.save(
        _manifest_name(name),
        ContentFile(json.dumps(renditions.as_dict()).encode()),
    )
    return renditions


def renditions_for(name, storage=default_storage):
    """The renditions made for `name`, or None if none were made or the
    store cannot say (down: the image then shows as a plain `<img>`)."""
    manifest = _manifest_name(name)
    try:
        if not storage.exists(manifest):
            return None
        with storage.open(manifest, "rb") as handle:
            return RenditionSet.from_dict(json.load(handle))
    except ValueError:
        return None
    except STORAGE_ERRORS:
        logger.warning("Could not read the renditions of %s", name, exc_info=True)
        return None


def picture_html(
    renditions, alt, sizes, priority=False, css_class="", storage=default_storage
):
    """A `<picture>`: WebP sources, the fallback `<img>` with its size set.

    `priority` marks the largest image above the fold (fetched first, not
    lazily); every other image loads lazily.
    """
    loading = 'fetchpriority="high"' if priority else 'loading="lazy"'
    img_class = format_html(' class="{}"', css_class) if css_class else ""
    return format_html(
        '<picture><source type="{}" srcset="{}" sizes="{}">'
        '<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}"{} {}'
        ' decoding="async">'
        "</picture>",
        WEBP,
        renditions.srcset(WEBP, storage),
        sizes,
        renditions.fallback_url(storage),
        renditions.srcset(renditions.fallback_type, storage),
        sizes,
        renditions.width,
        renditions.height,
        alt,
        img_class,
        mark_safe(loading),
    )
