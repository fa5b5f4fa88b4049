"""Template tags in the summits' vocabulary: a position's status as a badge,
and `{% world_map positions %}`, the map of who stands where.

`{% load summits_tags %}`, then `{% status_badge signature.status %}`. The
statuses are plain strings, so a template can also show a legend
(`{% status_badge "declined" %}`); an unknown or empty status reads as
"not recorded".
"""

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from core.templatetags.partial_dates import time_element

register = template.Library()

# status -> label. Each status also has a symbol (✓ ✗ ↺ ○ ? –), drawn by the
# stylesheet before the word (`.status--signed::before`): decoration that
# screen readers skip, beside the word that carries the meaning, so neither
# colour nor symbol says it alone, and a table of a thousand badges does not
# repeat the symbol's markup in each.
STATUS_LABELS = {
    "signed": "Signed",
    "declined": "Declined",
    "withdrawn": "Withdrawn",
    "attended": "Attended, did not sign",
    "unknown": "Not verified",
}
NOT_RECORDED = "Not recorded"


def _badges(kind, labels, unknown):
    """{value: its badge's HTML} for a kind of badge ("status", "result"),
    with `unknown`'s under None: made once, looked up by the tags below."""
    badges = {
        value: mark_safe(f'<span class="{kind} {kind}--{value}">{label}</span>')
        for value, label in labels.items()
    }
    badges[None] = mark_safe(f'<span class="{kind} {kind}--none">{unknown}</span>')
    return badges


STATUS_BADGES = _badges("status", STATUS_LABELS, NOT_RECORDED)


@register.simple_tag
def status_badge(status):
    """A status as symbol + word, styled by `.status--<status>`."""
    return STATUS_BADGES.get(status, STATUS_BADGES[None])


# The matrix's badges: the status's first letter for a class, which the
# stylesheet reads as `.status--<status>` (a few thousand cells a page).
MATRIX_CELLS = {
    status: f'<td><span class="{status[0]}">{label}</span></td>'
    for status, label in STATUS_LABELS.items()
}


@register.simple_tag
def matrix_cells(statuses):
    """One row's cells of the compare matrix: a badge per recorded position.

    "Not recorded", most of the matrix, is an empty cell: the table's caption
    and the key say so in words, and the stylesheet draws a dash in it
    (decoration only). A few bytes per cell instead of a hundred, on a page
    of thousands of cells.
    """
    return mark_safe("".join(MATRIX_CELLS.get(s, "<td></td>") for s in statuses))


# An assessment's result -> label; its symbol comes from the stylesheet, as
# for statuses. "No information" has its own symbol and word, never those of
# "not met"; "does not apply" is a dash.
RESULT_LABELS = {
    "met": "Met",
    "partly_met": "Partly met",
    "not_met": "Not met",
    "not_yet_due": "Not yet due",
    "no_information": "No information",
    "not_assessed": "Not assessed",
}
DOES_NOT_APPLY = "Does not apply"
RESULT_BADGES = _badges("result", RESULT_LABELS, DOES_NOT_APPLY)


@register.simple_tag
def result_badge(result):
    """An assessment's result as symbol + word, styled by `.result--<result>`."""
    return RESULT_BADGES.get(result, RESULT_BADGES[None])


@register.simple_tag
def scorecard_cells(row, shared_assessed=None):
    """One signatory's cells of a scorecard: per commitment, the result, when
    it was assessed and the evidence links.

    A tag rather than template markup, building each cell from pieces
    escaped once per commitment: it runs for every cell of a table of
    signatories × commitments, a couple of thousand on a large declaration.
    Each cell keeps its id (feeds of assessment changes link to it) and its
    label (a phone stacks the cells under their commitments' titles). When
    every assessment shares one date (`shared_assessed`) the caption says it
    and the cells do not.
    """
    signatory_slug = escape(row.signatory.slug)
    signatory_name = escape(row.signatory.name)
    cells = []
    for cell in row.cells:
        commitment_slug, commitment_title = _escaped(cell.commitment)
        parts = [RESULT_BADGES.get(cell.status, RESULT_BADGES[None])]
        assessment = cell.assessment
        if assessment:
            if not shared_assessed:
                date = time_element(assessment.assessed, short=True)
                parts.append(f"<small>assessed {date}</small>")
            parts.extend(
                f'<small><a href="{escape(link.source_url)}" rel="noopener">'
                f'{escape(link.source_name)}<span class="visually-hidden"> '
                f"({signatory_name}, {commitment_title})</span></a></small>"
                for link in assessment.evidence_links
            )
        cells.append(
            f'<td data-label="{commitment_title}" id="assessment-{commitment_slug}-'
            f'{signatory_slug}">{"".join(parts)}</td>'
        )
    return mark_safe("".join(cells))


def _escaped(commitment):
    """(slug, title) of a commitment, escaped once and kept on the instance:
    every row of its scorecard asks again."""
    pieces = commitment.__dict__.get("_escaped_for_cells")
    if pieces is None:
        pieces = (escape(commitment.slug), escape(commitment.title))
        commitment.__dict__["_escaped_for_cells"] = pieces
    return pieces


# Parties off the map a declaration page lists by name above its tables.
OFF_MAP_LISTED = 20


@register.inclusion_tag("summits/includes/world_map.html")
def world_map(positions, heading_id="map", tables_below=False):
    """The world map of `positions` (with their signatories loaded), its
    legend and the parties it cannot show; adds no query.

    `tables_below`: the page lists every position in its tables, so a long
    list of parties off the map (a text signed by hundreds of companies)
    is counted rather than repeated.
    """
    from summits.world_map import WorldMap

    drawn = WorldMap.of(positions)
    off_map = drawn.off_map
    return {
        "svg": drawn.svg(),
        "legend": drawn.legend(),
        "off_map": off_map,
        "off_map_counted": tables_below and len(off_map) > OFF_MAP_LISTED,
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


@register.simple_tag
def source_link(url, about):
    """A source link whose accessible name says what it is the source for."""
    if not url:
        return mark_safe('<span class="muted no-source">No source yet</span>')
    return format_html(
        '<a href="{}" rel="noopener" class="nowrap">Source<span '
        'class="visually-hidden"> for {}</span></a>',
        url,
        about,
    )


@register.simple_tag
def signature_cells(signature, has_ratifications, about, shared=None):
    """The date, ratification and source cells of one position's row, shared
    by the declaration's and the signatory's tables.

    A tag rather than an include: it runs once per row of tables a few
    hundred rows long. `about` says what the source link is for; `shared`,
    the rows' PositionRows, marks the cells a phone leaves out because the
    caption says them once.
    """
    shared_date = shared is not None and shared.shared_date
    shared_source = shared is not None and shared.shared_source
    status_date = signature.status_date
    cells = [
        format_html(
            '<td data-label="Date" class="nowrap{}">{}</td>',
            " shared-cell" if shared_date else "",
            time_element(status_date, short=True)
            if status_date
            else mark_safe('<span class="muted">Not known</span>'),
        )
    ]
    if has_ratifications:
        cells.append(
            format_html(
                '<td data-label="Ratified" class="nowrap">{}</td>',
                time_element(signature.ratified, short=True, empty="—"),
            )
        )
    cells.append(
        format_html(
            "<td{}>{}</td>",
            mark_safe(' class="shared-cell"') if shared_source else "",
            source_link(signature.primary_source_url, about),
        )
    )
    return mark_safe("".join(cells))
