"""Template helpers shared by every app's pages: generic, in no app's vocabulary.

Tags that speak one app's language live in that app (a position's status
badge is in `summits_tags`). The main navigation marks the current section
from the `nav_section` context variable, which each view sets
(`core.views.NavSectionMixin`): core keeps no list of the apps' URL names.
"""

from django import template

register = template.Library()


@register.filter
def date_range(start, end=None):
    """'21–22 May 2024', '30 October – 1 November 2023', or one day."""
    if not start:
        return ""
    if not end or end == start:
        return f"{start.day} {start:%B %Y}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {end:%B %Y}"
    if start.year == end.year:
        return f"{start.day} {start:%B} – {end.day} {end:%B %Y}"
    return f"{start.day} {start:%B %Y} – {end.day} {end:%B %Y}"
