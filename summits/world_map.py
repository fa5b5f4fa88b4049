"""The world map of a declaration: every country coloured by its position.

Drawn on the server as inline SVG from `summits/data/world.json` (Natural
Earth shapes, see summits/data/NOTICE.md and scripts/build_world_map.py),
from positions the page has already loaded: the map adds no query. The share
cards rasterise the same shapes (`polygons()`), so card and page agree.

The SVG is hidden from screen readers (`aria-hidden`): the signatory table
beside it says the same in words. Sighted visitors get each country's name
and position on hover (an SVG `<title>`), and a legend that names every
status with its count, with patterns as well as colours for "declined" and
"withdrawn".
"""

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

SHAPES = Path(__file__).resolve().parent / "data" / "world.json"

# The map's statuses in legend order (Signature.Status's values; this module
# imports no model, so that the models may use it); "none" is a country with
# no position.
MAP_STATUSES = (
    ("signed", "Signed"),
    ("declined", "Declined"),
    ("withdrawn", "Withdrawn"),
    ("attended", "Attended, did not sign"),
    ("unknown", "Not verified"),
    ("none", "Not recorded"),
)
# The share card's colours for the same statuses, on its dark background.
CARD_COLOURS = {
    "signed": "#4ade80",
    "declined": "#f87171",
    "withdrawn": "#fbbf24",
    "attended": "#93a4b8",
    "unknown": "#93a4b8",
    "none": "#2f4a66",
}
STATUS_LABELS = dict(MAP_STATUSES)

# Patterns for the statuses that must not rest on colour alone. The colours
# are presentation attributes (not style="", which the CSP refuses); the
# stylesheet fills each status's countries with them.
PATTERNS = mark_safe(
    "<defs>"
    '<pattern id="map-pattern-declined" width="5" height="5" '
    'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
    '<rect width="5" height="5" fill="#b91c1c"/>'
    '<rect width="2" height="5" fill="#fecaca"/></pattern>'
    '<pattern id="map-pattern-withdrawn" width="5" height="5" '
    'patternUnits="userSpaceOnUse">'
    '<rect width="5" height="5" fill="#b45309"/>'
    '<circle cx="2.5" cy="2.5" r="1.2" fill="#fef3c7"/></pattern>'
    "</defs>"
)


@cache
def shapes():
    """The committed shapes: {"width", "height", "land", "countries": [...]}."""
    return json.loads(SHAPES.read_text())


_SUBPATH = re.compile(r"M[^MZ]*Z?")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def polygons(d):
    """The rings of an M/L/Z path as lists of (x, y), for Pillow's polygon()."""
    rings = []
    for subpath in _SUBPATH.findall(d):
        numbers = [float(n) for n in _NUMBER.findall(subpath)]
        ring = list(zip(numbers[::2], numbers[1::2], strict=True))
        if len(ring) >= 3:
            rings.append(ring)
    return rings


@dataclass
class WorldMap:
    """Positions laid out for the map: by country, with what it cannot show."""

    status_by_country: dict = field(default_factory=dict)
    counts: dict = field(default_factory=dict)
    off_map: list = field(default_factory=list)  # positions with no country shape

    @classmethod
    def of(cls, positions):
        """From positions with their signatory loaded (no query here)."""
        known = {country["code"] for country in shapes()["countries"]}
        world_map = cls(counts={status: 0 for status, _ in MAP_STATUSES})
        for position in positions:
            code = position.signatory.alpha2
            if code in known:
                world_map.status_by_country[code] = position.status
                world_map.counts[position.status] += 1
            else:
                world_map.off_map.append(position)
        world_map.counts["none"] = len(known) - len(world_map.status_by_country)
        return world_map

    def status_of(self, code):
        return self.status_by_country.get(code, "none")

    def legend(self):
        """(status, label, number of countries) in legend order, all statuses
        that occur, and "not recorded" always."""
        return [
            (status, label, self.counts[status])
            for status, label in MAP_STATUSES
            if self.counts[status] or status == "none"
        ]

    def card_picture(self):
        """The map for a share card: shapes grouped by colour, for Pillow."""
        from core.share_cards import CardPicture

        world = shapes()
        by_colour = {}
        for country in world["countries"]:
            colour = CARD_COLOURS[self.status_of(country["code"])]
            by_colour.setdefault(colour, []).extend(polygons(country["d"]))
        # Land of no country first, then the least-interesting colour, so the
        # recorded countries are drawn on top.
        order = [CARD_COLOURS["none"], *dict.fromkeys(CARD_COLOURS.values())]
        drawn = [(CARD_COLOURS["none"], tuple(map(tuple, polygons(world["land"]))))]
        for colour in dict.fromkeys(order):
            if colour in by_colour:
                drawn.append((colour, tuple(map(tuple, by_colour[colour]))))
        return CardPicture(world["width"], world["height"], tuple(drawn))

    def card_legend(self):
        """(colour, words) for the statuses on a share card's map."""
        return tuple(
            (CARD_COLOURS[status], label.split(",")[0])
            for status, label, count in self.legend()
            if count and status in ("signed", "declined", "withdrawn")
        )

    def svg(self):
        world = shapes()
        paths = format_html_join(
            "",
            '<path class="map-country map-country--{}" data-iso="{}" d="{}">'
            "<title>{}: {}</title></path>",
            (
                (
                    status,
                    country["code"],
                    country["d"],
                    country["name"],
                    STATUS_LABELS[status],
                )
                for country in world["countries"]
                for status in [self.status_of(country["code"])]
            ),
        )
        return format_html(
            '<svg class="world-map" xmlns="http://www.w3.org/2000/svg" '
            'viewBox="0 0 {} {}" aria-hidden="true" focusable="false">{}'
            '<path class="map-land" d="{}"/>{}</svg>',
            world["width"],
            world["height"],
            PATTERNS,
            world["land"],
            paths,
        )
