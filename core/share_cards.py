"""Share cards: the 1200×630 PNG a link preview shows of a public record.

A model describes its card (`share_card()`, see core.seo.DescribesItself)
as a `ShareCard`: a title, an eyebrow, a few lines of facts and, optionally,
a picture of filled shapes (a declaration's map). Core only draws what it is
given, with Pillow, in the site's colours.

A card is drawn once per change: `card_png()` keys the cache by a digest of
everything drawn on it, so a record whose card would look the same is served
from the cache, and one that changed (a new title, a new signature) gets a
new key and a new drawing. Nothing needs to be invalidated by hand.
"""

import hashlib
import io
import textwrap
from dataclasses import dataclass, field
from functools import cache as memoise
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 630
MARGIN = 64
# Bump when the drawing code changes, so old cards are not served.
DRAWING_VERSION = "1"
CACHE_SECONDS = 30 * 24 * 60 * 60

BACKGROUND = "#12263a"
INK = "#ffffff"
MUTED = "#b9c4d0"
ACCENT = "#ffd166"

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


@memoise
def font(size, bold=False):
    """DejaVu Sans (Debian's fonts-dejavu-core), else Pillow's own font."""
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    try:
        return ImageFont.truetype(str(FONT_DIR / name), size)
    except OSError:
        return ImageFont.load_default(size=size)


@dataclass(frozen=True)
class CardPicture:
    """Filled shapes in their own coordinates (`width` × `height`): each
    shape is (fill colour, rings), a ring a tuple of (x, y) points."""

    width: int
    height: int
    shapes: tuple = ()
    background: str = ""


@dataclass(frozen=True)
class ShareCard:
    title: str
    eyebrow: str = ""
    lines: tuple = ()  # short facts, one line each
    picture: CardPicture | None = None
    legend: tuple = field(default=())  # (colour, words) under the picture

    def digest(self):
        """What is drawn, as a short hex digest: the cache key's heart."""
        text = repr((DRAWING_VERSION, settings.SITE_NAME, self))
        return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _wrap(draw, text, typeface, width, max_lines):
    """`text` in lines no wider than `width` pixels, an ellipsis if cut."""
    words = text.split()
    lines, current = [], ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if draw.textlength(candidate, font=typeface) <= width or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = textwrap.shorten(lines[-1] + " …", width=len(lines[-1]))
        if not lines[-1].endswith("…"):
            lines[-1] += " …"
    return lines


def _draw_picture(image, picture, box):
    left, top, right, bottom = box
    scale = min((right - left) / picture.width, (bottom - top) / picture.height)
    offset_x = right - picture.width * scale  # right-aligned in its box
    offset_y = top
    draw = ImageDraw.Draw(image)
    for fill, rings in picture.shapes:
        for ring in rings:
            points = [(offset_x + x * scale, offset_y + y * scale) for x, y in ring]
            draw.polygon(points, fill=fill)
    return offset_x, offset_y + picture.height * scale


def render(card):
    """The card as PNG bytes."""
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    y = MARGIN - 8
    if card.eyebrow:
        draw.text((MARGIN, y), card.eyebrow.upper(), font=font(26, True), fill=ACCENT)
        y += 48
    title_font = font(56 if len(card.title) < 70 else 46, True)
    text_width = WIDTH - 2 * MARGIN
    for line in _wrap(draw, card.title, title_font, text_width, 3):
        draw.text((MARGIN, y), line, font=title_font, fill=INK)
        y += title_font.size + 12
    y += 16
    picture_box = (WIDTH * 0.42, y, WIDTH - MARGIN, HEIGHT - MARGIN - 40)
    lines_width = text_width if card.picture is None else picture_box[0] - MARGIN - 24
    for fact in card.lines:
        for line in _wrap(draw, fact, font(30), lines_width, 2):
            draw.text((MARGIN, y), line, font=font(30), fill=INK)
            y += 42
    if card.picture is not None and picture_box[3] - picture_box[1] > 60:
        legend_x, legend_y = _draw_picture(image, card.picture, picture_box)
        for colour, words in card.legend:
            draw.rectangle(
                (legend_x, legend_y + 14, legend_x + 18, legend_y + 32), fill=colour
            )
            draw.text((legend_x + 26, legend_y + 10), words, font=font(22), fill=MUTED)
            legend_x += 26 + draw.textlength(words, font=font(22)) + 28
    mark = f"◆ {settings.SITE_NAME}"
    draw.text((MARGIN, HEIGHT - MARGIN - 30), mark, font=font(30, True), fill=MUTED)
    out = io.BytesIO()
    # zlib's default level: `optimize` (level 9) made the file 5 % smaller
    # and took three times as long, which publish_static pays for every
    # record of the site.
    image.save(out, format="PNG", compress_level=6)
    return out.getvalue()


def card_png(card):
    """(PNG bytes, digest): from the cache, or drawn and stored there."""
    digest = card.digest()
    key = f"share-card:{digest}"
    png = cache.get(key)
    if png is None:
        png = render(card)
        cache.set(key, png, CACHE_SECONDS)
    return png, digest
