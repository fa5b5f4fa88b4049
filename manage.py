#!/usr/bin/env python
"""Django's command-line utility for Summit Watch."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # manage.py is the developer's entry point, so it defaults to DEBUG on;
    # the WSGI entry point used by gunicorn does not (see config/wsgi.py).
    os.environ.setdefault("DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
