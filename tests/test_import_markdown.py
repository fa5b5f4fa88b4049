"""import_markdown: a folder of blog posts with frontmatter becomes articles."""

import datetime
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError

from articles.models import Article
from core.models import Status

pytestmark = pytest.mark.django_db

SEED = Path(__file__).parent / "data" / "why-we-need-ai-safety-summits.md"


def import_markdown(*args):
    out, err = StringIO(), StringIO()
    # skip_checks=False: run the system checks first, as manage.py does.
    call_command(
        "import_markdown", *map(str, args), stdout=out, stderr=err, skip_checks=False
    )
    return out.getvalue(), err.getvalue()


def write(folder, name, text):
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_seed_page_becomes_a_draft_article_named_after_its_file():
    out, _ = import_markdown(SEED)
    assert "articles: 1 created, 0 updated, 0 unchanged" in out
    article = Article.objects.get()
    assert article.slug == "why-we-need-ai-safety-summits"
    assert article.title == "Why we need AI Safety Summits"
    assert article.lede.startswith("Why we need the AI safety summit to happen")
    assert article.status == Status.DRAFT
    assert article.kind == Article.Kind.POST
    assert "## AI Safety Summits" in article.body
    assert "<h2>AI Safety Summits</h2>" in article.body_html
    assert "---" not in article.body.splitlines()[0]


def test_importing_the_same_file_again_changes_nothing():
    import_markdown(SEED)
    out, _ = import_markdown(SEED)
    assert "articles: 0 created, 0 updated, 1 unchanged" in out


def test_an_edited_file_updates_the_article_with_the_same_slug(tmp_path):
    import_markdown(SEED)
    edited = tmp_path / SEED.name
    edited.write_text(
        SEED.read_text().replace("Why we need AI Safety Summits", "Why summits")
    )
    out, _ = import_markdown(edited)
    assert "articles: 0 created, 1 updated" in out
    assert Article.objects.get().title == "Why summits"


def test_publish_publishes_at_the_frontmatter_date(tmp_path):
    post = write(
        tmp_path,
        "march.md",
        "---\ntitle: We marched\nauthor: Jo Bloggs\ndate: 2023-10-21\n"
        "slug: we-marched-in-london\n---\nIt *rained*.\n",
    )
    import_markdown(post, "--publish")
    article = Article.objects.get()
    assert article.slug == "we-marched-in-london"
    assert article.author_name == "Jo Bloggs"
    assert article.status == Status.PUBLISHED
    assert article.published_at == datetime.datetime(2023, 10, 21, tzinfo=datetime.UTC)
    assert Article.objects.published().count() == 1


def test_reimporting_without_publish_does_not_unpublish(tmp_path):
    post = write(tmp_path, "a.md", "---\ntitle: A\n---\nBody.\n")
    import_markdown(post, "--publish")
    published_at = Article.objects.get().published_at
    out, _ = import_markdown(post)
    assert "1 unchanged" in out
    article = Article.objects.get()
    assert (article.status, article.published_at) == (Status.PUBLISHED, published_at)


def test_a_folder_is_imported_recursively_and_other_files_skipped(tmp_path):
    (tmp_path / "2024").mkdir()
    write(tmp_path, "one.md", "---\ntitle: One\n---\n1")
    write(tmp_path / "2024", "two.markdown", "---\ntitle: Two\n---\n2")
    write(tmp_path, "notes.txt", "not a post")
    out, _ = import_markdown(tmp_path, "--verbosity", "2")
    assert "articles: 2 created" in out
    assert "created: two" in out
    assert set(Article.objects.values_list("slug", flat=True)) == {"one", "two"}


def test_unknown_frontmatter_keys_are_reported_and_ignored(tmp_path):
    post = write(
        tmp_path, "tagged.md", "---\ntitle: Tagged\ntags: [ai]\nlayout: post\n---\nx"
    )
    _, err = import_markdown(post)
    assert "tagged.md: unknown frontmatter keys ignored: layout, tags" in err
    assert Article.objects.get().title == "Tagged"


def test_a_cover_image_needs_to_be_in_storage_and_described(tmp_path):
    name = default_storage.save("covers/march.jpg", ContentFile(b"jpeg"))
    described = write(
        tmp_path,
        "a.md",
        f"---\ntitle: A\nimage: /media/{name}\nimage_alt: Marchers in rain\n---\n",
    )
    undescribed = write(tmp_path, "b.md", f"---\ntitle: B\nimage: {name}\n---\n")
    remote = write(tmp_path, "c.md", "---\ntitle: C\nimage: https://x.org/a.jpg\n---\n")
    _, err = import_markdown(described, undescribed, remote)
    articles = {a.slug: a for a in Article.objects.all()}
    assert articles["a"].cover_image.name == name
    assert articles["a"].cover_image_alt == "Marchers in rain"
    assert not articles["b"].cover_image and "no image_alt" in err
    assert not articles["c"].cover_image and "is a URL" in err


def test_a_dry_run_writes_nothing():
    out, _ = import_markdown(SEED, "--dry-run")
    assert out.startswith("Dry run, nothing written: articles: 1 created")
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("Just markdown, no frontmatter.\n", "no YAML frontmatter"),
        ("---\ntitle: [unclosed\n---\nbody", "does not parse at line 3, column 1"),
        ("---\ndescription: No title here\n---\nbody", "no title"),
        ("---\n- a\n- b\n---\nbody", "must be 'key: value' lines"),
        ("---\ntitle: T\ndate: next tuesday\n---\n", "is not an ISO date"),
        ("---\ntitle: T\nslug: not a slug!\n---\n", "slug 'not a slug!'"),
        ("---\ntitle: " + "x" * 301 + "\n---\n", "title: Ensure this value"),
        ('---\ntitle: "a\\0b"\n---\n', "'title' holds a character text cannot"),
        ('---\ntitle: T\nauthor: "\\ud800"\n---\n', "'author' holds a character"),
    ],
)
def test_a_broken_file_is_named_with_its_problem_and_nothing_is_imported(
    tmp_path, content, expected
):
    good = write(tmp_path, "good.md", "---\ntitle: Good\n---\nFine.")
    bad = write(tmp_path, "bad.md", content)
    with pytest.raises(CommandError) as error:
        import_markdown(good, bad)
    assert f"{bad}: " in str(error.value) and expected in str(error.value)
    assert not Article.objects.exists()


def test_binary_junk_is_refused_by_name(tmp_path):
    junk = tmp_path / "photo.md"
    junk.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe\xfd")
    with pytest.raises(CommandError, match=r"photo\.md: not UTF-8 text"):
        import_markdown(junk)


def test_two_files_with_the_same_slug_are_refused(tmp_path):
    (tmp_path / "a").mkdir()
    shutil.copy(SEED, tmp_path / "a" / SEED.name)
    shutil.copy(SEED, tmp_path / SEED.name)
    with pytest.raises(CommandError, match="is also the slug of"):
        import_markdown(tmp_path)
    assert not Article.objects.exists()


def test_a_missing_path_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="no such file or folder"):
        import_markdown(tmp_path / "nope.md")
    with pytest.raises(CommandError, match="No .md or .markdown files"):
        import_markdown(tmp_path)
