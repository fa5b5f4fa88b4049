from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"

    def ready(self):
        # Connects the receiver that keeps search vectors current.
        from articles import signals  # noqa: F401
