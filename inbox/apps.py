from django.apps import AppConfig


class InboxConfig(AppConfig):
    """The press inbox: stories from news feeds and pasted links, scored for
    relevance, that editors turn into press items or dismiss."""

    name = "inbox"
    verbose_name = "Press inbox"

    def dashboard_panels(self, request):
        """The inbox's count on the editors' dashboard (editorial.dashboard)."""
        from inbox.admin import dashboard_panels

        return dashboard_panels(request)
