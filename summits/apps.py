from django.apps import AppConfig


class SummitsConfig(AppConfig):
    """Summits, declarations, signatories and their positions: all content."""

    name = "summits"
    # Every row shows on public pages: edits make cached pages stale.
    holds_content = True

    def ready(self):
        # Connects the receivers that keep search vectors current.
        from summits import signals  # noqa: F401
