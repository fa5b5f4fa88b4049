"""Public pages for articles and press items."""

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import QueryDict
from django.views.generic import DetailView, TemplateView

from articles.models import Article
from core.fragments import FragmentTemplateResponse, recorded_property
from core.views import NavSectionMixin, PublishedOrPreviewMixin
from summits.models import Declaration, Summit


class ArticleListing:
    """What /articles/ shows for a query string, worked out on first use.

    The page's cached fragments (its title, its head tags, the list) read
    these attributes only when they miss, so a cached list costs no query.
    A filter value that names nothing (a mistyped kind, a draft summit's
    slug) is ignored rather than answered with an error or an empty page; a
    page number past the end or not a number shows the nearest page.
    """

    paginate_by = 20

    def __init__(self, path, params):
        self.path = path
        kind = params.get("kind", "")
        self.kind = kind if kind in Article.Kind.values else ""
        self.summit_slug = params.get("summit", "")
        self.page_number = params.get("page", "")

    @property
    def vary(self):
        """What the page depends on besides the content: the filters as asked."""
        return (self.kind, self.summit_slug, self.page_number)

    @recorded_property
    def summits(self):
        return list(Summit.objects.public().only("name", "slug"))

    @property
    def selected_summit(self):
        return next((s for s in self.summits if s.slug == self.summit_slug), None)

    @recorded_property
    def page_obj(self):
        articles = Article.objects.public().defer("body", "body_html", "search_vector")
        if self.kind:
            articles = articles.filter(kind=self.kind)
        if self.selected_summit:
            articles = articles.filter(summits=self.selected_summit)
        page = Paginator(articles, self.paginate_by).get_page(self.page_number)
        # Read now, inside the recording: a fragment that reuses the page
        # must learn that it shows articles.
        page.object_list = list(page.object_list)
        return page

    @property
    def articles(self):
        return self.page_obj.object_list

    @property
    def paginator(self):
        return self.page_obj.paginator

    @property
    def filters(self):
        """The filters in force, as the view understood them."""
        filters = QueryDict(mutable=True)
        if self.kind:
            filters["kind"] = self.kind
        if self.selected_summit:
            filters["summit"] = self.selected_summit.slug
        return filters

    @property
    def canonical_path(self):
        """The filtered page's own address; "" for the plain list."""
        query = self.filters
        if self.page_obj.number > 1:
            query["page"] = self.page_obj.number
        return f"{self.path}?{query.urlencode()}" if query else ""

    @property
    def heading(self):
        if self.selected_summit:
            return f"Articles on {self.selected_summit.name}"
        return {"press": "Press coverage", "post": "Posts"}.get(
            self.kind, "Articles and press coverage"
        )


class ArticleListView(NavSectionMixin, TemplateView):
    """All published articles, newest first; `?kind=` and `?summit=` narrow it
    (see ArticleListing)."""

    response_class = FragmentTemplateResponse
    nav_section = "articles"
    template_name = "articles/article_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["listing"] = ArticleListing(self.request.path, self.request.GET)
        context["kinds"] = Article.Kind.choices
        return context


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
