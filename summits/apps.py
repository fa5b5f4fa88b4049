from django.apps import AppConfig


class SummitsConfig(AppConfig):
    name = "summits"

    def ready(self):
        # Connects the receivers that keep search vectors current.
        from summits import signals  # noqa: F401
