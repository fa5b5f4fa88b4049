from django.apps import AppConfig


class EditorialConfig(AppConfig):
    """Editorial safety: revisions, preview links, slug redirects, healthz."""

    name = "editorial"
    verbose_name = "Editorial safety"

    def ready(self):
        # Connects the receivers that remember old URLs when a slug changes.
        from editorial import signals  # noqa: F401
