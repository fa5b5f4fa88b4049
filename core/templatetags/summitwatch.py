"""Template helpers shared by every app's pages: generic, in no app's vocabulary.

Tags that speak one app's language live in that app (a position's status
badge is in `summits_tags`). The main navigation marks the current section
from the `nav_section` context variable, which each view sets
(`core.views.NavSectionMixin`): core keeps no list of the apps' URL names.
"""

from django import template
from django.http import QueryDict
from django.utils.html import format_html
from django.views.generic.list import MultipleObjectMixin

from core.partial_dates import format_range
from core.renditions import RenditionSet, picture_html

register = template.Library()


@register.filter
def date_range(start, end=None):
    """'21–22 May 2024', 'December 2024', or one day (dates or PartialDates)."""
    return format_range(start, end)


@register.inclusion_tag("includes/sort_header.html", takes_context=True)
def sort_header(context, sorting, key, label, css_class="", params=None):
    """A column header that sorts its table by `key` (see core.sorting).

    The link keeps the page's other parameters (filters) and drops `page`: a
    new order starts at the first page. `params` (a QueryDict; by default
    the context's `table_params`) replaces the request's parameters where a
    view has tidied them: only values it understood, so a link never repeats
    what a visitor typed.
    """
    request = context.get("request")
    if params is None:
        params = context.get("table_params")
    if params is not None:
        params = params.copy()
    else:
        params = request.GET.copy() if request is not None else QueryDict(mutable=True)
    if sorting is not None:
        params[sorting.param] = sorting.link_value(key)
        params.pop(MultipleObjectMixin.page_kwarg, None)
    return {
        "sorting": sorting,
        "label": label,
        "css_class": css_class,
        "state": sorting.state(key) if sorting is not None else "",
        "href": "?" + params.urlencode() if sorting is not None else "",
    }


@register.simple_tag
def picture(renditions, fallback_url, alt, sizes, priority=False):
    """An image as a `<picture>` of its renditions (core.renditions), given
    as stored by `RenditionSet.as_dict()`; a plain `<img>` if there are none."""
    found = RenditionSet.from_dict(renditions) if renditions else None
    if found is None:
        return format_html('<img src="{}" alt="{}">', fallback_url, alt)
    return picture_html(found, alt, sizes, priority=priority)


@register.simple_tag(takes_context=True)
def page_query(context, number, params=None):
    """`?…&page=N` for a pagination link: the other parameters from `params`
    (a QueryDict of those the view understood, so a cached page never
    repeats what one visitor typed) or, without it, from the request."""
    if not isinstance(params, QueryDict):
        params = context["request"].GET
    params = params.copy()
    params[MultipleObjectMixin.page_kwarg] = number
    return "?" + params.urlencode()
