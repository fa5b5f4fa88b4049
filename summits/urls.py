from django.urls import path

from summits import feeds, views

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
    path("signatories/", views.SignatoryListView.as_view(), name="signatory_list"),
    path(
        "signatories/<slug:slug>/",
        views.SignatoryDetailView.as_view(),
        name="signatory_detail",
    ),
]
