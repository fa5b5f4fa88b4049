"""Benchmark settings: the production settings plus the floor route.

bench/run.py serves these with gunicorn, DEBUG off. Nothing shipped imports
bench/: the floor view exists only here.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
