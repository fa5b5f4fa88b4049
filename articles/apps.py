from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    """Articles and press items: content."""

    name = "articles"
    # Every row shows on public pages: edits make cached pages stale.
    holds_content = True

    def ready(self):
        # Connects the receiver that keeps search vectors current.
        from articles import signals  # noqa: F401
