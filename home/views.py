"""Pages that gather from every app: the front door and site search."""

from django.contrib import admin
from django.db.models import Count, F, Prefetch, Q
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.generic import TemplateView

from articles.models import Article
from core.cache import mark_unstored
from core.fragments import FragmentTemplateResponse, recorded_property
from core.search import clean_query
from core.views import NavSectionMixin
from home.data_quality import data_quality_report
from home.search import SiteSearch
from summits.models import Declaration, Signature, Summit, signature_counts

SIGNED = Signature.Status.SIGNED
DECLINED = Signature.Status.DECLINED

# Lists never need the long text fields; leaving them out keeps pages light.
ARTICLE_LIST_DEFER = ("body", "body_html", "search_vector")
# The data-quality page lists more of each problem than the admin home.
DATA_QUALITY_PAGE_ROWS = 50


def key_figures():
    """What the site tracks, counting published AI texts only (2 queries).

    Precedents from other fields (the Montreal Protocol…) keep their pages
    but are not what the site tracks. Only "signed" counts as signed:
    "attended" and "unknown" positions are recorded, never counted. The
    figures the home page's sentences rest on are counted too, so those
    sentences stay true whatever editors record: how many positions have no
    source yet (`unsourced`), and how many lists are known only in part
    (`partial`, when more signatories were reported than recorded).
    """
    published = Declaration.objects.public().filter(topic=Declaration.Topic.AI)
    figures = Signature.objects.filter(declaration__in=published).aggregate(
        signatures=Count("pk"),
        signed=Count("pk", filter=Q(status=SIGNED)),
        declined=Count("pk", filter=Q(status=DECLINED)),
        signatories=Count("signatory", distinct=True),
        unsourced=Count("pk", filter=Signature.without_source()),
    )
    figures.update(
        published.annotate(**signature_counts()).aggregate(
            declarations=Count("pk"),
            partial=Count(
                "pk", filter=Q(reported_signatory_count__gt=F("signed_count"))
            ),
        )
    )
    return figures


def featured_summit(timeline, today):
    """The summit under way or next to come; failing that, the latest one."""
    for summit in timeline:
        # A summit known only to the month runs, for all we know, to its end.
        if summit.ends.last_day >= today:
            return summit
    return timeline[-1] if timeline else None


class FrontPage:
    """What the home page shows, worked out on first use: inside the page's
    cached fragments, on a miss only (core.fragments)."""

    def __init__(self, today):
        self.today = today

    @recorded_property
    def timeline(self):
        declarations = (
            Declaration.objects.public()
            .annotate(**signature_counts())
            .only(
                "title",
                "slug",
                "kind",
                "summit",
                "adopted_on",
                "adopted_on_precision",
                "reported_signatory_count",
            )
            .order_by(F("adopted_on").asc(nulls_last=True), "title")
        )
        return list(
            Summit.objects.public()
            .defer("body", "body_html", "search_vector")
            .order_by("starts_on", "name")
            .prefetch_related(
                Prefetch(
                    "declarations",
                    queryset=declarations,
                    to_attr="published_declarations",
                )
            )
        )

    @property
    def featured_summit(self):
        return featured_summit(self.timeline, self.today)

    @recorded_property
    def figures(self):
        return key_figures()

    @recorded_property
    def recent_refusals(self):
        return list(
            Signature.objects.filter(
                status=DECLINED, declaration__in=Declaration.objects.public()
            )
            .select_related("signatory", "declaration")
            .only(
                "status",
                "declined_on",
                "declined_on_precision",
                "source_url",
                "signatory__name",
                "signatory__slug",
                "declaration__title",
                "declaration__slug",
            )
            .order_by(F("declined_on").desc(nulls_last=True), "signatory__name")[:6]
        )

    def latest(self, kind):
        return list(
            Article.objects.public().defer(*ARTICLE_LIST_DEFER).filter(kind=kind)[:5]
        )

    @recorded_property
    def latest_posts(self):
        return self.latest(Article.Kind.POST)

    @recorded_property
    def latest_press(self):
        return self.latest(Article.Kind.PRESS)


class HomeView(TemplateView):
    """The front door: the summit that matters now, the timeline, the news.

    Each summit on the timeline lists its declarations with signed and
    declined counts, so "did X sign Y, and what is the source?" is two clicks
    away: the declaration, then its signatory table with sources. The day
    is part of what the page shows ("next summit", "under way").
    """

    response_class = FragmentTemplateResponse
    template_name = "home/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        context.update(today=today, front=FrontPage(today))
        return context


class SearchView(NavSectionMixin, TemplateView):
    """`/search/?q=`: results from every source, or a sentence saying why not."""

    nav_section = "search"
    template_name = "home/search.html"
    paginate_by = 20

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        raw_query = self.request.GET.get("q", "")
        query, problem = clean_query(raw_query)
        context.update(raw_query=raw_query, query=query, problem=problem)
        if query:
            site_search = SiteSearch(query, kind=self.request.GET.get("kind", ""))
            # From the cache of results when the same page was asked for
            # since the last edit (home/search.py).
            found = site_search.page(self.request.GET.get("page"), self.paginate_by)
            self.asked_before = found.from_cache
            context.update(
                search=site_search,
                page_obj=found.page_obj,
                paginator=found.paginator,
                results=found.results,
            )
        return context

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        # Result pages are endless and thin; search engines should skip them.
        response["X-Robots-Tag"] = "noindex"
        asked_before = getattr(self, "asked_before", False)
        if request.GET.get("q", "").strip() and not asked_before:
            # Most queries are one-offs: shared, but not worth a page in the
            # cache. One asked again since the last edit (its results came
            # from the cache) is likely to be asked again: the page cache
            # may keep it, under the same rules as any page (stale after an
            # edit, never past a scheduled publication).
            mark_unstored(response)
        return response


def data_quality(request):
    """/admin/data-quality/: every data-quality problem, for staff (admin_view)."""
    context = {
        **admin.site.each_context(request),
        "title": "Data quality",
        "report": data_quality_report(limit=DATA_QUALITY_PAGE_ROWS),
    }
    return TemplateResponse(request, "admin/data_quality.html", context)
