from django.apps import AppConfig


class EditorialConfig(AppConfig):
    """Editorial safety: revisions, edit conflicts, preview links, slug redirects."""

    name = "editorial"
    verbose_name = "Editorial safety"

    def ready(self):
        # Connects the receivers that remember old URLs when a slug changes.
        from editorial import signals  # noqa: F401
