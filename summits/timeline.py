"""The summits on a line of years: an SVG drawn on the server, no script.

Each summit is a dot at its start date (a date known only to the month or
year sits at the first day of its period and says so in its label), with
its place and date beside it. Labels take turns above and below the line so
that neighbours do not collide. The graphic is one image for assistive
technology (`role="img"`) whose label names every summit in order; the list
below it on the page links to each.
"""

import datetime

from django.utils.html import format_html, format_html_join

WIDTH, HEIGHT = 800, 200
PAD = 40
AXIS_Y = 100
# Label rows, in turn: above the line, below, further above, further below.
ROWS = (-22, 38, -52, 68)


def _x(day, first, last):
    span = (last - first).days or 1
    return round(PAD + (day - first).days / span * (WIDTH - 2 * PAD))


def summary(summits):
    parts = [f"{s.name}, {s.starts.display()}" for s in summits]
    count = len(summits)
    return f"Timeline of {count} summit{'s' if count != 1 else ''}: " + "; ".join(parts)


def timeline_svg(summits, today=None):
    """The SVG of `summits` (with `starts`, `name`, `city`), oldest first."""
    summits = sorted(summits, key=lambda s: (s.starts_on, s.pk))
    if not summits:
        return ""
    today = today or datetime.date.today()
    first = datetime.date(summits[0].starts_on.year, 1, 1)
    last = datetime.date(max(summits[-1].starts_on.year, first.year) + 1, 1, 1)
    years = format_html_join(
        "",
        '<line class="timeline-graphic__tick" x1="{0}" x2="{0}" y1="{1}" '
        'y2="{2}"/><text class="timeline-graphic__year" x="{0}" y="{3}" '
        'text-anchor="middle">{4}</text>',
        (
            (_x(datetime.date(year, 1, 1), first, last), AXIS_Y - 6, AXIS_Y + 6,
             HEIGHT - 6, year)
            for year in range(first.year, last.year + 1)
        ),
    )  # fmt: skip
    dots = format_html_join(
        "",
        '<circle class="timeline-graphic__dot{}" cx="{}" cy="{}" r="7"/>'
        '<line class="timeline-graphic__stem" x1="{}" x2="{}" y1="{}" y2="{}"/>'
        '<text class="timeline-graphic__label" x="{}" y="{}" text-anchor="{}">'
        "{}</text>",
        (_dot(summit, i, first, last, today) for i, summit in enumerate(summits)),
    )
    return format_html(
        '<svg class="timeline-graphic" xmlns="http://www.w3.org/2000/svg" '
        'viewBox="0 0 {} {}" role="img" aria-label="{}">'
        '<line class="timeline-graphic__axis" x1="{}" x2="{}" y1="{}" y2="{}"/>'
        "{}{}</svg>",
        WIDTH,
        HEIGHT,
        summary(summits),
        PAD,
        WIDTH - PAD,
        AXIS_Y,
        AXIS_Y,
        years,
        dots,
    )


def _dot(summit, index, first, last, today):
    x = _x(summit.starts_on, first, last)
    row = ROWS[index % len(ROWS)]
    label_y = AXIS_Y + row
    # Near the edges a label runs inwards, so it is never cut off.
    anchor = "start" if x < WIDTH * 0.2 else "end" if x > WIDTH * 0.8 else "middle"
    upcoming = " timeline-graphic__dot--upcoming" if summit.starts_on > today else ""
    stem_end = label_y + (6 if row < 0 else -16)
    label = f"{summit.city or summit.name} · {summit.starts.display(short=True)}"
    return (upcoming, x, AXIS_Y, x, x, AXIS_Y, stem_end, x, label_y, anchor, label)
