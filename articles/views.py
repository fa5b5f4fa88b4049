"""Public pages for articles and press items."""

from urllib.parse import urlencode

from django.db.models import Prefetch
from django.views.generic import DetailView, ListView

from articles.models import Article
from core.views import NavSectionMixin, PublishedOrPreviewMixin
from summits.models import Declaration, Summit


class ArticleListView(NavSectionMixin, ListView):
    """All published articles, newest first; `?kind=` and `?summit=` narrow it.

    A filter value that names nothing (a mistyped kind, a draft summit's slug)
    is ignored rather than answered with an error or an empty page.
    """

    nav_section = "articles"
    template_name = "articles/article_list.html"
    context_object_name = "articles"
    paginate_by = 20

    def get(self, request, *args, **kwargs):
        self.summits = list(Summit.objects.public().only("name", "slug"))
        kind = request.GET.get("kind", "")
        self.kind = kind if kind in Article.Kind.values else ""
        slug = request.GET.get("summit", "")
        self.summit = next((s for s in self.summits if s.slug == slug), None)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        articles = Article.objects.public().defer("body", "body_html", "search_vector")
        if self.kind:
            articles = articles.filter(kind=self.kind)
        if self.summit:
            articles = articles.filter(summits=self.summit)
        return articles

    def paginate_queryset(self, queryset, page_size):
        # A page number past the end or not a number shows the nearest page,
        # as for the other filters, instead of ListView's 404.
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get("page"))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filters = {}
        if self.kind:
            filters["kind"] = self.kind
        if self.summit:
            filters["summit"] = self.summit.slug
        page = context["page_obj"].number
        query = urlencode({**filters, **({"page": page} if page > 1 else {})})
        context.update(
            heading=self.heading(),
            canonical_path=f"{self.request.path}?{query}" if query else "",
            summits=self.summits,
            kind=self.kind,
            kinds=Article.Kind.choices,
            selected_summit=self.summit,
            filters=filters,
        )
        return context

    def heading(self):
        if self.summit:
            return f"Articles on {self.summit.name}"
        return {"press": "Press coverage", "post": "Posts"}.get(
            self.kind, "Articles and press coverage"
        )


class ArticleDetailView(NavSectionMixin, PublishedOrPreviewMixin, DetailView):
    """One article; its related summits and declarations, published ones only."""

    nav_section = "articles"
    model = Article
    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_queryset(self):
        # After the mixin has chosen public() or, for a staff preview, all.
        return (
            super()
            .get_queryset()
            .defer("search_vector")
            .prefetch_related(
                Prefetch(
                    "summits",
                    queryset=Summit.objects.public().only(
                        "name",
                        "slug",
                        "starts_on",
                        "starts_on_precision",
                        "ends_on",
                        "ends_on_precision",
                        "city",
                    ),
                    to_attr="published_summits",
                ),
                Prefetch(
                    "declarations",
                    queryset=Declaration.objects.public().only(
                        "title", "slug", "kind", "adopted_on", "adopted_on_precision"
                    ),
                    to_attr="published_declarations",
                ),
            )
        )
