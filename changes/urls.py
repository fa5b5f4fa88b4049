from django.urls import path

from changes import feeds, views

app_name = "changes"

urlpatterns = [
    path("", views.ChangeListView.as_view(), name="change_list"),
    path("feed/", feeds.ChangesFeed(), name="feed_rss"),
    path("atom/", feeds.ChangesAtomFeed(), name="feed_atom"),
]
