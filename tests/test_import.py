"""import_content: a document goes in whole, or not at all, and says why."""

import copy
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from articles.models import Article
from summits.models import Declaration, Signatory, Signature, Summit
from tests.exchange_helpers import (
    import_file,
    row_counts,
    write_document,
)
from tests.factories import (
    ArticleFactory,
    DeclarationFactory,
    SignatoryFactory,
    SignatureFactory,
    SummitFactory,
)

pytestmark = pytest.mark.django_db


def signatory(slug, name, kind="country", country=""):
    return {
        "slug": slug,
        "name": name,
        "kind": kind,
        "country": country,
        "website": "",
        "description": "",
    }


def signature(slug, status="signed", date="2023-11-01"):
    return {
        "signatory": slug,
        "status": status,
        "date": date,
        "ratified_on": None,
        "source_url": f"https://example.org/{slug}",
        "note": "",
    }


def a_document():
    """A small, valid document: two signatories, a summit, a declaration
    with two signatures, and a press item linked to both."""
    return {
        "schema": "summitwatch.export/1",
        "signatories": [
            signatory("european-union", "European Union", kind="organisation"),
            signatory("united-kingdom", "United Kingdom", country="GB"),
        ],
        "summits": [
            {
                "slug": "bletchley-2023",
                "name": "AI Safety Summit",
                "status": "published",
                "published_at": "2023-10-01T12:00:00Z",
                "starts_on": "2023-11-01",
                "ends_on": "2023-11-02",
                "city": "Bletchley",
                "venue": "Bletchley Park",
                "host_country": "GB",
                "organiser": "UK Government",
                "summary": "The first one.",
                "body": "The **first** summit.",
                "website": "https://www.aisafetysummit.gov.uk/",
            }
        ],
        "declarations": [
            {
                "slug": "bletchley-declaration",
                "title": "The Bletchley Declaration",
                "status": "published",
                "published_at": "2023-11-01T12:00:00Z",
                "summit": "bletchley-2023",
                "kind": "declaration",
                "adopted_on": "2023-11-01",
                "binding": False,
                "summary": "",
                "text": "We *agree*.",
                "source_url": "https://www.gov.uk/bletchley",
                "reported_signatory_count": 29,
                "signatures": [
                    signature("european-union"),
                    signature("united-kingdom"),
                ],
            }
        ],
        "articles": [
            {
                "slug": "bletchley-in-the-press",
                "title": "Bletchley in the press",
                "status": "draft",
                "published_at": None,
                "kind": "press",
                "lede": "",
                "body": "",
                "author_name": "",
                "outlet": "The Guardian",
                "original_url": "https://www.theguardian.com/x",
                "original_published_on": "2023-11-02",
                "cover_image": None,
                "cover_image_alt": "",
                "summits": ["bletchley-2023"],
                "declarations": ["bletchley-declaration"],
            }
        ],
    }


def run_import(tmp_path, document, *args):
    return import_file(write_document(tmp_path, document), *args)


def refused(tmp_path, document, *args):
    """Import a bad document: it must fail, change nothing, and say why."""
    before = row_counts()
    with pytest.raises(CommandError) as error:
        run_import(tmp_path, document, *args)
    assert row_counts() == before
    message = str(error.value)
    assert "nothing was imported" in message
    return message


# -- a good document -------------------------------------------------------


def test_a_document_creates_everything_it_describes_and_says_so(tmp_path):
    out, _ = run_import(tmp_path, a_document())
    assert "signatories: 2 created, 0 updated, 0 unchanged" in out
    assert "declarations: 1 created" in out and "articles: 1 created" in out
    declaration = Declaration.objects.get(slug="bletchley-declaration")
    assert declaration.summit.slug == "bletchley-2023"
    assert declaration.reported_signatory_count == 29
    assert declaration.text_html == "<p>We <em>agree</em>.</p>"
    assert sorted(declaration.signatures.values_list("signatory__slug", flat=True)) == [
        "european-union",
        "united-kingdom",
    ]
    article = Article.objects.get()
    assert article.status == "draft" and article.published_at is None
    assert list(article.summits.values_list("slug", flat=True)) == ["bletchley-2023"]
    assert Signatory.objects.get(slug="united-kingdom").country.code == "GB"


def test_importing_the_same_document_twice_changes_nothing_the_second_time(
    tmp_path,
):
    run_import(tmp_path, a_document())
    stamps = list(Declaration.objects.values_list("updated_at", flat=True))
    out, _ = run_import(tmp_path, a_document())
    for section, n in [("signatories", 2), ("summits", 1), ("declarations", 1)]:
        assert f"{section}: 0 created, 0 updated, {n} unchanged" in out
    assert "articles: 0 created, 0 updated, 1 unchanged" in out
    # Unchanged rows are not even saved.
    assert list(Declaration.objects.values_list("updated_at", flat=True)) == stamps


def test_a_changed_field_updates_only_that_object(tmp_path):
    run_import(tmp_path, a_document())
    document = a_document()
    document["summits"][0]["body"] = "A *new* account."
    out, _ = run_import(tmp_path, document)
    assert "summits: 0 created, 1 updated, 0 unchanged" in out
    assert "declarations: 0 created, 0 updated, 1 unchanged" in out
    assert Summit.objects.get().body_html == "<p>A <em>new</em> account.</p>"


def test_a_declarations_signatures_are_made_to_match_the_document(tmp_path):
    run_import(tmp_path, a_document())
    document = a_document()
    document["declarations"][0]["signatures"] = [
        signature("united-kingdom", status="declined", date=None)
    ]
    out, _ = run_import(tmp_path, document)
    assert "declarations: 0 created, 1 updated" in out
    (only,) = Signature.objects.all()
    assert (only.signatory.slug, only.status, only.declined_on) == (
        "united-kingdom",
        "declined",
        None,
    )
    # The signatory itself is not pruned: only the signature was the
    # declaration's to replace.
    assert Signatory.objects.filter(slug="european-union").exists()


def test_an_articles_links_are_made_to_match_the_document(tmp_path):
    run_import(tmp_path, a_document())
    document = a_document()
    document["articles"][0]["summits"] = []
    out, _ = run_import(tmp_path, document)
    assert "articles: 0 created, 1 updated" in out
    assert not Article.objects.get().summits.exists()


def test_objects_not_in_the_document_are_left_alone(tmp_path):
    mine = ArticleFactory(slug="editors-own-post")
    own_signature = SignatureFactory()
    run_import(tmp_path, a_document())
    assert Article.objects.filter(pk=mine.pk).exists()
    assert Signature.objects.filter(pk=own_signature.pk).exists()


def test_references_may_name_objects_already_in_the_database(tmp_path):
    SummitFactory(slug="seoul-2024")
    document = a_document()
    document["declarations"][0]["summit"] = "seoul-2024"
    run_import(tmp_path, document)
    assert Declaration.objects.get().summit.slug == "seoul-2024"


def test_a_dry_run_reports_what_would_happen_and_writes_nothing(tmp_path):
    before = row_counts()
    out, _ = run_import(tmp_path, a_document(), "--dry-run")
    assert out.startswith("Dry run, nothing written:")
    assert "signatories: 2 created" in out
    assert row_counts() == before


def test_quiet_imports_print_nothing(tmp_path):
    out, err = run_import(tmp_path, a_document(), "--verbosity", "0")
    assert out == err == ""
    assert Declaration.objects.count() == 1


def test_a_document_can_come_from_stdin(tmp_path, monkeypatch):
    data = json.dumps(a_document()).encode()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))
    out = io.StringIO()
    call_command("import_content", "-", stdout=out)
    assert "Imported stdin" in out.getvalue()
    assert Signatory.objects.count() == 2


def test_html_is_rendered_from_the_markdown_never_taken_from_the_document(tmp_path):
    document = a_document()
    document["declarations"][0]["text_html"] = "<script>alert(1)</script>"
    message = refused(tmp_path, document)
    assert "'text_html' was unexpected" in message

    document = a_document()
    document["declarations"][0]["text"] = "Hi <script>alert(1)</script> <b onclick=x>"
    run_import(tmp_path, document)
    html = Declaration.objects.get().text_html
    assert "<script" not in html and "onclick" not in html


def test_a_missing_cover_image_file_is_a_warning_not_an_error(tmp_path):
    document = a_document()
    document["articles"][0]["cover_image"] = {"path": "covers/missing.jpg"}
    document["articles"][0]["cover_image_alt"] = "A photo"
    _, err = run_import(tmp_path, document)
    assert "covers/missing.jpg" in err and "not in media storage" in err
    assert Article.objects.get().cover_image.name == "covers/missing.jpg"


# -- prune -----------------------------------------------------------------


def test_prune_deletes_what_the_document_does_not_contain(tmp_path):
    run_import(tmp_path, a_document())
    stray_declaration = DeclarationFactory(slug="stray-declaration")
    # A signatory only the stray declaration uses: PROTECTed until it goes.
    SignatureFactory(declaration=stray_declaration, signatory__slug="stray")
    # A signatory whose signature on a kept declaration the document drops.
    dropped = SignatoryFactory(slug="dropped")
    SignatureFactory(
        declaration=Declaration.objects.get(slug="bletchley-declaration"),
        signatory=dropped,
    )
    ArticleFactory(slug="stray-article")
    # The stray declaration's summit, and a summit a kept declaration used to
    # point at, go too.
    old_summit = SummitFactory(slug="old-summit")
    Declaration.objects.filter(slug="bletchley-declaration").update(summit=old_summit)

    out, _ = run_import(tmp_path, a_document(), "--prune", "--no-input")
    assert "signatories: 0 created, 0 updated, 2 unchanged, 2 deleted" in out
    assert "declarations: 0 created, 1 updated, 0 unchanged, 1 deleted" in out
    assert "summits: 0 created, 0 updated, 1 unchanged, 2 deleted" in out
    assert "articles: 0 created, 0 updated, 1 unchanged, 1 deleted" in out
    assert sorted(Signatory.objects.values_list("slug", flat=True)) == [
        "european-union",
        "united-kingdom",
    ]
    assert list(Summit.objects.values_list("slug", flat=True)) == ["bletchley-2023"]


def test_prune_asks_first_and_a_no_changes_nothing(tmp_path, monkeypatch):
    ArticleFactory(slug="stray-article")
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    before = row_counts()
    with pytest.raises(CommandError, match="cancelled"):
        run_import(tmp_path, a_document(), "--prune")
    assert row_counts() == before


def test_prune_asks_first_and_a_yes_goes_ahead(tmp_path, monkeypatch):
    ArticleFactory(slug="stray-article")
    prompts = []
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda p: prompts.append(p) or "yes")
    run_import(tmp_path, a_document(), "--prune")
    assert "1 articles" in prompts[0]
    assert not Article.objects.filter(slug="stray-article").exists()


def test_prune_without_a_terminal_to_ask_on_refuses_instead_of_crashing(
    tmp_path, monkeypatch
):
    ArticleFactory(slug="stray-article")
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    before = row_counts()
    with pytest.raises(CommandError, match="add --no-input"):
        run_import(tmp_path, a_document(), "--prune")
    assert row_counts() == before


def test_with_prune_references_must_be_inside_the_document(tmp_path):
    SummitFactory(slug="seoul-2024")
    document = a_document()
    document["declarations"][0]["summit"] = "seoul-2024"
    message = refused(tmp_path, document, "--prune", "--no-input")
    assert "unknown summit slug 'seoul-2024'" in message


def test_a_pruning_dry_run_deletes_nothing(tmp_path):
    ArticleFactory(slug="stray-article")
    out, _ = run_import(tmp_path, a_document(), "--prune", "--dry-run")
    assert "articles: 1 created, 0 updated, 0 unchanged, 1 deleted" in out
    assert Article.objects.filter(slug="stray-article").exists()


# -- documents that are refused, each changing nothing ----------------------


def test_a_file_that_is_not_json_names_the_line_and_column(tmp_path):
    text = '{\n  "schema": "summitwatch.export/1",\n  "signatories": [,]\n}'
    message = refused(tmp_path, text)
    assert "not valid JSON" in message and "line 3, column 19" in message


def test_a_file_that_is_not_text_is_refused(tmp_path):
    path = tmp_path / "photo.json"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    with pytest.raises(CommandError, match="not UTF-8"):
        import_file(path)


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ([], "must be a JSON object"),
        ({"signatories": []}, 'no "schema" key'),
        (
            {"schema": "summitwatch.export/3"},
            "unsupported schema 'summitwatch.export/3'",
        ),
        # Found by a review: a list or an object here was a TypeError.
        ({"schema": ["summitwatch.export/2"]}, "unsupported schema"),
        ({"schema": {"v": 2}}, "unsupported schema"),
    ],
)
def test_the_schema_version_is_checked_first(tmp_path, document, expected):
    assert expected in refused(tmp_path, document)


def test_schema_violations_give_the_json_path_and_the_problem(tmp_path):
    document = a_document()
    document["declarations"][0]["signatures"][1]["status"] = "maybe"
    del document["summits"][0]["city"]
    document["articles"][0]["kind"] = 3
    message = refused(tmp_path, document)
    assert "$.declarations[0].signatures[1].status: 'maybe' is not one of" in message
    assert "$.summits[0]: 'city' is a required property" in message
    assert "$.articles[0].kind: 3 is not one of ['post', 'press']" in message


def test_a_published_item_must_say_when(tmp_path):
    document = a_document()
    document["summits"][0]["published_at"] = None
    assert "$.summits[0].published_at: None is not of type 'string'" in refused(
        tmp_path, document
    )


def test_no_more_than_twenty_errors_are_listed(tmp_path):
    document = a_document()
    document["signatories"] = [
        signatory(f"s{n}", f"S{n}", kind="nation") for n in range(30)
    ]
    message = refused(tmp_path, document)
    assert message.count("is not one of") == 20
    assert "and 10 more" in message


def test_an_unknown_signatory_summit_or_declaration_is_named_with_its_place(
    tmp_path,
):
    document = a_document()
    document["declarations"][0]["summit"] = "atlantis-2030"
    document["declarations"][0]["signatures"].append(signature("narnia"))
    document["articles"][0]["declarations"] = ["no-such-declaration"]
    message = refused(tmp_path, document)
    assert (
        "$.declarations[0].summit (declaration 'bletchley-declaration'): "
        "unknown summit slug 'atlantis-2030'" in message
    )
    assert (
        "$.declarations[0].signatures[2].signatory (position of signatory "
        "'narnia' on declaration 'bletchley-declaration'): unknown signatory "
        "slug 'narnia'" in message
    )
    assert "unknown declaration slug 'no-such-declaration'" in message


def test_duplicate_slugs_are_refused(tmp_path):
    document = a_document()
    document["signatories"].append(signatory("united-kingdom", "UK again"))
    document["declarations"][0]["signatures"].append(signature("european-union"))
    message = refused(tmp_path, document)
    assert (
        "$.signatories[2].slug: duplicate signatory slug 'united-kingdom' "
        "(also at $.signatories[1])" in message
    )
    assert "signatory 'european-union' appears twice" in message


def test_a_date_that_does_not_exist_is_refused(tmp_path):
    document = a_document()
    document["declarations"][0]["adopted_on"] = "2023-02-30"
    document["declarations"][0]["signatures"][0]["date"] = "2023-13-01"
    message = refused(tmp_path, document)
    assert (
        "adopted_on (declaration 'bletchley-declaration'): '2023-02-30' is not a "
        in (message)
    )
    assert "signatures[0].date" in message and "'2023-13-01'" in message


def test_model_rules_are_applied_before_anything_is_written(tmp_path):
    document = a_document()
    document["signatories"].append(signatory("new-one", "New One"))  # valid
    document["summits"][0]["ends_on"] = "2023-10-31"
    document["articles"][0]["outlet"] = ""
    document["signatories"][1]["country"] = "XX"
    document["declarations"][0]["source_url"] = "https://example..org"
    message = refused(tmp_path, document)
    assert "(summit 'bletchley-2023'): A summit cannot end before it starts." in (
        message
    )
    assert (
        "$.articles[0].outlet (article 'bletchley-in-the-press'): A press item "
        "needs the outlet" in message
    )
    assert "$.signatories[1].country (signatory 'united-kingdom'): " in message
    assert "$.declarations[0].source_url" in message and "web address" in message
    assert not Signatory.objects.filter(slug="new-one").exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"schema": ' + "9" * 5000 + "}", "not a summitwatch document"),
        ('{"schema": "summitwatch.export/1", "summits": [{"na', "line 1, column"),
    ],
    ids=["deep-nesting", "huge-integer", "truncated"],
)
def test_hostile_json_is_refused_with_a_message_not_a_traceback(
    tmp_path, text, expected
):
    path = tmp_path / "hostile.json"
    path.write_text(text)
    with pytest.raises(CommandError) as error:
        import_file(path)
    assert expected in str(error.value)
    assert "at at" not in str(error.value)


def test_a_nul_character_anywhere_is_refused_by_its_path(tmp_path):
    document = a_document()
    document["signatories"].append(signatory("nul-land", "Nul\x00Land"))
    document["declarations"][0]["signatures"][0]["note"] = "signed\x00"
    message = refused(tmp_path, document)
    assert "$.signatories[2].name: contains a NUL character" in message
    assert "$.declarations[0].signatures[0].note: contains a NUL character" in message
    assert not Signatory.objects.exists()


def test_a_lone_surrogate_is_refused_by_its_path(tmp_path):
    document = a_document()
    text = json.dumps(document).replace("United Kingdom", "United \\ud800Kingdom")
    message = refused(tmp_path, text)
    assert "$.signatories[1].name: contains a lone surrogate" in message


def test_markdown_over_the_length_limit_is_refused_by_its_path(tmp_path):
    from core.markdown import MARKDOWN_MAX_CHARS

    document = a_document()
    document["articles"][0]["body"] = "x" * (MARKDOWN_MAX_CHARS + 1)
    message = refused(tmp_path, document)
    assert "$.articles[0].body (article 'bletchley-in-the-press'): Keep this" in (
        message
    )


def test_a_signatory_name_used_by_another_signatory_is_refused(tmp_path):
    SignatoryFactory(name="United Kingdom", slug="uk")
    message = refused(tmp_path, a_document())
    assert "'United Kingdom' is already the name of signatory 'uk'" in message


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        import_file(tmp_path / "nope.json")
    with pytest.raises(CommandError, match="is a directory"):
        import_file(tmp_path)


def test_an_error_deep_in_a_large_document_still_changes_nothing(tmp_path):
    document = a_document()
    document["signatories"] += [signatory(f"s{n}", f"S{n}") for n in range(200)]
    broken = copy.deepcopy(document)
    broken["articles"][0]["summits"] = ["missing"]
    refused(tmp_path, broken)
    assert Signatory.objects.count() == 0
