"""Template helpers shared by the public pages: status labels and date ranges.

Core knows no app, so the status vocabulary here is plain strings
("signed", "declined", "withdrawn") rather than an import of the Signature
model; an unknown or empty status reads as "not recorded".
"""

from django import template
from django.utils.html import format_html

from core.partial_dates import format_range

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


@register.filter
def date_range(start, end=None):
    """'21–22 May 2024', 'December 2024', or one day (dates or PartialDates)."""
    return format_range(start, end)


# url name -> the main navigation section it belongs to.
NAV_SECTIONS = {
    "summits:summit_list": "summits",
    "summits:summit_detail": "summits",
    "summits:declaration_list": "declarations",
    "summits:declaration_detail": "declarations",
    "summits:declaration_compare": "compare",
    "summits:signatory_list": "signatories",
    "summits:signatory_detail": "signatories",
    "articles:article_list": "articles",
    "articles:article_detail": "articles",
    "home:search": "search",
}


@register.simple_tag(takes_context=True)
def nav_section(context):
    """The navigation section of the current page, to mark it in the menu."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    return NAV_SECTIONS.get(match.view_name, "") if match else ""
