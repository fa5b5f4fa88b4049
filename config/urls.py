import re

from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path
from django.views.generic import TemplateView

from articles.sitemaps import ArticleSitemap
from core import views as core_views
from home.sitemaps import StaticPagesSitemap
from pages.sitemaps import PageSitemap
from summits.sitemaps import (
    DeclarationSitemap,
    GroupSitemap,
    SeriesSitemap,
    SignatorySitemap,
    SummitSitemap,
)

SITEMAPS = {
    "pages": StaticPagesSitemap,
    "summits": SummitSitemap,
    "declarations": DeclarationSitemap,
    "signatories": SignatorySitemap,
    "series": SeriesSitemap,
    "groups": GroupSitemap,
    "articles": ArticleSitemap,
    "site-pages": PageSitemap,
}

urlpatterns = [
    # Before the admin's own URLs, whose catch-all would answer first.
    path("admin/data-quality/", include("home.admin_urls")),
    path("admin/", admin.site.urls),
    # django-markdownx's own URL names, mounted behind our staff-only wrapper.
    path(
        "markdownx/markdownify/",
        core_views.markdownify,
        name="markdownx_markdownify",
    ),
    path(
        "markdownx/upload/",
        core_views.markdown_image_upload,
        name="markdownx_upload",
    ),
    path(
        "markdownx/images/",
        core_views.markdown_image_library,
        name="markdown_image_library",
    ),
    # Crawlers fetch the sitemap often: the page cache keeps it, like any
    # page, until a table it read changes (an hour's cache_page here would
    # keep an unpublished item listed for that hour).
    path(
        "sitemap.xml",
        sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap",
    ),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots_txt",
    ),
    # /healthz and /preview/<token>/, before the catch-all includes.
    path("", include("ops.urls")),
    path("", include("editorial.urls")),
    path("", include("summits.urls")),
    path("articles/", include("articles.urls")),
    path("changes/", include("changes.urls")),
    path("", include("exchange.urls")),
    path("", include("home.urls")),
    # Editors' pages at /<slug>/: last, so no page can shadow a site address
    # (and pages.addresses refuses slugs that would be shadowed).
    path("", include("pages.urls")),
]

# A lost database connection outside a view still gets the 503 page. The
# 400, 403 and 404 pages are Django's own handlers with our templates.
handler500 = "ops.views.server_error"

if settings.SERVE_MEDIA:
    urlpatterns.insert(
        0,
        re_path(
            rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.+)$",
            core_views.media,
            name="media",
        ),
    )
