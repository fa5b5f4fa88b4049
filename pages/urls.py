from django.urls import path

from pages import views

app_name = "pages"

# Mounted last in config/urls.py: every other address of the site wins.
urlpatterns = [
    path("<slug:slug>/", views.PageDetailView.as_view(), name="page_detail"),
]
