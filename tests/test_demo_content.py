"""load_demo_content: the shipped demo data goes in once, and says the truth."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError

from articles.models import Article
from summits.models import Declaration, Signature
from tests.exchange_helpers import row_counts

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).parent / "data" / "demo" / "content.json"


def load(*args):
    out, err = StringIO(), StringIO()
    call_command("load_demo_content", *args, stdout=out, stderr=err, skip_checks=False)
    return out.getvalue(), err.getvalue()


# -- the loader, on a small file of our own --------------------------------


def test_the_loader_creates_then_reports_everything_unchanged():
    first, _ = load(str(FIXTURE))
    assert "signatories: 2 created" in first and "articles: 2 created" in first
    counts = row_counts()
    second, _ = load(str(FIXTURE))
    assert row_counts() == counts
    assert " 0 created, 0 updated" in second
    assert "created" not in second.replace("0 created", "")


def test_if_empty_loads_into_an_empty_site_and_then_never_again():
    # What `make run` does each time: an editor's change must survive it.
    out, _ = load(str(FIXTURE), "--if-empty")
    assert "articles: 2 created" in out
    article = Article.objects.order_by("pk").first()
    article.title = "An editor's better title"
    article.save()
    Declaration.objects.all().delete()
    Signature.objects.all().delete()

    out, _ = load(str(FIXTURE), "--if-empty")

    assert "already has content: demo content not loaded" in out
    article.refresh_from_db()
    assert article.title == "An editor's better title"
    assert not Declaration.objects.exists()


def test_the_loaders_dry_run_writes_nothing():
    before = row_counts()
    out, _ = load(str(FIXTURE), "--dry-run")
    assert out.startswith("Dry run, nothing written:")
    assert "summits: 1 created" in out
    assert row_counts() == before


def test_the_loader_copies_cover_images_beside_the_file_into_media():
    path = "covers/demo-fixture-cover.png"
    if default_storage.exists(path):
        default_storage.delete(path)
    out, err = load(str(FIXTURE))
    assert "media: copied 1 file(s)" in out
    assert "not in media storage" not in err
    assert default_storage.exists(path)
    article = Article.objects.get(slug="why-summits-matter")
    assert article.cover_image.name == path
    assert "media" not in load(str(FIXTURE))[0]  # already there: nothing to copy


def test_a_broken_demo_file_is_a_clear_error_and_loads_nothing(tmp_path):
    broken = tmp_path / "content.json"
    broken.write_text(FIXTURE.read_text().replace('"2023-11-02"', '"2023-02-30"', 1))
    before = row_counts()
    with pytest.raises(CommandError, match="is not a valid date"):
        load(str(broken))
    assert row_counts() == before


# -- the real demo content, exchange/demo/content.json ----------------------


def test_loading_the_demo_content_twice_changes_nothing_the_second_time():
    first, _ = load()
    counts = row_counts()
    assert counts["declarations"] > 0 and counts["signatures"] > 0
    second, _ = load()
    assert row_counts() == counts
    for line in second.splitlines()[1:]:
        if line.strip().startswith("media"):
            continue
        assert " 0 created, 0 updated," in line, line


@pytest.fixture(scope="class")
def demo_content(build_once):
    return build_once(load)


class TestTheShippedDemoContent:
    """Facts the demo content must tell truly: loaded once, read by each test."""

    def test_bletchley_has_28_countries_and_the_eu_each_with_a_source(
        self, demo_content
    ):
        bletchley = Declaration.objects.get(slug="bletchley-declaration")
        signatures = bletchley.signatures.select_related("signatory")
        assert signatures.count() == 29
        kinds = sorted(s.signatory.kind for s in signatures)
        assert kinds.count("country") == 28
        assert "european-union" in {s.signatory.slug for s in signatures}
        assert all(s.source_url for s in signatures)

    def test_the_frontier_ai_safety_commitments_have_16_company_signatures(
        self, demo_content
    ):
        commitments = Declaration.objects.get(slug="frontier-ai-safety-commitments")
        signatures = commitments.signatures.filter(signatory__kind="company")
        assert signatures.count() == 16

    def test_paris_records_the_us_and_uk_as_declined_and_is_only_partly_recorded(
        self, demo_content
    ):
        paris = Declaration.objects.get(slug="paris-statement-inclusive-sustainable-ai")
        declined = set(
            paris.signatures.filter(status=Signature.Status.DECLINED).values_list(
                "signatory__slug", flat=True
            )
        )
        assert {"united-states", "united-kingdom"} <= declined
        recorded = paris.signatures.filter(status=Signature.Status.SIGNED).count()
        assert paris.reported_signatory_count > recorded
        assert paris.reported_signatory_count > paris.signatures.count()

    def test_the_seoul_framework_commitment_is_assessed_only_where_sourced(
        self, demo_content, client
    ):
        """Three frameworks with a dated public source are "met"; every other
        company reads "no information", never "not met"."""
        from summits.models import Assessment

        met = Assessment.objects.public().filter(result="met")
        companies = sorted(a.signatory.slug for a in met)
        assert companies == ["anthropic", "google", "openai"]
        assert all(a.evidence.exists() for a in met)
        assert not Assessment.objects.filter(result="not_met").exists()
        page = client.get("/declarations/frontier-ai-safety-commitments/")
        text = page.content.decode()
        assert "<strong>3 of 16</strong> companies that signed" in text
        assert "; 13 no information." in text
