"""The summitwatch.export/1 format: which fields, in which order, how encoded.

The exporter and the importer both read this module, so a field added here is
written and read back in the same way, and "unchanged" on import means exactly
"would export to the same JSON". The JSON Schema in `schema/` documents the
same fields for data users; a test keeps the two in step.
"""

import datetime
import json
from functools import cache
from pathlib import Path
from urllib.parse import urljoin

from django.conf import settings
from django.db import models
from django_countries.fields import CountryField

from articles.models import Article
from summits.models import Declaration, Group, Series, Signatory, Summit

SCHEMA_ID = "summitwatch.export/2"
SCHEMA_DIR = Path(__file__).resolve().parent / "schema"
SCHEMA_PATH = SCHEMA_DIR / "summitwatch.export-2.schema.json"
# Version 1 documents still import: checked against their own schema, then
# given what version 2 added (see importer.upgrade_v1).
SCHEMA_V1_ID = "summitwatch.export/1"
SCHEMA_V1_PATH = SCHEMA_DIR / "summitwatch.export-1.schema.json"

# Field order is part of the format: objects are written with keys in this order.
SIGNATORY_FIELDS = ("slug", "name", "kind", "country", "website", "description")
# (then "other_names": [{"name", "kind"}], sorted by name)
OTHER_NAME_FIELDS = ("name", "kind")
SERIES_FIELDS = ("slug", "name", "organiser", "description")
GROUP_FIELDS = ("slug", "name", "kind", "description")
# (then "members": [{"signatory", "from", "to"}], sorted by signatory slug)
SUMMIT_FIELDS = (
    "slug", "name", "status", "published_at", "starts_on", "ends_on", "city",
    "venue", "host_country", "organiser", "summary", "body", "website", "series",
)  # fmt: skip
DECLARATION_FIELDS = (
    "slug",
    "title",
    "status",
    "published_at",
    "summit",
    "kind",
    "adopted_on",
    "binding",
    "summary",
    "text",
    "source_url",
    "reported_signatory_count",
)  # fmt: skip  (then "signatures")
SIGNATURE_FIELDS = ("signatory", "status", "date", "ratified_on", "source_url", "note")
ARTICLE_FIELDS = (
    "slug",
    "title",
    "status",
    "published_at",
    "kind",
    "lede",
    "body",
    "author_name",
    "outlet",
    "original_url",
    "original_published_on",
    "cover_image",
    "cover_image_alt",
)  # fmt: skip  (then "summits" and "declarations")

# The top-level lists, in document order, with their model and fields.
SECTIONS = (
    ("signatories", Signatory, SIGNATORY_FIELDS),
    ("groups", Group, GROUP_FIELDS),
    ("series", Series, SERIES_FIELDS),
    ("summits", Summit, SUMMIT_FIELDS),
    ("declarations", Declaration, DECLARATION_FIELDS),
    ("articles", Article, ARTICLE_FIELDS),
)


@cache
def load_schema_text():
    return SCHEMA_PATH.read_text(encoding="utf-8")


@cache
def load_schema(version=SCHEMA_ID):
    path = SCHEMA_V1_PATH if version == SCHEMA_V1_ID else SCHEMA_PATH
    return json.loads(path.read_text(encoding="utf-8"))


def format_datetime(value):
    """UTC, ISO 8601, `Z` suffix; microseconds only when present (lossless)."""
    if value is None:
        return None
    text = value.astimezone(datetime.UTC).replace(tzinfo=None).isoformat()
    return text + "Z"


def parse_datetime(text):
    value = datetime.datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError("a UTC time needs the Z suffix")
    return value.astimezone(datetime.UTC)


def format_date(value):
    return None if value is None else value.isoformat()


def parse_date(text):
    return datetime.date.fromisoformat(text)


def media_url(name):
    """Absolute URL of a media file, whatever the storage returns."""
    from django.core.files.storage import default_storage

    return urljoin(settings.SITE_URL + "/", default_storage.url(name))


def encode(instance, name):
    """The JSON value of one plain (non-relation) field of `instance`."""
    field = instance._meta.get_field(name)
    value = getattr(instance, field.attname)
    if isinstance(field, models.DateTimeField):
        return format_datetime(value)
    if isinstance(field, models.DateField):
        return format_date(value)
    if isinstance(field, CountryField):
        return value.code or ""
    if isinstance(field, models.FileField):
        if not value:
            return None
        name = value.name
        return {"path": name, "url": media_url(name)}
    return value


def decode(model, name, value):
    """The Python value to store for one plain field, from its JSON value.

    Raises ValueError for a date or time that matches the pattern but is not a
    real one (2024-02-30); the schema has already checked types.
    """
    field = model._meta.get_field(name)
    if value is None:
        return None if field.null else ""
    if isinstance(field, models.DateTimeField):
        return parse_datetime(value)
    if isinstance(field, models.DateField):
        return parse_date(value)
    if isinstance(field, models.FileField):
        return value["path"]
    return value


def comparable(instance, name):
    """A field's current value in the form `decode` produces, for change checks."""
    field = instance._meta.get_field(name)
    value = getattr(instance, field.attname)
    if isinstance(field, models.FileField):
        return value.name or ""
    if isinstance(field, CountryField):
        return value.code or ""
    return value


def plain_fields(fields):
    """The fields that are stored on the row itself (not references)."""
    return tuple(
        name for name in fields if name not in {"summit", "signatory", "series"}
    )


def storage_problem(text):
    """Why the database cannot store `text`, or None if it can.

    JSON and YAML can both spell U+0000 and lone surrogates ("\\ud800"), but
    PostgreSQL text cannot hold NUL and neither is valid UTF-8: refused up
    front, rather than failing half-way, on one database and not another.
    """
    if "\x00" in text:
        return "contains a NUL character (\\u0000), which text cannot hold."
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return "contains a lone surrogate (e.g. \\ud800), which is not text."
    return None
