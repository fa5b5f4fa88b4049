#!/usr/bin/env python
"""Django's command-line utility for Summit Watch."""

import os
import sys


def main():
    # The production-safe settings, as for gunicorn: a command run on a
    # server must never fall back to DEBUG and the development key. The
    # Makefile's targets choose config.dev_settings for a developer.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
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
