from django.urls import path

from editorial import views

app_name = "editorial"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("preview/<str:token>/", views.preview, name="preview"),
]
