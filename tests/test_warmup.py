"""core.warmup: what gunicorn's master does once so that new workers need not."""

import importlib.util
import logging
from pathlib import Path

import pytest
from django.template import engines

from core import warmup

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def cold_templates(settings):
    """A Django engine with a cached loader of its own, nothing compiled yet
    (the test settings may not cache templates)."""
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "APP_DIRS": False,
            "OPTIONS": {
                **settings.TEMPLATES[0].get("OPTIONS", {}),
                "loaders": [
                    (
                        "django.template.loaders.cached.Loader",
                        [
                            "django.template.loaders.filesystem.Loader",
                            "django.template.loaders.app_directories.Loader",
                        ],
                    )
                ],
            },
        }
    ]
    engine = engines["django"]
    loader = engine.engine.template_loaders[0]
    loader.reset()
    return engine, loader


def test_every_template_is_compiled_once_into_the_cached_loader(cold_templates):
    engine, loader = cold_templates
    names = warmup.template_names(engine)
    assert "base.html" in names and "summits/declaration_detail.html" in names
    assert "admin/base_site.html" in names  # the apps' own templates too

    result = warmup.warm_up()

    assert result["templates"] == len(names)
    compiled = len(loader.get_template_cache)
    assert compiled >= len(names)
    # Asking again finds them compiled: nothing is added.
    engine.get_template("summits/declaration_detail.html")
    assert len(loader.get_template_cache) == compiled


def test_it_opens_no_database_connection(cold_templates):
    # No django_db mark: pytest-django makes any database access an error
    # (opening a connection or a cursor raises), so this fails if it queries.
    result = warmup.warm_up()
    assert result["templates"] > 0


def test_a_template_that_does_not_compile_is_skipped_not_fatal(
    cold_templates, tmp_path, settings, caplog
):
    (tmp_path / "broken.html").write_text("{% if %}")
    (tmp_path / "fine.html").write_text("fine")
    settings.TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "DIRS": [tmp_path],
        }
    ]
    with caplog.at_level(logging.DEBUG, logger="core.warmup"):
        assert warmup.compile_templates() == 1
    assert "broken.html" in caplog.text


def test_gunicorn_warms_up_when_ready(monkeypatch):
    """gunicorn runs when_ready in the master, after loading the app
    (preload_app) and before forking the first worker: it calls warm_up,
    and a failing warm-up does not stop the start."""
    spec = importlib.util.spec_from_file_location(
        "gunicorn_conf", ROOT / "gunicorn.conf.py"
    )
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    assert conf.preload_app is True
    calls = []
    monkeypatch.setattr(warmup, "warm_up", lambda: calls.append(1) or {"templates": 0})

    class Server:
        num_workers = 1
        log = logging.getLogger("gunicorn-test")

    conf.when_ready(Server())

    assert calls == [1]

    def broken():
        raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "a template that is not text")

    monkeypatch.setattr(warmup, "warm_up", broken)
    conf.when_ready(Server())  # logs, does not raise
