"""import_content in batches: the same rows, search entries, change events and
one revision as saving each object did, with memory that does not grow with
the document, and a progress bar only where someone watches a terminal."""

import io
import json

import markdown
import pytest
import reversion
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError, OutputWrapper
from django.db import IntegrityError, connection
from django.db.models.signals import post_save
from jsonschema import Draft202012Validator
from PIL import Image
from reversion.models import Revision, Version

from articles.models import Article
from changes.models import ChangeEvent
from core import bulk
from core.markdown import MARKDOWN_EXTENSIONS, render_markdown
from core.markdown import _parse as parse_markdown
from core.progress import ProgressBar
from core.search import FTS_TABLE, model_code, uses_postgresql
from editorial.revisions import RevisionWriter, import_revision
from exchange import importer, reading
from exchange.format import (
    ARTICLE_FIELDS,
    DECLARATION_FIELDS,
    SIGNATURE_FIELDS,
    decode,
    load_schema,
    plain_fields,
)
from summits.models import Declaration, Signatory, Signature, Summit
from tests.exchange_helpers import (
    export_document,
    full_dataset,
    import_file,
    write_document,
)
from tests.factories import ArticleFactory, SummitFactory

pytestmark = pytest.mark.django_db


# -- what an import leaves behind, in a form two runs can be compared in -----


def forget_articles_and_declarations():
    """Delete what an import of the document creates in batches (articles,
    declarations and their positions), with its history and its events."""
    Article.objects.all().delete()
    Declaration.objects.all().delete()
    Revision.objects.all().delete()
    ChangeEvent.objects.all().delete()


def without(row, *names):
    return {key: value for key, value in row.items() if key not in names}


def index_entry(article):
    """What the search index holds for an article, on either database."""
    if uses_postgresql():
        return Article.objects.filter(pk=article.pk).values_list(
            "search_vector", flat=True
        )[0]
    rowid = (article.pk << 16) | model_code(Article)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT a, b, c FROM {FTS_TABLE} WHERE rowid = %s", [rowid])
        return cursor.fetchall()


def version_entry(version, slugs):
    """A version with row ids that differ between two runs named by slug."""
    data = json.loads(version.serialized_data)
    assert len(data) == 1
    fields = without(data[0]["fields"], "created_at", "updated_at")
    if "declaration" in fields:
        fields["declaration"] = slugs["declarations"][fields["declaration"]]
    if "declarations" in fields:
        fields["declarations"] = [
            slugs["declarations"][pk] for pk in fields["declarations"]
        ]
    return (version.content_type.model, version.object_repr, version.format, fields)


def sorted_as_text(rows):
    # Rows mix None with text and dates: ordered by how they print.
    return sorted(rows, key=repr)


def snapshot():
    """Everything the import wrote about articles and declarations."""
    slugs = {
        "declarations": dict(Declaration.objects.values_list("pk", "slug")),
        "articles": dict(Article.objects.values_list("pk", "slug")),
    }
    ignored = ("id", "created_at", "updated_at", "search_vector")
    (revision,) = Revision.objects.all()
    return {
        "articles": {
            row["slug"]: without(row, *ignored) for row in Article.objects.values()
        },
        "links": {
            article.slug: (
                sorted(article.summits.values_list("slug", flat=True)),
                sorted(article.declarations.values_list("slug", flat=True)),
            )
            for article in Article.objects.all()
        },
        "index": {
            article.slug: index_entry(article) for article in Article.objects.all()
        },
        "declarations": {
            row["slug"]: without(row, *ignored) for row in Declaration.objects.values()
        },
        "positions": sorted_as_text(
            (
                slugs["declarations"][row["declaration_id"]],
                row["signatory_id"],
                sorted(without(row, *ignored, "declaration_id").items()),
            )
            for row in Signature.objects.values()
        ),
        "events": sorted_as_text(
            (
                event.kind,
                event.status,
                event.stage,
                # Published: when the item went public; the rest: now.
                event.occurred_at if event.kind == "published" else None,
                slugs["declarations"].get(event.declaration_id),
                slugs["articles"].get(event.article_id),
                event.signatory_id,
            )
            for event in ChangeEvent.objects.all()
        ),
        "versions": [
            version_entry(version, slugs)
            for version in revision.version_set.order_by("pk")
        ],
        "revision": (revision.user, revision.comment),
    }


def store_cover(name):
    """A real image where the press item's cover points, so its renditions
    are made (and compared)."""
    buffer = io.BytesIO()
    Image.new("RGB", (800, 400), "navy").save(buffer, format="JPEG")
    default_storage.save(name, ContentFile(buffer.getvalue()))


def decoded(model, fields, item):
    values = {}
    for name in plain_fields(fields):
        values |= decode(model, name, item[name])
    return values


def save_one_by_one(document, comment):
    """What import_content did before batches, for new declarations and
    articles: save() each row, set its links, add it to one revision."""
    summits = dict(Summit.objects.values_list("slug", "pk"))
    signatories = dict(Signatory.objects.values_list("slug", "pk"))
    with import_revision(comment, manage_manually=True):
        for item in document["declarations"]:
            declaration = Declaration(
                summit_id=summits.get(item["summit"]),
                **decoded(Declaration, DECLARATION_FIELDS, item),
            )
            declaration.save()
            for position in item["signatures"]:
                Signature(
                    declaration=declaration,
                    signatory_id=signatories[position["signatory"]],
                    **decoded(Signature, SIGNATURE_FIELDS, position),
                ).save()
            reversion.add_to_revision(declaration)
        declarations = dict(Declaration.objects.values_list("slug", "pk"))
        for item in document["articles"]:
            article = Article(**decoded(Article, ARTICLE_FIELDS, item))
            article.save()
            article.summits.set([summits[slug] for slug in item["summits"]])
            article.declarations.set([declarations[s] for s in item["declarations"]])
            reversion.add_to_revision(article)


def test_batches_write_what_saving_each_new_object_wrote(tmp_path, monkeypatch):
    # Batches of two, so the document's articles and positions span several.
    monkeypatch.setattr(importer, "BATCH_SIZE", 2)
    full_dataset()
    store_cover("covers/bletchley.jpg")
    ArticleFactory(slug="zz-linked", body="[a](https://example.org) *b*").summits.set(
        [SummitFactory(slug="zz-summit")]
    )
    document = export_document("--no-timestamp", "--include-drafts")
    path = write_document(tmp_path, document)
    forget_articles_and_declarations()

    out, _ = import_file(path)
    assert "articles: 5 created" in out
    batched = snapshot()
    forget_articles_and_declarations()
    save_one_by_one(document, comment=f"Imported from {path}")

    assert snapshot() == batched
    # The comparison saw what matters: rendered HTML, every kind of event,
    # every article in the index, positions in their declaration's version.
    assert "<em>b</em>" in batched["articles"]["zz-linked"]["body_html"]
    assert {event[0] for event in batched["events"]} == {
        "published",
        "position",
        "stage",
    }
    assert all(batched["index"].values())
    assert batched["articles"]["press-le-monde"]["cover_renditions"]["sources"]
    assert [entry[0] for entry in batched["versions"]].count("signature") == 8


def test_an_imported_article_is_found_by_search_and_shows_at_once(tmp_path, client):
    full_dataset()
    document = export_document("--no-timestamp", "--include-drafts")
    (post,) = [item for item in document["articles"] if item["slug"] == "why-we-march"]
    post["title"] = "Quokkas at the summit"
    forget_articles_and_declarations()
    assert "Quokkas" not in client.get("/articles/").content.decode()  # cached

    import_file(write_document(tmp_path, document))

    results = client.get("/search/", {"q": "quokkas"}).context["results"]
    assert [result.title for result in results] == ["Quokkas at the summit"]
    assert "Quokkas at the summit" in client.get("/articles/").content.decode()


def test_each_batch_goes_to_the_one_revision_as_it_is_written(tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "BATCH_SIZE", 3)
    full_dataset()
    document = export_document("--no-timestamp", "--include-drafts")
    document["articles"] = [
        {**document["articles"][1], "slug": f"post-{n}", "title": f"Post {n}"}
        for n in range(10)
    ]
    forget_articles_and_declarations()
    written = []
    write_pending = RevisionWriter.write_pending

    def spy(writer, **options):
        write_pending(writer, **options)
        written.append(Version.objects.filter(content_type__model="article").count())

    monkeypatch.setattr(RevisionWriter, "write_pending", spy)
    out, _ = import_file(write_document(tmp_path, document))

    assert "articles: 10 created" in out
    # Written three, six, nine, ten at a time: never all kept for the end.
    assert [n for n in dict.fromkeys(written) if n] == [3, 6, 9, 10]
    (revision,) = Revision.objects.all()
    for article in Article.objects.all():
        assert Version.objects.get_for_object(article).get().revision == revision


def test_a_failure_in_a_late_batch_leaves_nothing_behind(tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "BATCH_SIZE", 2)
    full_dataset()
    document = export_document("--no-timestamp", "--include-drafts")
    forget_articles_and_declarations()
    plan = importer.Importer(importer.parse_document(json.dumps(document)))
    plan.check()
    # Another editor takes the last article's slug between check and write.
    late = ArticleFactory(slug=document["articles"][-1]["slug"])

    with pytest.raises(importer.ImportErrors, match="the database refused"):
        plan.apply()

    assert list(Article.objects.all()) == [late]
    assert not Declaration.objects.exists() and not Signature.objects.exists()
    assert not Revision.objects.exists() and not Version.objects.exists()
    assert not ChangeEvent.objects.exclude(article=late).exists()


def test_an_import_inside_an_editors_revision_joins_it(tmp_path):
    full_dataset()
    document = export_document("--no-timestamp", "--include-drafts")
    forget_articles_and_declarations()
    with reversion.create_revision():
        summit = SummitFactory(slug="saved-by-the-editor")
        importer.import_document(importer.parse_document(json.dumps(document)))
    (revision,) = Revision.objects.all()
    # One revision: the editor's save and the import, under the import's word.
    assert revision.comment == "Imported"
    assert Version.objects.get_for_object(summit).get().revision == revision
    assert revision.version_set.filter(content_type__model="article").count() == 4


# -- the mechanism -------------------------------------------------------------


def test_bulk_creation_refuses_a_model_whose_save_it_cannot_stand_in_for():
    with pytest.raises(TypeError, match="Signatory.save"):
        bulk.bulk_create(Signatory, [Signatory(name="X", slug="x")])
    with pytest.raises(ValueError, match="slug"):
        bulk.bulk_create(Article, [Article(title="No slug")])
    assert not Article.objects.exists()


@pytest.mark.parametrize("model", [Article, Signature])
def test_every_receiver_of_a_saved_row_has_a_bulk_counterpart(model):
    """A receiver added to post_save must be matched on post_bulk_create
    (core.bulk), or rows written in batches would silently miss it."""
    on_save = {
        receiver.__name__
        for receiver in post_save._live_receivers(model)[0]
        if receiver.__module__ != "reversion.revisions"
    }
    on_bulk = {
        receiver.__name__
        for receiver in bulk.post_bulk_create._live_receivers(model)[0]
    }
    # Each pair: what save() triggers, and what stands in for it in a batch.
    counterparts = {
        Article: {
            "store_search_vector": "index_bulk_created",
            "record_publication": "record_bulk_publications",
            "content_saved_or_deleted": "content_saved_or_deleted",
            # Only an existing row changes address: never a new one.
            "record_slug_redirect": None,
        },
        Signature: {
            "record_position": "record_bulk_positions",
            "content_saved_or_deleted": "content_saved_or_deleted",
            "record_slug_redirect": None,
        },
    }[model]
    assert on_save == set(counterparts)
    assert on_bulk == {name for name in counterparts.values() if name}


def test_the_compiled_schema_check_refuses_what_jsonschema_refuses():
    validator = Draft202012Validator(load_schema())
    full_dataset()
    good = export_document("--no-timestamp", "--include-drafts")
    assert importer.fast_validator(good["schema"]).is_valid(good)
    broken = [
        ("signatories", 0, "slug", "not a slug"),
        ("articles", 0, "published_at", "2024-05-21 09:30"),
        ("articles", 0, "cover_image", {"path": "../etc/passwd"}),
        ("declarations", 0, "binding", "yes"),
        ("summits", 0, "unexpected", 1),
        ("articles", 0, "summits", ["a", "a"]),
    ]
    for section, index, key, value in broken:
        document = json.loads(json.dumps(good))
        document[section][index][key] = value
        assert list(validator.iter_errors(document)), key
        assert not importer.fast_validator(good["schema"]).is_valid(document), key


def test_jsonschema_has_the_last_word_when_the_compiled_check_refuses(
    tmp_path, monkeypatch
):
    class RefusesEverything:
        def is_valid(self, document):
            return False

    monkeypatch.setattr(importer, "fast_validator", lambda version: RefusesEverything())
    full_dataset()
    document = export_document("--no-timestamp", "--include-drafts")
    forget_articles_and_declarations()
    out, _ = import_file(write_document(tmp_path, document))
    assert "articles: 4 created" in out


def test_a_reused_markdown_parser_renders_each_text_as_a_fresh_one_would():
    # An import renders thousands of texts with one parser: nothing one
    # text defines (notes, abbreviations, link references) may reach the next.
    texts = [
        "Text[^1] on HTML, [a link][ref].\n\n[^1]: A note.\n\n*[HTML]: markup"
        "\n\n[ref]: https://example.org/",
        'Plain text on HTML, [a link][ref], *no* notes -- and "quotes".',
        "Another[^1].\n\n[^1]: Its own note.\n\n<div>raw</div>",
    ]
    for text in texts + texts[::-1]:
        fresh = markdown.markdown(
            text, extensions=MARKDOWN_EXTENSIONS, output_format="html"
        )
        assert parse_markdown(text) == fresh
    assert "A note" not in render_markdown(texts[1])
    assert "<abbr" not in render_markdown(texts[1])


# -- the progress bar -------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self):
        return True


def run_command(tmp_path, stdout, *args):
    full_dataset()
    document = export_document("--no-timestamp", "--include-drafts")
    forget_articles_and_declarations()
    call_command(
        "import_content", str(write_document(tmp_path, document)), *args, stdout=stdout
    )
    return stdout.getvalue()


def test_a_terminal_sees_a_progress_bar_for_checking_and_writing(tmp_path):
    out = run_command(tmp_path, Terminal())
    lines = out.split("\n")
    checking = [line for line in lines if line.startswith("\rChecking")]
    writing = [line for line in lines if line.startswith("\rWriting")]
    assert len(checking) == len(writing) == 1
    assert checking[0].endswith("100%") and writing[0].endswith("100%")
    # The report follows, on lines of its own.
    assert "\n  articles: 4 created, 0 updated, 0 unchanged" in out


def test_no_progress_bar_in_a_pipe_or_a_file(tmp_path):
    piped = run_command(tmp_path, io.StringIO())
    assert "\r" not in piped and "Checking" not in piped
    assert piped.startswith("Imported ")


def test_no_progress_bar_on_a_terminal_when_told_to_be_quiet(tmp_path):
    assert run_command(tmp_path, Terminal(), "--verbosity", "0") == ""


def test_a_failed_write_ends_the_progress_line_before_the_error(tmp_path, monkeypatch):
    def refused(self, plans, ids):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(importer.Importer, "create_articles", refused)
    terminal = Terminal()
    with pytest.raises(CommandError, match="the database refused the import"):
        run_command(tmp_path, terminal)
    assert "\rWriting" in terminal.getvalue()
    assert terminal.getvalue().endswith("\n")
    assert not Article.objects.exists()


def test_the_bar_is_redrawn_at_most_ten_times_a_second():
    now = [0.0]
    terminal = Terminal()
    bar = ProgressBar(OutputWrapper(terminal), clock=lambda: now[0])
    for done in range(1, 1001):
        now[0] += 0.001  # a thousand steps in one second
        bar("writing", done, 1000)
    draws = terminal.getvalue().count("\r")
    assert 10 <= draws <= 12
    assert terminal.getvalue().endswith("1,000/1,000 100%\n")


# -- reading the file in pieces ------------------------------------------------


TRICKY_JSON = [
    '{"schema": "summitwatch.export/2", "n": 12345678, "f": -1.5e-7, "x": [1, 22]}',
    '\ufeff{"a": "Côte d’Ivoire 🤖 人工知能", "b": "\\ud83e\\udd16 \\" \\\\ \\/"}',
    '{"lone": "\\ud800", "nul": "\\u0000", "big": 1e400, "nan": NaN}',
    '{ "a" : [ ] , "b" : { } , "c" : [ { "d" : [ [ ] ] } ] , "e" : null }',
    '{"a": 1, "a": [2, 3], "t": true, "f": false}\n\n',
    "{}",
]
BROKEN_JSON = [
    ("[1, 2]", "the document must be a JSON object"),
    ('{"a": 1} {"b": 2}', "Extra data"),
    ('{"a": [1, 2}', "Expecting"),
    ('{"schema": "summitwatch.export/1", "summits": [{"na', "line 1, column"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ('{"schema": ' + "9" * 5000 + "}", "not a summitwatch document"),
    ("{1: 2}", "property name"),
    ("", "Expecting value"),
]


@pytest.mark.parametrize("chunk_size", [1, 2, 5, 64, 1 << 20])
@pytest.mark.parametrize("text", TRICKY_JSON)
def test_a_document_read_in_pieces_is_what_json_loads_reads(
    text, chunk_size, monkeypatch
):
    monkeypatch.setattr(reading, "CHUNK_SIZE", chunk_size)
    expected = json.loads(text.removeprefix("\ufeff"))
    read = reading.load_object(io.BytesIO(text.encode("utf-8", "surrogatepass")))
    assert json.dumps(read) == json.dumps(expected)


@pytest.mark.parametrize(("text", "message"), BROKEN_JSON)
def test_a_broken_file_is_refused_as_the_same_bytes_are(text, message):
    with pytest.raises(importer.ImportErrors) as from_file:
        importer.parse_document(io.BytesIO(text.encode()))
    with pytest.raises(importer.ImportErrors) as from_bytes:
        importer.parse_document(text.encode())
    assert from_file.value.messages == from_bytes.value.messages
    assert message in str(from_file.value)


def test_bytes_that_are_not_utf8_are_refused_with_their_offset():
    data = b'{"schema": "summitwatch.export/2", "x": "\xff"}'
    with pytest.raises(importer.ImportErrors, match="offset 41"):
        importer.parse_document(io.BytesIO(data))


def test_a_large_file_is_never_held_whole_as_text(monkeypatch):
    monkeypatch.setattr(reading, "CHUNK_SIZE", 4096)
    items = [
        {"slug": f"article-{n}", "body": "Côte d’Ivoire. " * 40} for n in range(500)
    ]
    data = json.dumps({"schema": "x", "articles": items}, ensure_ascii=False)
    data = data.encode()
    held = []
    more = reading._Reader.more

    def measured(reader, *args):
        result = more(reader, *args)
        held.append(len(reader.text))
        return result

    monkeypatch.setattr(reading._Reader, "more", measured)
    assert reading.load_object(io.BytesIO(data))["articles"] == items
    assert len(data) > 300_000 and max(held) < 3 * 4096


def test_a_position_added_to_a_declaration_is_in_the_imports_revision(tmp_path):
    """Reverting a declaration to an import's revision must bring back the
    positions it had then: each one needs its version in that revision."""
    full_dataset()
    document = export_document("--no-timestamp", "--include-drafts")
    (treaty,) = [
        d for d in document["declarations"] if d["slug"] == "framework-convention"
    ]
    added = {**treaty["signatures"][1], "signatory": "japan"}
    treaty["signatures"] = [treaty["signatures"][0], added]  # one gone, one new

    import_file(write_document(tmp_path, document))

    declaration = Declaration.objects.get(slug="framework-convention")
    (version,) = Version.objects.get_for_object(declaration)
    in_revision = {
        json.loads(v.serialized_data)[0]["fields"]["signatory"]
        for v in version.revision.version_set.filter(content_type__model="signature")
    }
    assert in_revision == set(
        declaration.signatures.values_list("signatory", flat=True)
    )
    assert Signatory.objects.get(slug="japan").pk in in_revision


@pytest.mark.parametrize("depth", [10, 500, 900, 990, 2000])
def test_deep_nesting_is_read_from_a_file_as_from_bytes(depth):
    text = '{"schema": "summitwatch.export/2", "x": ' + "[" * depth + "]" * depth + "}"

    def outcome(data):
        try:
            return importer.parse_document(data)
        except importer.ImportErrors as error:
            return error.messages

    assert outcome(io.BytesIO(text.encode())) == outcome(text.encode())
