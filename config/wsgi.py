"""WSGI entry point for gunicorn: `gunicorn config.wsgi`. DEBUG is off unless set."""

import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

try:
    application = get_wsgi_application()
except ImproperlyConfigured as error:
    # Refuse to start with the reason alone (e.g. no SECRET_KEY), not a
    # traceback in front of it.
    raise SystemExit(f"ImproperlyConfigured: {error}") from None
