"""Settings for a developer's machine: the real settings with DEBUG on.

Chosen by the developer's tools (the Makefile's `migrate`, `demo`, `run` and
`manage` targets set DJANGO_SETTINGS_MODULE=config.dev_settings), never by
manage.py itself: a management command run without them reads
config.settings and behaves like production, SECRET_KEY required.

DEBUG on is what turns on the development defaults in config/settings.py (a
development SECRET_KEY, local ALLOWED_HOSTS, plain static files, no HTTPS
redirect, no page cache); any variable set in the environment still wins.
"""

import os

# Before the settings are read: they derive their defaults from DEBUG. Set in
# the environment, so runserver's reloaded child reads the same.
os.environ.setdefault("DEBUG", "1")

from config.settings import *  # noqa: E402,F403

# Review emails are printed where runserver runs, not sent.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
