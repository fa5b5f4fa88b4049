"""Work each worker would otherwise repeat, done once before gunicorn forks.

gunicorn loads the app in its master (`preload_app`) and forks the workers
from it, and forks a new one each time a worker reaches `max_requests`. The
app's loading stops at `django.setup()`: each new worker's first requests
still import the views and what they use, build the URL resolver and compile
every template they render. Measured here, a new worker's first search took
170-250 ms against 20 ms for the next. Done once in the master
(gunicorn.conf.py's `when_ready`), the workers inherit it all.

Nothing here sends a query or opens a connection.
"""

import logging
from pathlib import Path

from django.template import TemplateSyntaxError, engines
from django.urls import get_resolver

logger = logging.getLogger(__name__)

TEMPLATE_SUFFIXES = {".html", ".txt", ".xml"}


def loader_dirs(loaders):
    """The folders these template loaders read, in order (a cached loader's
    own loaders included)."""
    for loader in loaders:
        if hasattr(loader, "loaders"):
            yield from loader_dirs(loader.loaders)
        elif hasattr(loader, "get_dirs"):
            yield from loader.get_dirs()


def template_names(engine):
    """Every template file the engine's loaders can find, by its name."""
    dirs = list(dict.fromkeys(loader_dirs(engine.engine.template_loaders)))
    names = set()
    for directory in dirs:
        root = Path(directory)
        for path in root.rglob("*"):
            if path.suffix in TEMPLATE_SUFFIXES and path.is_file():
                names.add(path.relative_to(root).as_posix())
    return sorted(names)


def compile_templates():
    """Compile every template into the engines' cached loaders; returns how many."""
    compiled = 0
    for engine in engines.all():
        if not hasattr(engine, "engine"):  # Not Django's own template language.
            continue
        for name in template_names(engine):
            try:
                engine.get_template(name)
            except TemplateSyntaxError:
                # Not every file in a templates folder is a page to render
                # (a snippet meant for another engine, say); the tests
                # render the real ones.
                logger.debug("Not compiled at start: %s", name, exc_info=True)
                continue
            compiled += 1
    return compiled


def warm_up():
    """Import every view, build the URL resolver, compile every template."""
    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 (imports the URLconfs and their views)
    resolver.reverse_dict  # noqa: B018 (builds the reverse lookup)
    return {"templates": compile_templates()}
