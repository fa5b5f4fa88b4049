"""A page at `/<slug>/`: public pages, or a draft for staff and preview links."""

from django.views.generic import DetailView

from core.views import PublishedOrPreviewMixin
from pages.models import Page


class PageDetailView(PublishedOrPreviewMixin, DetailView):
    model = Page
    template_name = "pages/page_detail.html"
    context_object_name = "page"

    def get_queryset(self):
        return super().get_queryset().defer("search_vector")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # A page in the header menu marks its own link as the current one.
        context["nav_section"] = f"page:{self.object.slug}"
        return context
