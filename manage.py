#!/usr/bin/env python
"""Django's command-line utility for Summit Watch."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # manage.py is the developer's entry point, so it defaults to DEBUG on;
    # the WSGI entry point used by gunicorn does not (see config/wsgi.py).
    os.environ.setdefault("DEBUG", "1")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as error:
        # A setting is missing or wrong (e.g. SECRET_KEY in production): the
        # message says what to do; a traceback would only bury it.
        sys.exit(f"ImproperlyConfigured: {error}")


if __name__ == "__main__":
    main()
