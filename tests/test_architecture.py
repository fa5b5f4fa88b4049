"""Core is shared ground that knows no app: a test that reads its source.

DESIGN.md: dependencies point one way (`home`, `exchange`, `editorial` →
`articles` → `summits` → `core`), and core holds mechanisms only. So no code
in core may import an app, or name an app, one of its models, a field that
only an app's models have, or one of its URL names. Apps describe themselves
instead (`public()`, `link_preview()`, `structured_data()`,
`search_document`, `holds_content`, `nav_section`).

What is checked is code: imports, names, attributes and string literals.
Docstrings and comments may still explain with an example.
"""

import ast
import importlib
import inspect
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver
from django_countries.fields import CountryField

from core.models import Publishable

CORE = Path(settings.BASE_DIR) / "core"

# Field names core uses by convention as part of its own mechanisms: the
# Publishable fields, the slug a SlugFromTitleMixin fills from `title` by
# default, and the `search_vector` column core.search stores into.
CORE_CONVENTIONS = {"id", "pk", "slug", "title", "search_vector"} | {
    field.name for field in Publishable._meta.get_fields()
}
# Ordinary words core uses in its own sense, which some app also happens to
# use as a field name: a local `kind` of request, the `text` to render, a link
# preview's `description`, JSON-LD's "name", Open Graph's "website" type, a
# formatted `date`, a regex match's `group()`, a `short` date format, an HTTP
# `header`, an HTML parser's `feed()`, a `url` to fetch or reverse, a fetch's
# time-out `deadline`. Naming one of these is not speaking an app's language.
ORDINARY_WORDS = {
    "kind",
    "text",
    "description",
    "name",
    "website",
    "date",
    "other",
    "group",
    "short",
    "header",
    "feed",
    "url",
    "deadline",
}


def project_apps():
    """The apps of this repository other than core itself."""
    base = Path(settings.BASE_DIR).resolve()
    return [
        config
        for config in apps.get_app_configs()
        if Path(config.path).resolve().parent == base and config.label != "core"
    ]


def django_field_names():
    """Field names of models that are not ours (auth, contenttypes, reversion…)."""
    ours = {config.label for config in project_apps()} | {"core"}
    return {
        field.name
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label not in ours
        for field in model._meta.get_fields()
    }


def namespaced_url_names(resolver=None, namespace=""):
    """("namespace:name", namespace) for every named URL inside a namespace."""
    names = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= namespaced_url_names(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name and namespace:
            names.add((f"{namespace}{entry.name}", namespace.split(":")[0]))
    return names


def core_choice_values():
    """The values of choices core defines itself (Status, a date's Precision).

    A field an app builds from core's own choices (`precision_field`) speaks
    core's vocabulary, not the app's.
    """
    values = set()
    for module_path in core_modules():
        module_name = ".".join(
            module_path.relative_to(CORE.parent).with_suffix("").parts
        )
        module = importlib.import_module(module_name)
        for value in vars(module).values():
            if (
                inspect.isclass(value)
                and issubclass(value, models.Choices)
                and value.__module__ == module_name
            ):
                values.update(str(choice) for choice in value.values)
    return values


def forbidden_words():
    """Every word that would tie core to an app, with what it is."""
    generic = (
        CORE_CONVENTIONS | ORDINARY_WORDS | django_field_names() | core_choice_values()
    )
    words = {}
    labels = set()
    for config in project_apps():
        labels.add(config.label)
        words[config.label] = f"the app {config.label}"
        words[config.name] = f"the app {config.label}"
        for model in config.get_models(include_auto_created=True):
            words[model.__name__] = f"the model {model._meta.label}"
            if model._meta.model_name not in ORDINARY_WORDS:  # a regex group()
                words[model._meta.model_name] = f"the model {model._meta.label}"
            for field in model._meta.get_fields():
                if field.name not in generic:
                    words.setdefault(
                        field.name, f"the field {model.__name__}.{field.name}"
                    )
                # The vocabulary of its choices ("signed", "press"…). Not
                # core's own (draft, published), nor ISO country codes, which
                # are the world's vocabulary rather than an app's.
                inherited = issubclass(model, Publishable) and field.name in (
                    CORE_CONVENTIONS
                )
                if (
                    getattr(field, "choices", None)
                    and not inherited
                    and not isinstance(field, CountryField)
                ):
                    for value, _label in field.flatchoices:
                        if isinstance(value, str) and value not in generic:
                            words.setdefault(
                                value, f"a value of {model.__name__}.{field.name}"
                            )
    for name, namespace in namespaced_url_names():
        if namespace in labels:
            words[name] = f"the URL name {name}"
    return words


def core_modules():
    return sorted(path for path in CORE.rglob("*.py") if "migrations" not in path.parts)


def docstring_nodes(tree):
    for node in ast.walk(tree):
        if isinstance(
            node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef
        ):
            body = node.body
            if body and isinstance(body[0], ast.Expr):
                value = body[0].value
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    yield value


def string_words(text):
    """What a string literal may name: itself, a dotted module path, a
    `field__lookup`, a `namespace:url_name`. Words of prose are not looked
    at, so a message may say "date" or a header "Summit Watch"."""
    yield text
    yield text.split(".")[0]
    yield text.split("__")[0].lstrip("-")
    yield from re.findall(r"\b\w+:\w+\b", text)


def code_words(source):
    """(line, word) for every name in code: no docstrings, no comments."""
    tree = ast.parse(source)
    docstrings = set(map(id, docstring_nodes(tree)))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.lineno, node.module.split(".")[0]
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.Name):
            yield node.lineno, node.id
        elif isinstance(node, ast.Attribute):
            yield node.lineno, node.attr
        elif isinstance(node, ast.keyword) and node.arg:
            yield node.value.lineno, node.arg.split("__")[0]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) not in docstrings:
                for word in string_words(node.value):
                    yield node.lineno, word


def test_the_forbidden_words_are_found_from_the_apps_themselves():
    """The list is built from the registry and the URLconf, not typed in: a
    new app, model, field or URL name is covered the day it is added."""
    words = forbidden_words()
    for word in (
        "summits",
        "articles",
        "home",
        "editorial",
        "exchange",
        "Summit",
        "Signatory",
        "Signature",
        "SlugRedirect",
        "starts_on",
        "lede",
        "adopted_on",
        "summits:summit_list",
        "home:search",
        "signed",
        "press",
    ):
        assert word in words, word
    assert not words.keys() & CORE_CONVENTIONS
    assert "published" not in words  # core's own Status


def test_every_url_of_an_app_is_namespaced_so_the_check_sees_it():
    """Core could only reverse an app's URL by a "namespace:name" string."""
    app_namespaces = {namespace for _, namespace in namespaced_url_names()}
    for config in project_apps():
        module = f"{config.name}.urls"
        try:
            urls = __import__(module, fromlist=["urlpatterns"])
        except ModuleNotFoundError:
            continue
        assert getattr(urls, "app_name", None) in app_namespaces, module


def test_the_check_catches_an_app_named_in_code():
    source = (
        "from summits.models import Summit\n"
        "x = obj.lede\n"
        'y = reverse("articles:article_list")\n'
        'z = queryset.filter(adopted_on__year=2024).only("host_country")\n'
        'm = import_module("editorial.models")\n'
        "def f():\n"
        '    """A summit has starts_on."""\n'
    )
    words = forbidden_words()
    found = {word for _, word in code_words(source) if word in words}
    assert found == {
        "summits",
        "Summit",
        "lede",
        "articles:article_list",
        "adopted_on",
        "host_country",
        "editorial",
    }  # and not starts_on, which only a docstring mentions


@pytest.mark.parametrize(
    "path", core_modules(), ids=lambda path: str(path.relative_to(CORE))
)
def test_core_names_no_app_its_models_fields_or_url_names(path):
    words = forbidden_words()
    found = [
        f"line {line}: {word!r} ({words[word]})"
        for line, word in code_words(path.read_text())
        if word in words
    ]
    assert not found, f"core/{path.relative_to(CORE)} names an app:\n" + "\n".join(
        found
    )
