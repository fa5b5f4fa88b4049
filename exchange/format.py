"""The summitwatch.export/2 format: which fields, in which order, how encoded.

Version 2 adds positions' stages with their sources, dates known to the
month or year ("2024", "2024-12", "2024-12-05"), declarations' topics, summit
series, groups of signatories with their memberships, and signatories' other
names (`iso3` stays reserved: the alpha-3 code follows from `country`).
Version-1 documents still import: see `upgrade_v1`; what it lacks (series,
groups, other names) is read as empty.

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
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django_countries.fields import CountryField

from articles.models import Article
from core.partial_dates import PartialDate
from pages.models import Page
from summits.models import Declaration, Group, Series, Signatory, Summit

SCHEMA_ID = "summitwatch.export/2"
SCHEMA_DIR = Path(__file__).resolve().parent / "schema"
SCHEMA_PATH = SCHEMA_DIR / "summitwatch.export-2.schema.json"
V1_SCHEMA_ID = "summitwatch.export/1"
V1_SCHEMA_PATH = SCHEMA_DIR / "summitwatch.export-1.schema.json"

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
    "topic",
    "adopted_on",
    "binding",
    "summary",
    "text",
    "source_url",
    "reported_signatory_count",
)  # fmt: skip  (then "signatures")
# A position: its status and general source, then each stage with its source.
SIGNATURE_FIELDS = (
    "signatory",
    "status",
    "source_url",
    "signed_on",
    "signed_source_url",
    "declined_on",
    "ratified_on",
    "ratification_act",
    "ratified_source_url",
    "in_force_on",
    "in_force_source_url",
    "withdrawn_on",
    "withdrawn_source_url",
    "note",
)
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

PAGE_FIELDS = (
    "slug", "title", "status", "published_at", "menu", "menu_order", "body",
)  # fmt: skip

# The top-level lists, in document order, with their model and fields.
SECTIONS = (
    ("signatories", Signatory, SIGNATORY_FIELDS),
    ("series", Series, SERIES_FIELDS),
    ("groups", Group, GROUP_FIELDS),
    ("summits", Summit, SUMMIT_FIELDS),
    ("declarations", Declaration, DECLARATION_FIELDS),
    ("articles", Article, ARTICLE_FIELDS),
    ("pages", Page, PAGE_FIELDS),
)


@cache
def load_schema_text():
    return SCHEMA_PATH.read_text(encoding="utf-8")


@cache
def load_schema():
    return json.loads(load_schema_text())


@cache
def load_v1_schema():
    return json.loads(V1_SCHEMA_PATH.read_text(encoding="utf-8"))


# Where a version-1 position's one `date` goes, by status.
V1_DATE_STAGE = {
    "signed": "signed_on",
    "declined": "declined_on",
    "withdrawn": "withdrawn_on",
}


def upgrade_v1(document):
    """A valid version-1 document as the version-2 document it means.

    Nothing is lost: a position's `date` becomes the date of the stage its
    status names; a ratification was always a ratification proper; every
    declaration was an AI text (precedents came with version 2).
    """
    declarations = []
    for item in document["declarations"]:
        positions = []
        for old in item["signatures"]:
            new = {name: None for name in SIGNATURE_FIELDS if name.endswith("_on")}
            new |= {name: "" for name in SIGNATURE_FIELDS if not name.endswith("_on")}
            new |= {
                "signatory": old["signatory"],
                "status": old["status"],
                "source_url": old["source_url"],
                "note": old["note"],
                "ratified_on": old["ratified_on"],
                "ratification_act": "ratification" if old["ratified_on"] else "",
            }
            new[V1_DATE_STAGE[old["status"]]] = old["date"]
            if old["status"] == "withdrawn" and not old["date"]:
                # Version 1 had no withdrawal source: its source says it.
                new["withdrawn_source_url"] = old["source_url"]
            positions.append(new)
        declaration = {}
        for name in DECLARATION_FIELDS:
            declaration[name] = "ai" if name == "topic" else item[name]
        declaration["signatures"] = positions
        declarations.append(declaration)
    upgraded = {"schema": SCHEMA_ID}
    for key, value in document.items():
        if key == "declarations":
            upgraded[key] = declarations
        elif key != "schema":
            upgraded[key] = value
    return upgraded


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


def precision_field(model, name):
    """The `<name>_precision` field of a partial date, or None."""
    try:
        return model._meta.get_field(f"{name}_precision")
    except FieldDoesNotExist:
        return None


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
        if precision_field(type(instance), name):
            partial = PartialDate.of(value, getattr(instance, f"{name}_precision"))
            return partial.isoformat() if partial else None
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
    """{field: Python value} to store for one plain field, from its JSON value.

    One field, or two for a partial date (the date and its precision).
    Raises ValueError for a date or time that matches the pattern but is not a
    real one (2024-02-30, 2024-13); the schema has already checked types.
    """
    field = model._meta.get_field(name)
    precision = precision_field(model, name)
    if value is None:
        values = {name: None if field.null else ""}
        if precision:
            values[precision.name] = precision.default
        return values
    if precision:
        partial = PartialDate.parse(value)
        return {name: partial.date, precision.name: partial.precision}
    if isinstance(field, models.DateTimeField):
        return {name: parse_datetime(value)}
    if isinstance(field, models.DateField):
        return {name: parse_date(value)}
    if isinstance(field, models.FileField):
        return {name: value["path"]}
    return {name: value}


def comparable(instance, name):
    """A field's current value in the form `decode` produces, for change checks."""
    field = instance._meta.get_field(name)
    value = getattr(instance, field.attname)
    if isinstance(field, models.FileField):
        return value.name or ""
    if isinstance(field, CountryField):
        return value.code or ""
    return value


def stored_fields(model, fields):
    """The columns to load for `fields`: a partial date brings its precision."""
    columns = []
    for name in fields:
        columns.append(name)
        if precision_field(model, name):
            columns.append(f"{name}_precision")
    return columns


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


# Version 2, optional: a declaration's `commitments`, each with its
# `assessments` (current state, no history), each with its `evidence` links.
# Documents without them still import and leave commitments alone.
COMMITMENT_FIELDS = ("slug", "title", "text", "applies_to", "deadline")
# (then "assessments")
ASSESSMENT_FIELDS = (
    "signatory",
    "status",
    "published_at",
    "result",
    "assessed_on",
    "assessed_by",
    "note",
)  # (then "evidence")
EVIDENCE_FIELDS = ("source_url", "source_name")
