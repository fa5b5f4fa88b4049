"""export_content: what a data user gets out, and the promises made about it."""

import json
import os
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from jsonschema import Draft202012Validator

from articles.models import Article
from core.cache import content_changes_batched
from exchange import format as exchange_format
from exchange.serialise import Exporter
from summits.models import (
    Declaration,
    Group,
    GroupMembership,
    Series,
    Signatory,
    SignatoryAlias,
    Signature,
    Summit,
)
from tests.exchange_helpers import export, export_document, full_dataset
from tests.factories import ArticleFactory, DeclarationFactory, SignatureFactory

pytestmark = pytest.mark.django_db

SCHEMA = exchange_format.load_schema()


def assert_valid(document):
    errors = list(Draft202012Validator(SCHEMA).iter_errors(document))
    assert not errors, [f"{e.json_path}: {e.message}" for e in errors]


def test_the_schema_is_a_valid_draft_2020_12_schema_with_every_field_described():
    Draft202012Validator.check_schema(SCHEMA)
    for name in (
        "signatory",
        "summit",
        "declaration",
        "signature",
        "article",
        "series",
        "group",
    ):
        definition = SCHEMA["$defs"][name]
        assert definition["additionalProperties"] is False
        for field, spec in definition["properties"].items():
            described = "description" in spec or "$ref" in spec
            assert described, f"{name}.{field} has no description"


def test_the_schema_lists_fields_in_the_order_the_export_writes_them():
    defs = SCHEMA["$defs"]
    # Version 2's additions are optional on import (read as empty), so they
    # are in each object's properties, in order, but not required.
    assert defs["signatory"]["required"] == list(exchange_format.SIGNATORY_FIELDS)
    assert list(defs["signatory"]["properties"])[:7] == [
        *exchange_format.SIGNATORY_FIELDS,
        "other_names",
    ]
    assert defs["summit"]["required"] == list(exchange_format.SUMMIT_FIELDS[:-1])
    assert list(defs["summit"]["properties"]) == list(exchange_format.SUMMIT_FIELDS)
    assert defs["series"]["required"] == list(exchange_format.SERIES_FIELDS)
    assert defs["group"]["required"] == [*exchange_format.GROUP_FIELDS, "members"]
    other_name = defs["signatory"]["properties"]["other_names"]["items"]
    assert other_name["required"] == list(exchange_format.OTHER_NAME_FIELDS)
    assert defs["declaration"]["required"] == [
        *exchange_format.DECLARATION_FIELDS,
        "signatures",
    ]
    assert defs["signature"]["required"] == list(exchange_format.SIGNATURE_FIELDS)
    assert defs["article"]["required"] == [
        *exchange_format.ARTICLE_FIELDS,
        "summits",
        "declarations",
    ]


@pytest.mark.parametrize(
    ("model", "exported"),
    [
        (Signatory, (*exchange_format.SIGNATORY_FIELDS, "other_names")),
        (Summit, exchange_format.SUMMIT_FIELDS),
        (Series, exchange_format.SERIES_FIELDS),
        (Group, (*exchange_format.GROUP_FIELDS, "members")),
        (GroupMembership, ("group", "signatory", "joined_on", "left_on")),
        (SignatoryAlias, (*exchange_format.OTHER_NAME_FIELDS, "signatory")),
        (Declaration, (*exchange_format.DECLARATION_FIELDS, "signatures")),
        (Signature, (*exchange_format.SIGNATURE_FIELDS, "declaration")),
        (Article, (*exchange_format.ARTICLE_FIELDS, "summits", "declarations")),
    ],
)
def test_every_field_an_editor_can_enter_is_exported(model, exported):
    """A field added to a model must be added to the format (or here, on purpose)."""
    # Derived on save from the name (core.names.fold): never entered.
    derived = {"folded_name", "other_names_text", "folded"}
    not_user_entered = {"id", "created_at", "updated_at", "search_vector", *derived}
    editable = {
        field.name
        for field in model._meta.get_fields()
        if field.concrete or field.many_to_many
        if not field.auto_created and field.name not in not_user_entered
        if not field.name.endswith("_html")
        # A precision travels inside its date: "2024-12".
        if not field.name.endswith("_precision")
    }
    if model is Signatory:
        editable.add("other_names")  # its aliases, exported inline
    if model is Declaration:
        editable.add("signatures")  # the reverse side, exported inline
        editable.discard("signatories")  # the same rows, through Signature
    assert editable == set(exported)


def test_the_full_data_set_exports_to_a_document_that_validates():
    full_dataset()
    assert_valid(export_document())
    assert_valid(export_document("--include-drafts"))


def test_two_exports_of_the_same_data_are_identical_bytes():
    full_dataset()
    assert export("--no-timestamp") == export("--no-timestamp")
    assert "exported_at" not in export_document("--no-timestamp")
    with_time = export_document()
    assert with_time["exported_at"].endswith("Z")
    assert list(with_time)[:3] == ["schema", "exported_at", "site"]


@pytest.mark.parametrize("indent", ["0", "2", "4"])
def test_the_streamed_output_is_exactly_what_json_dumps_would_write(indent):
    full_dataset()
    text = export("--no-timestamp", "--include-drafts", "--indent", indent)
    document = json.loads(text)
    if indent == "0":
        expected = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    else:
        expected = json.dumps(document, ensure_ascii=False, indent=int(indent))
    assert text == expected + "\n"


def test_an_empty_site_exports_empty_lists():
    document = export_document("--no-timestamp")
    assert document["signatories"] == document["articles"] == []
    assert_valid(document)


def test_lists_are_sorted_by_slug_in_code_point_order():
    full_dataset()
    document = export_document("--include-drafts")
    for section in ("signatories", "summits", "declarations", "articles"):
        slugs = [item["slug"] for item in document[section]]
        assert slugs == sorted(slugs), section
    assert [s["slug"] for s in document["signatories"]][:2] == ["a-b", "ab"]
    bletchley = next(
        d for d in document["declarations"] if d["slug"] == "bletchley-declaration"
    )
    signatories = [s["signatory"] for s in bletchley["signatures"]]
    assert signatories == sorted(signatories)
    assert signatories[:2] == ["a-b", "ab"]


def test_drafts_and_scheduled_items_stay_out_unless_asked_for():
    full_dataset()
    public = export_document()
    slugs = {item["slug"] for item in public["articles"]}
    assert "draft-article" not in slugs and "scheduled-article" not in slugs
    assert "z-draft" not in {s["slug"] for s in public["summits"]}
    assert "y-draft-declaration" not in {d["slug"] for d in public["declarations"]}

    everything = export_document("--include-drafts")
    articles = {item["slug"]: item for item in everything["articles"]}
    assert articles["draft-article"]["status"] == "draft"
    assert articles["draft-article"]["published_at"] is None
    assert articles["scheduled-article"]["status"] == "published"
    assert articles["scheduled-article"]["published_at"] > public["exported_at"]


def test_references_to_unexported_items_are_left_out_so_the_document_stands_alone():
    data = full_dataset()
    document = export_document()
    declarations = {d["slug"]: d for d in document["declarations"]}
    # Its summit is a draft: the published statement is exported without it.
    assert declarations["orphan-statement"]["summit"] is None
    assert declarations["bletchley-declaration"]["summit"] == data["summit"].slug
    press = next(a for a in document["articles"] if a["slug"] == "press-le-monde")
    assert press["summits"] == ["ai-safety-summit-2023"]
    assert press["declarations"] == ["bletchley-declaration", "framework-convention"]

    everything = export_document("--include-drafts")
    press = next(a for a in everything["articles"] if a["slug"] == "press-le-monde")
    assert press["summits"] == ["ai-safety-summit-2023", "z-draft"]


def test_a_draft_declarations_signatures_are_not_exported():
    full_dataset()
    document = export_document()
    japan_signed = [
        d["slug"]
        for d in document["declarations"]
        if any(s["signatory"] == "japan" for s in d["signatures"])
    ]
    assert japan_signed == ["bletchley-declaration"]


def test_values_are_encoded_as_documented():
    full_dataset()
    document = export_document()
    summit = document["summits"][0]
    assert summit["published_at"] == "2024-05-21T09:30:15.123456Z"
    assert summit["starts_on"] == "2023-11-01"
    assert summit["host_country"] == "GB"
    assert summit["body"].startswith("# Was die Gipfel")  # markdown, not HTML
    assert "body_html" not in summit
    eu = next(s for s in document["signatories"] if s["slug"] == "european-union")
    assert eu["country"] == "" and eu["kind"] == "organisation"
    treaty = next(d for d in document["declarations"] if d["slug"].startswith("frame"))
    assert treaty["summit"] is None and treaty["adopted_on"] is None
    assert treaty["reported_signatory_count"] is None and treaty["binding"] is True
    unverified, eu_position = treaty["signatures"]  # by slug: "a-b" first
    assert eu_position["source_url"] == "" and eu_position["declined_on"] is None
    # Each stage at its precision, with its own source.
    assert eu_position["signed_on"] == "2024-09-05"
    assert eu_position["ratified_on"] == "2025-01"
    assert eu_position["ratification_act"] == "approval"
    assert eu_position["ratified_source_url"] == "https://example.org/approved"
    assert eu_position["in_force_on"] == "2025-06-01"
    assert unverified["status"] == "unknown" and unverified["signed_on"] is None
    bletchley = next(
        d for d in document["declarations"] if d["slug"] == "bletchley-declaration"
    )
    japan = next(s for s in bletchley["signatures"] if s["signatory"] == "japan")
    assert (japan["status"], japan["withdrawn_on"]) == ("withdrawn", "2024-01")
    assert bletchley["topic"] == "ai"
    assert [s["slug"] for s in document["series"]] == ["ai-safety-summits"]
    assert [g["slug"] for g in document["groups"]] == ["g-7"]
    assert document["groups"][0]["members"][1] == {
        "signatory": "japan",
        "from": "1975-11-15",
        "to": "2030-12-31",
    }
    summit = next(
        s for s in document["summits"] if s["slug"] == "ai-safety-summit-2023"
    )
    assert summit["series"] == "ai-safety-summits"
    eu = next(s for s in document["signatories"] if s["slug"] == "european-union")
    assert eu["other_names"] == [
        {"name": "EU", "kind": "short"},
        {"name": "Union européenne", "kind": "language"},
    ]
    press = next(a for a in document["articles"] if a["slug"] == "press-le-monde")
    assert press["cover_image"] == {
        "path": "covers/bletchley.jpg",
        "url": "http://127.0.0.1:8000/media/covers/bletchley.jpg",
    }
    post = next(a for a in document["articles"] if a["slug"] == "why-we-march")
    assert post["cover_image"] is None and post["outlet"] == ""


def test_non_ascii_text_is_written_as_readable_utf8():
    full_dataset()
    text = export()
    assert "Côte d’Ivoire" in text and "日本" in text
    assert "\\u" not in text


def test_the_number_of_queries_does_not_grow_with_the_content(
    django_assert_max_num_queries,
):
    # Batched, as an import saves: one content-version bump per batch.
    with content_changes_batched():
        for n in range(3):
            SignatureFactory(declaration=DeclarationFactory(), signatory__name=f"S{n}")
            ArticleFactory().declarations.set(Declaration.objects.all())
    with django_assert_max_num_queries(20) as small:
        export()
    with content_changes_batched():
        for n in range(30):
            SignatureFactory(declaration=DeclarationFactory(), signatory__name=f"T{n}")
            ArticleFactory().declarations.set(Declaration.objects.all())
    with django_assert_max_num_queries(len(small.captured_queries)):
        export()


def test_output_goes_to_a_file_and_nothing_else_is_left_beside_it(tmp_path):
    full_dataset()
    target = tmp_path / "site.json"
    err = StringIO()
    call_command(
        "export_content", "--output", str(target), "--no-timestamp", stderr=err
    )
    assert target.read_text(encoding="utf-8") == export("--no-timestamp")
    assert os.listdir(tmp_path) == ["site.json"]
    assert "Exported to" in err.getvalue()
    assert target.stat().st_mode & 0o777 != 0o600  # an ordinary file, not private


def test_an_export_that_fails_midway_leaves_the_old_file_untouched(
    tmp_path, monkeypatch
):
    full_dataset()
    target = tmp_path / "site.json"
    target.write_text("yesterday's export", encoding="utf-8")

    def articles_then_failure(self):
        yield {"slug": "half-written"}
        raise RuntimeError("database connection lost")

    monkeypatch.setattr(Exporter, "article_items", articles_then_failure)
    with pytest.raises(RuntimeError, match="connection lost"):
        call_command("export_content", "--output", str(target), stderr=StringIO())
    assert target.read_text(encoding="utf-8") == "yesterday's export"
    assert os.listdir(tmp_path) == ["site.json"]


def test_a_failed_first_export_leaves_no_file_at_all(tmp_path, monkeypatch):
    target = tmp_path / "site.json"

    def failure(self):
        raise RuntimeError("boom")
        yield

    monkeypatch.setattr(Exporter, "signatories", failure)
    with pytest.raises(RuntimeError):
        call_command("export_content", "--output", str(target), stderr=StringIO())
    assert os.listdir(tmp_path) == []


def test_an_output_directory_that_does_not_exist_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="is not a directory"):
        call_command("export_content", "--output", str(tmp_path / "no" / "x.json"))


def test_a_negative_indent_is_refused():
    with pytest.raises(CommandError, match="--indent"):
        export("--indent", "-1")


def test_schema_flag_prints_the_schema_file():
    printed = export("--schema")
    assert json.loads(printed) == SCHEMA
    assert printed == exchange_format.SCHEMA_PATH.read_text(encoding="utf-8")


def test_progress_is_not_written_when_stderr_is_not_a_terminal():
    full_dataset()
    err = StringIO()
    call_command("export_content", stdout=StringIO(), stderr=err)
    assert err.getvalue() == ""
