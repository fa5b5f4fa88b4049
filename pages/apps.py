from django.apps import AppConfig


class PagesConfig(AppConfig):
    """Editor-written pages (About, Methodology…) at `/<slug>/`: content."""

    name = "pages"
    # Pages show on public pages and in every page's menus: edits make cached
    # pages stale.
    holds_content = True

    def ready(self):
        # Connects the receiver that keeps search vectors current.
        from pages import signals  # noqa: F401
