"""Template tags in the summits' vocabulary: a position's status as a badge,
and `{% world_map positions %}`, the map of who stands where.

`{% load summits_tags %}`, then `{% status_badge signature.status %}`. The
statuses are plain strings, so a template can also show a legend
(`{% status_badge "declined" %}`); an unknown or empty status reads as
"not recorded".
"""

from django import template
from django.utils.html import format_html

register = template.Library()

# status -> (symbol, label). The symbol is decoration: it is hidden from screen
# readers and always sits beside the word, so neither colour nor symbol carries
# the meaning alone.
STATUS_LABELS = {
    "signed": ("✓", "Signed"),
    "declined": ("✗", "Declined"),
    "withdrawn": ("↺", "Withdrawn"),
    "attended": ("○", "Attended, did not sign"),
    "unknown": ("?", "Not verified"),
}
NOT_RECORDED = ("–", "Not recorded")


@register.simple_tag
def status_badge(status, compact=False):
    """A status as symbol + word, styled by `.status--<status>`.

    `compact` (the matrix) shows "not recorded" as a dash with the words for
    screen readers only, so the recorded positions stand out in a dense table.
    """
    symbol, label = STATUS_LABELS.get(status, NOT_RECORDED)
    css = status if status in STATUS_LABELS else "none"
    if compact and css == "none":
        return format_html(
            '<span class="status status--none"><span aria-hidden="true">{}</span>'
            '<span class="visually-hidden">{}</span></span>',
            symbol,
            label,
        )
    return format_html(
        '<span class="status status--{}"><span class="status__symbol" '
        'aria-hidden="true">{}</span> {}</span>',
        css,
        symbol,
        label,
    )


# An assessment's result -> (symbol, label). "No information" has its own
# symbol and word, never those of "not met"; "does not apply" is a dash.
RESULT_LABELS = {
    "met": ("✓", "Met"),
    "partly_met": ("◐", "Partly met"),
    "not_met": ("✗", "Not met"),
    "not_yet_due": ("…", "Not yet due"),
    "no_information": ("?", "No information"),
    "not_assessed": ("·", "Not assessed"),
}
DOES_NOT_APPLY = ("–", "Does not apply")


@register.simple_tag
def result_badge(result):
    """An assessment's result as symbol + word, styled by `.result--<result>`."""
    symbol, label = RESULT_LABELS.get(result, DOES_NOT_APPLY)
    css = result if result in RESULT_LABELS else "none"
    return format_html(
        '<span class="result result--{}"><span class="result__symbol" '
        'aria-hidden="true">{}</span> {}</span>',
        css,
        symbol,
        label,
    )


@register.inclusion_tag("summits/includes/world_map.html")
def world_map(positions, heading_id="map"):
    """The world map of `positions` (with their signatories loaded), its
    legend and the parties it cannot show; adds no query."""
    from summits.world_map import WorldMap

    drawn = WorldMap.of(positions)
    return {
        "svg": drawn.svg(),
        "legend": drawn.legend(),
        "off_map": drawn.off_map,
        # Companies alone (the Frontier AI Safety Commitments): no country to
        # colour, so an empty world would only say "not recorded" 235 times.
        "has_countries": bool(drawn.status_by_country),
        "heading_id": heading_id,
    }


@register.simple_tag
def timeline_graphic(summits, today=None):
    """The summits on a line of years (summits.timeline), or nothing."""
    from summits.timeline import timeline_svg

    return timeline_svg(list(summits), today)


@register.simple_tag
def signed_count(declaration, sentence=False):
    """A declaration's signed count in the site's one wording.

    `{% signed_count declaration %}` prints "4", or for a list known only in
    part "4 of about 60 recorded" with a tooltip saying why; `sentence=True`
    prints "4 signed" instead of a bare figure. The words come from
    `Declaration.signed_figure` / `signed_summary`, so pages, feeds, the CSV
    and link previews all say the same.
    """
    text = declaration.signed_summary if sentence else declaration.signed_figure
    if not declaration.list_is_partial:
        return text
    return format_html(
        '<span class="count--partial" title="About {} signatories were reported; '
        'we list those we could confirm with a source.">{}</span>',
        declaration.reported_signatory_count,
        text,
    )
