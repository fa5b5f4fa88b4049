"""Summits' panels on the editors' dashboard (editorial.dashboard)."""

from django.urls import reverse

from editorial.dashboard import DashboardPanel
from summits.models import Signature


def dashboard_panels(request):
    """Data quality: signatures recorded without a source (one query).

    The findability work (issue 13) adds its checks here.
    """
    if not request.user.has_perm("summits.view_signature"):
        return []
    missing = Signature.objects.filter(source_url="").count()
    return [
        DashboardPanel(
            title="Data quality: positions without a source",
            count=missing,
            url=reverse("admin:summits_signature_changelist") + "?source_url__exact=",
            description="Every signature or refusal needs a source a reader can check.",
        )
    ]
