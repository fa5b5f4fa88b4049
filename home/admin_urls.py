"""Editors' pages that gather from every app, inside /admin/ (staff only)."""

from django.contrib import admin
from django.urls import path

from home import views

app_name = "home_admin"

urlpatterns = [
    path("", admin.site.admin_view(views.data_quality), name="data_quality"),
]
