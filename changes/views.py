"""The public change log page."""

from django.views.generic import ListView

from changes.models import ChangeEvent
from core.views import NavSectionMixin


def public_events():
    """Public events, newest first, with every record they name: one query."""
    return ChangeEvent.objects.public().select_related(
        "summit", "declaration", "signatory", "article", "series", "group"
    )


class ChangeListView(NavSectionMixin, ListView):
    """Published changes to the record as sentences, newest first, 50 a page.

    Two queries: the count for the paginator, and the page with its records.
    """

    nav_section = "changes"
    template_name = "changes/change_list.html"
    context_object_name = "events"
    paginate_by = 50

    def get_queryset(self):
        return public_events()

    def paginate_queryset(self, queryset, page_size):
        # A page past the end or not a number shows the nearest page rather
        # than a 404, as the article list does.
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get("page"))
        return paginator, page, page.object_list, page.has_other_pages()
