from django.urls import path

from articles import feeds, views
from articles.models import Article
from core.views import ShareCardView

app_name = "articles"

urlpatterns = [
    path("", views.ArticleListView.as_view(), name="article_list"),
    # Before the slug route, so "feed" and "atom" are never read as slugs.
    path("feed/", feeds.LatestArticlesFeed(), name="feed_rss"),
    path("atom/", feeds.LatestArticlesAtomFeed(), name="feed_atom"),
    path("<slug:slug>/", views.ArticleDetailView.as_view(), name="article_detail"),
    path(
        "<slug:slug>/card.png",
        ShareCardView.as_view(model=Article),
        name="article_card",
    ),
]
