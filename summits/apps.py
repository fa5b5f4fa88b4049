from django.apps import AppConfig


class SummitsConfig(AppConfig):
    """Summits, declarations, signatories and their positions: all content."""

    name = "summits"
    # Every row shows on public pages: edits make cached pages stale.
    holds_content = True

    def dashboard_panels(self, request):
        """Panels for the editors' dashboard (editorial.dashboard)."""
        from summits.dashboard import dashboard_panels

        return dashboard_panels(request)

    def ready(self):
        # Connects the receivers that keep search vectors current.
        from summits import signals  # noqa: F401
