from django.apps import AppConfig


class StaticsiteConfig(AppConfig):
    """`publish_static`: the public site as files any web server or CDN serves."""

    name = "staticsite"
    verbose_name = "Static publishing"
