"""Rebuild summits/data/world.json, the country shapes of the declaration map.

Source: the npm package `world-atlas` (ISC licence, Mike Bostock), which
ships Natural Earth's 1:50m admin-0 countries (public domain) as TopoJSON
keyed by ISO 3166-1 numeric code. This script decodes the TopoJSON, projects
it with the Equal Earth projection, simplifies each ring for a map about
1000 px wide (Douglas-Peucker, whole pixels), and writes one SVG path per
country keyed by ISO alpha-2, with M/L/Z commands only (the share cards
rasterise the same paths with Pillow).

Usage, from the repository root:

    npm pack world-atlas@2.0.2          # in a temporary folder
    tar xzf world-atlas-2.0.2.tgz
    DJANGO_SETTINGS_MODULE=config.dev_settings .venv/bin/python \
        scripts/build_world_map.py /tmp/…/package/countries-50m.json

`world-atlas` is a build input only, never a dependency of the site.
"""

import json
import math
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "summits" / "data" / "world.json"
WIDTH = 1000
TOLERANCE = 0.7  # pixels a simplified outline may stray from the original
SOUTH_LIMIT = -58  # Antarctica and the far south carry no signatory
MARKER = 3  # half-width of the diamond drawn for a country too small to see

# Shapes Natural Earth gives no ISO number: Kosovo has the user-assigned code
# the site uses; the others are drawn as land of no country.
UNNUMBERED = {"Kosovo": "XK"}

A1, A2, A3, A4 = 1.340264, -0.081106, 0.000893, 0.003796
M = math.sqrt(3) / 2


def equal_earth(lon, lat):
    """Equal Earth projection (Šavrič, Patterson, Jenny 2018), unit sphere."""
    lam, phi = math.radians(lon), math.radians(lat)
    theta = math.asin(M * math.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = lam * math.cos(theta) / (M * (A1 + 3 * A2 * t2 + t6 * (7 * A3 + 9 * A4 * t2)))
    y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2))
    return x, y


X_MAX, _ = equal_earth(180, 0)
_, Y_TOP = equal_earth(0, 84)
_, Y_BOTTOM = equal_earth(0, SOUTH_LIMIT)
SCALE = WIDTH / (2 * X_MAX)
HEIGHT = round((Y_TOP - Y_BOTTOM) * SCALE)


def to_pixels(lon, lat):
    x, y = equal_earth(lon, min(max(lat, SOUTH_LIMIT), 84))
    return (x + X_MAX) * SCALE, (Y_TOP - y) * SCALE


def decode_arcs(topology):
    scale_x, scale_y = topology["transform"]["scale"]
    shift_x, shift_y = topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        arcs.append(points)
    return arcs


def ring_points(ring, arcs):
    points = []
    for index in ring:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def simplify(points, tolerance):
    """Douglas-Peucker, iterative."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        length = math.hypot(dx, dy)
        worst, worst_at = 0.0, None
        for i in range(first + 1, last):
            x, y = points[i]
            # A closed ring starts and ends on one point: measure from it.
            distance = (
                abs(dy * (x - x1) - dx * (y - y1)) / length
                if length
                else math.hypot(x - x1, y - y1)
            )
            if distance > worst:
                worst, worst_at = distance, i
        if worst_at is not None and worst > tolerance:
            keep[worst_at] = True
            stack += [(first, worst_at), (worst_at, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def area(points):
    return abs(
        sum(
            x1 * y2 - x2 * y1
            for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True)
        )
        / 2
    )


def ring_path(points):
    rounded = []
    for x, y in points:
        point = (round(x), round(y))
        if not rounded or rounded[-1] != point:
            rounded.append(point)
    if len(rounded) > 1 and rounded[0] == rounded[-1]:
        rounded.pop()
    if len(rounded) < 3:
        return ""
    head, *rest = rounded
    return f"M{head[0]} {head[1]}L" + " ".join(f"{x} {y}" for x, y in rest) + "Z"


def diamond(points):
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    x, y = round((min(xs) + max(xs)) / 2), round((min(ys) + max(ys)) / 2)
    return f"M{x} {y - MARKER}L{x + MARKER} {y} {x} {y + MARKER} {x - MARKER} {y}Z"


def unwrap(ring):
    """A ring across the antimeridian (Russia's Chukotka, Fiji) has its far
    side pressed onto the map's edge, instead of a band across the world."""
    lons = [lon for lon, _ in ring]
    if max(lons) - min(lons) <= 180:
        return ring
    edge = 180 if sum(lon > 0 for lon in lons) * 2 > len(lons) else -180
    return [(edge if (lon > 0) != (edge > 0) else lon, lat) for lon, lat in ring]


def country_path(geometry, arcs):
    polygons = geometry["arcs"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    rings = [
        [to_pixels(*p) for p in unwrap(ring_points(ring, arcs))]
        for polygon in polygons
        for ring in polygon  # holes too: the map draws with fill-rule evenodd
    ]
    rings.sort(key=area, reverse=True)
    parts = []
    for i, ring in enumerate(rings):
        if i and area(ring) < 4:  # specks beside the main land
            continue
        part = ring_path(simplify(ring + ring[:1], TOLERANCE)[:-1])
        if part:
            parts.append(part)
    # A country too small to draw (Singapore, Malta…) still gets a mark, so
    # its position shows on the map.
    if not parts or area(rings[0]) < 6:
        parts.append(diamond([p for ring in rings for p in ring]))
    return "".join(parts)


def main(source):
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.dev_settings")
    sys.path.insert(0, str(ROOT))
    django.setup()
    from django_countries import countries

    topology = json.loads(Path(source).read_text())
    arcs = decode_arcs(topology)
    shapes = {}
    land = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        name = geometry["properties"]["name"]
        if name == "Antarctica":
            continue
        code = countries.alpha2(geometry["id"]) if "id" in geometry else None
        code = code or UNNUMBERED.get(name)
        path = country_path(geometry, arcs)
        if code:
            shapes[code] = shapes.get(code, "") + path
        else:
            land.append(path)
    document = {
        "source": "Natural Earth 1:50m admin-0 countries (public domain), "
        "via world-atlas 2.0.2 (ISC); Equal Earth projection",
        "width": WIDTH,
        "height": HEIGHT,
        "land": "".join(land),
        "countries": [
            {"code": code, "name": str(countries.name(code) or code), "d": d}
            for code, d in sorted(shapes.items())
        ],
    }
    OUTPUT.write_text(json.dumps(document, ensure_ascii=False, indent=0) + "\n")
    print(f"{OUTPUT}: {len(shapes)} countries, {OUTPUT.stat().st_size} bytes")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
