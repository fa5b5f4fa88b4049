from django.urls import path

from exchange import views

app_name = "exchange"

urlpatterns = [
    path("data/", views.DataView.as_view(), name="data"),
    path("data/<str:name>", views.data_file, name="data_file"),
]
