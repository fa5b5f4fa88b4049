from django.apps import AppConfig


class OpsConfig(AppConfig):
    """What keeps the site answering: health, outages, errors, request guards.

    Knows no other app of ours: `/healthz`, the 503 page while the database
    is down, the 500 handler, and the request-level middleware.
    """

    name = "ops"
    verbose_name = "Operations"
