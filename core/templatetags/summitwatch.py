"""Template helpers shared by every app's pages: generic, in no app's vocabulary.

Tags that speak one app's language live in that app (a position's status
badge is in `summits_tags`). The main navigation marks the current section
from the `nav_section` context variable, which each view sets
(`core.views.NavSectionMixin`): core keeps no list of the apps' URL names.
"""

from django import template

from core.partial_dates import format_range

register = template.Library()


@register.filter
def date_range(start, end=None):
    """'21–22 May 2024', 'December 2024', or one day (dates or PartialDates)."""
    return format_range(start, end)
