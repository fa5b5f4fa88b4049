from django.urls import path

from core.views import ShareCardView
from summits import feeds, views
from summits.models import Declaration, Group, Series, Signatory, Summit

app_name = "summits"

urlpatterns = [
    path("summits/", views.SummitListView.as_view(), name="summit_list"),
    path(
        "summits/<slug:slug>/", views.SummitDetailView.as_view(), name="summit_detail"
    ),
    path("declarations/", views.DeclarationListView.as_view(), name="declaration_list"),
    # Before the slug route, or "compare" would be read as a declaration's slug.
    path(
        "declarations/compare/",
        views.DeclarationCompareView.as_view(),
        name="declaration_compare",
    ),
    path(
        "declarations/assessments/feed/",
        feeds.AssessmentChangesFeed(),
        name="assessments_feed",
    ),
    path(
        "declarations/assessments/atom/",
        feeds.AssessmentChangesAtomFeed(),
        name="assessments_atom",
    ),
    path(
        "declarations/<slug:slug>/",
        views.DeclarationDetailView.as_view(),
        name="declaration_detail",
    ),
    path(
        "declarations/<slug:slug>/embed/",
        views.declaration_embed,
        name="declaration_embed",
    ),
    path(
        "declarations/<slug:slug>/signatories.csv",
        views.DeclarationCSVView.as_view(),
        name="declaration_csv",
    ),
    path(
        "declarations/<slug:slug>/assessments/feed/",
        feeds.DeclarationAssessmentsFeed(),
        name="declaration_assessments_feed",
    ),
    path(
        "declarations/<slug:slug>/assessments/atom/",
        feeds.DeclarationAssessmentsAtomFeed(),
        name="declaration_assessments_atom",
    ),
    path("series/", views.SeriesListView.as_view(), name="series_list"),
    path("series/<slug:slug>/", views.SeriesDetailView.as_view(), name="series_detail"),
    path("groups/", views.GroupListView.as_view(), name="group_list"),
    path("groups/<slug:slug>/", views.GroupDetailView.as_view(), name="group_detail"),
    path("signatories/", views.SignatoryListView.as_view(), name="signatory_list"),
    path(
        "signatories/<slug:slug>/",
        views.SignatoryDetailView.as_view(),
        name="signatory_detail",
    ),
    # Share cards, the image of each record's link preview (core.share_cards).
    *(
        path(
            f"{prefix}/<slug:slug>/card.png",
            ShareCardView.as_view(model=model),
            name=f"{name}_card",
        )
        for prefix, model, name in (
            ("summits", Summit, "summit"),
            ("declarations", Declaration, "declaration"),
            ("series", Series, "series"),
            ("groups", Group, "group"),
            ("signatories", Signatory, "signatory"),
        )
    ),
]
