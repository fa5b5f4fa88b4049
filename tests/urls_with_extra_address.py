"""A URLconf with one more top-level address, for tests/test_pages.py."""

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns

urlpatterns = [path("newsroom/", lambda request: HttpResponse()), *site_urlpatterns]
