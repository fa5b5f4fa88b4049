"""`{% time_element value %}`: every date on the site, in one `<time>` element.

Takes a PartialDate (shown at its precision: "5 September 2024",
"December 2024", "2023"), a date or a datetime. `short` abbreviates the month
for tables; `empty` is what to print when there is no date.
"""

import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html

from core.partial_dates import as_partial, format_range

register = template.Library()


@register.simple_tag
def time_element(value, short=False, empty=""):
    """`<time datetime="2024-12">December 2024</time>`, or `empty` if no date."""
    if not value:
        return empty
    if isinstance(value, datetime.datetime):
        # A moment (an article's publication) keeps its full time in the
        # attribute; people read the day.
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        machine = local.isoformat()
    else:
        machine = None
    partial = as_partial(value)
    return format_html(
        '<time datetime="{}">{}</time>',
        machine or partial.isoformat(),
        partial.display(short=short),
    )


@register.simple_tag
def time_range(start, end=None):
    """A period ('1–2 November 2023'), dated by its start for machines."""
    partial = as_partial(start)
    if partial is None:
        return ""
    return format_html(
        '<time datetime="{}">{}</time>', partial.isoformat(), format_range(start, end)
    )
