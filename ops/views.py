"""The health check and the last-resort error page."""

import logging
import sys

from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.views import defaults
from django.views.decorators.cache import never_cache

from ops.middleware import (
    RETRY_AFTER_SECONDS,
    database_unavailable_response,
    is_database_unavailable,
)

logger = logging.getLogger(__name__)


@never_cache
def healthz(request):
    """For load balancers: 200 "ok" when the database answers, else 503.

    The body never says more than that; the reason goes to the logs, not to
    whoever asks.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        logger.warning("Health check: database unavailable: %s", error)
        response = HttpResponse("unavailable\n", status=503, content_type="text/plain")
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponse("ok\n", content_type="text/plain")


def server_error(request):
    """handler500: a lost database connection anywhere still gets the 503 page.

    Views are covered by `DatabaseUnavailableMiddleware`; this catches the
    rest (middleware, template context processors, session saving).
    """
    if is_database_unavailable(sys.exc_info()[1]):
        return database_unavailable_response()
    return defaults.server_error(request)
