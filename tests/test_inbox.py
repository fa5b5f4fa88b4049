"""The press inbox: feeds and links in, relevance, duplicates, accept and dismiss."""

import datetime
import json
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.urls import reverse

from articles.models import Article
from core.models import Status
from inbox.importing import ImportRefused, Inbox, add_from_link, import_feed_source
from inbox.models import Feed, PressCandidate, normalise_url
from inbox.sources import Story
from tests.factories import (
    ArticleFactory,
    DeclarationFactory,
    SignatoryFactory,
    SignatureFactory,
    SummitFactory,
)
from tests.fetch_server import serve

pytestmark = pytest.mark.django_db

FEED = Path(__file__).parent / "data" / "news-feed.xml"
FEED_BYTES = FEED.read_bytes()

ARTICLE_PAGE = b"""<!doctype html><html><head>
<title>Fallback title | Example</title>
<meta property="og:title"
  content="Seoul summit: sixteen AI companies sign safety commitments">
<meta property="og:site_name" content="Example Times">
<meta property="og:description"
  content="Companies agreed to publish frontier AI safety frameworks.">
<meta property="og:image" content="https://img.example/seoul.jpg">
<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
  {"@type": "WebPage", "name": "x"},
  {"@type": "NewsArticle", "headline": "ignored: og:title wins",
   "datePublished": "2024-05-21T18:30:00+09:00",
   "author": [{"@type": "Person", "name": "Min-ji Park"}],
   "publisher": {"@type": "Organization", "name": "Example Times Group"}}]}
</script>
</head><body><p>Text.</p></body></html>"""

JSON_LD_ONLY_PAGE = b"""<html><head><title>Site | Only JSON-LD</title>
<script type="application/ld+json">
{"@type": "Article", "headline": "AI safety in Seoul",
 "datePublished": "2024-05-22", "author": {"name": "Ana Ruiz"},
 "publisher": {"name": "Ledger"}, "description": "Frontier AI firms agree.",
 "image": {"url": "https://img.example/a.png"}}</script></head><body></body></html>"""


@pytest.fixture
def records():
    """Our records that the seed story names: Bletchley and some signatories."""
    summit = SummitFactory(
        name="AI Safety Summit 2023",
        city="Bletchley",
        starts_on=datetime.date(2023, 11, 1),
        ends_on=datetime.date(2023, 11, 2),
    )
    declaration = DeclarationFactory(title="The Bletchley Declaration", summit=summit)
    for name in ["China", "United States", "United Kingdom", "Italy"]:
        SignatureFactory(declaration=declaration, signatory=SignatoryFactory(name=name))
    seoul = SummitFactory(name="AI Seoul Summit 2024", city="Seoul")
    return {"summit": summit, "declaration": declaration, "seoul": seoul}


def import_lines(*sources, **options):
    out, err = StringIO(), StringIO()
    call_command("import_feed", *sources, stdout=out, stderr=err, **options)
    return out.getvalue().splitlines(), err.getvalue()


class TestSeedFeed:
    def test_the_ai_story_is_kept_and_linked_to_bletchley(self, records):
        lines, _ = import_lines(str(FEED))
        kept = PressCandidate.objects.get(
            normalised_url__endswith="/bletchley-declaration"
        )
        assert set(kept.summits.all()) == {records["summit"]}
        assert set(kept.declarations.all()) == {records["declaration"]}
        assert kept.published_on == datetime.date(2023, 11, 1)
        assert kept.outlet == "Example News"
        assert kept.entry_id == "news-example-1001"
        assert kept.score >= 5
        line = next(line for line in lines if line.startswith("China and the US"))
        assert "kept (score" in line
        assert "declaration “The Bletchley Declaration”" in line

    def test_the_other_stories_and_the_balkans_summit_trap_are_skipped(self, records):
        lines, _ = import_lines(str(FEED))
        by_title = {line.split(": ")[0]: line for line in lines}
        balkans = by_title["Kosovo says it would help the UK with migrant returns"]
        assert "skipped (not relevant, score" in balkans
        for title in [
            "Met Police stops investigating non-crime hate incidents",
            'Crypto firms welcome "skinny" master accounts',
        ]:
            assert "skipped (not relevant" in by_title[title]
        assert not PressCandidate.objects.filter(title__startswith="Kosovo").exists()

    def test_entries_without_links_duplicates_and_dates(self, records):
        lines, _ = import_lines(str(FEED))
        assert any("skipped (no link)" in line for line in lines)
        assert any("skipped (duplicate: the same story twice" in line for line in lines)
        undated = PressCandidate.objects.get(title__startswith="AI safety institutes")
        assert undated.published_on is None
        assert lines[-1].endswith("2 kept, 5 skipped.")
        assert PressCandidate.objects.count() == 2

    def test_a_second_import_drops_everything_as_known(self, records):
        import_lines(str(FEED))
        lines, _ = import_lines(str(FEED))
        assert lines[-1].endswith("0 kept, 7 skipped.")
        assert any("duplicate: already in the inbox" in line for line in lines)

    def test_dry_run_saves_nothing(self, records):
        lines, _ = import_lines(str(FEED), dry_run=True)
        assert lines[-1].endswith("2 kept, 5 skipped.")
        assert not PressCandidate.objects.exists()

    def test_the_word_summit_alone_scores_nothing(self, records):
        result = Inbox().matcher.score("Leaders gather for a summit", "Summit talks.")
        assert result.score == 0 and not result.is_relevant

    def test_drafts_are_not_matched(self, records):
        DeclarationFactory(draft=True, title="Secret Accord on Compute")
        result = Inbox().matcher.score("The Secret Accord on Compute is signed")
        assert result.score == 0


class TestBadFeeds:
    def test_a_file_that_is_not_a_feed(self, tmp_path):
        path = tmp_path / "notes.txt"
        path.write_text("Just some notes, not XML at all.")
        with pytest.raises(CommandError):
            import_lines(str(path))
        assert not PressCandidate.objects.exists()

    def test_a_truncated_feed_saves_nothing(self, records, tmp_path):
        path = tmp_path / "cut.xml"
        path.write_bytes(FEED_BYTES[: len(FEED_BYTES) // 2])
        out, err = StringIO(), StringIO()
        with pytest.raises(CommandError):
            call_command("import_feed", str(path), stdout=out, stderr=err)
        assert "not a well-formed feed" in err.getvalue()
        assert not PressCandidate.objects.exists()

    def test_a_missing_file(self):
        with pytest.raises(ImportRefused, match="No such file"):
            import_feed_source("/nonexistent/feed.xml")

    def test_broken_json(self, tmp_path):
        path = tmp_path / "feed.json"
        path.write_text('{"version": "https://jsonfeed.org/version/1.1", "items": [')
        with pytest.raises(ImportRefused, match="not valid JSON"):
            import_feed_source(str(path))


class TestJsonFeedAndAtom:
    def test_a_json_feed(self, records, tmp_path):
        path = tmp_path / "feed.json"
        path.write_text(
            json.dumps(
                {
                    "version": "https://jsonfeed.org/version/1.1",
                    "title": "Wire",
                    "items": [
                        {
                            "id": "w1",
                            "url": "https://wire.example/seoul",
                            "title": "AI Seoul Summit 2024 ends with commitments",
                            "summary": "Frontier AI firms sign up.",
                            "date_published": "2024-05-22T10:00:00Z",
                            "authors": [{"name": "Kim"}],
                        },
                        {"id": "w2", "title": "No link here"},
                    ],
                }
            )
        )
        lines, _ = import_lines(str(path))
        candidate = PressCandidate.objects.get()
        assert candidate.outlet == "Wire" and candidate.author == "Kim"
        assert candidate.published_on == datetime.date(2024, 5, 22)
        assert list(candidate.summits.all()) == [records["seoul"]]
        assert "No link here: skipped (no link)" in lines

    def test_an_atom_feed(self, records, tmp_path):
        path = tmp_path / "atom.xml"
        path.write_text(
            '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">'
            "<title>Atom News</title><id>urn:a</id>"
            "<updated>2023-11-02T00:00:00Z</updated>"
            "<entry><title>Bletchley Declaration signed</title><id>urn:a:1</id>"
            '<link href="https://atom.example/b"/><updated>2023-11-02T00:00:00Z</updated>'
            "<summary>Frontier AI risks need cooperation.</summary></entry></feed>"
        )
        lines, _ = import_lines(str(path))
        assert "kept (score" in lines[0]
        assert PressCandidate.objects.get().published_on == datetime.date(2023, 11, 2)


class TestFromTheServer:
    def test_import_feed_reads_a_url_and_fetch_feeds_reads_the_list(self, records):
        routes = {
            "/feed.xml": (200, {"Content-Type": "application/rss+xml"}, FEED_BYTES)
        }
        with serve(routes) as (base, requests):
            lines, _ = import_lines(f"{base}/feed.xml")
            assert lines[-1].endswith("2 kept, 5 skipped.")
            assert requests[0][1]["User-Agent"].startswith("SummitWatch/1.0 (+http")

            feed = Feed.objects.create(name="Example", feed_url=f"{base}/feed.xml")
            Feed.objects.create(name="Gone", feed_url=f"{base}/missing.xml")
            Feed.objects.create(name="Off", feed_url=f"{base}/off.xml", active=False)
            out = StringIO()
            call_command("fetch_feeds", stdout=out, stderr=StringIO())
        feed.refresh_from_db()
        assert feed.last_fetched_at is not None and feed.last_error == ""
        gone = Feed.objects.get(name="Gone")
        assert "404" in gone.last_error
        assert Feed.objects.get(name="Off").last_fetched_at is None
        assert "Example: 0 kept, 7 skipped." in out.getvalue()

    def test_a_link_fills_outlet_title_date_author_lede_and_image(self, records):
        routes = {
            "/story": (302, {"Location": "/article"}, b""),
            "/article": (
                200,
                {"Content-Type": "text/html; charset=utf-8"},
                ARTICLE_PAGE,
            ),
        }
        with serve(routes) as (base, _):
            outcome = add_from_link(f"{base}/story")
        candidate = outcome.candidate
        assert outcome.kept
        assert (
            candidate.title
            == "Seoul summit: sixteen AI companies sign safety commitments"
        )
        assert candidate.outlet == "Example Times"
        assert candidate.author == "Min-ji Park"
        assert candidate.published_on == datetime.date(2024, 5, 21)
        assert (
            candidate.lede
            == "Companies agreed to publish frontier AI safety frameworks."
        )
        assert candidate.picture_url == "https://img.example/seoul.jpg"
        assert candidate.story_url == f"{base}/article"  # where the redirect led

    def test_json_ld_alone_is_enough(self, records):
        routes = {"/a": (200, {"Content-Type": "text/html"}, JSON_LD_ONLY_PAGE)}
        with serve(routes) as (base, _):
            candidate = add_from_link(f"{base}/a").candidate
        assert candidate.title == "AI safety in Seoul"  # the headline, not <title>
        assert candidate.author == "Ana Ruiz" and candidate.outlet == "Ledger"
        assert candidate.published_on == datetime.date(2024, 5, 22)
        assert candidate.picture_url == "https://img.example/a.png"

    def test_a_link_that_is_not_a_page(self):
        routes = {"/img": (200, {"Content-Type": "image/png"}, b"\x89PNG....")}
        with (
            serve(routes) as (base, _),
            pytest.raises(ImportRefused, match="not a web page"),
        ):
            add_from_link(f"{base}/img")
        assert not PressCandidate.objects.exists()


def staff(django_user_model, group):
    user = django_user_model.objects.create_user(
        username=group.lower(), password="pw", is_staff=True
    )
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor_client(client, django_user_model):
    client.force_login(staff(django_user_model, "Editors"))
    return client


def candidate_for(records, **extra):
    candidate = PressCandidate.objects.create(
        title="China and the US back the Bletchley Declaration",
        story_url="https://news.example/tech/bletchley?utm_source=x",
        outlet="Example News",
        author="Tech desk",
        published_on=datetime.date(2023, 11, 1),
        lede="Twenty-eight countries endorsed it.",
        score=15,
        matched="declaration “The Bletchley Declaration”",
        **extra,
    )
    candidate.summits.set([records["summit"]])
    candidate.declarations.set([records["declaration"]])
    return candidate


class TestInboxAdmin:
    def test_the_inbox_lists_new_candidates_with_score_and_records(
        self, records, editor_client
    ):
        candidate_for(records)
        PressCandidate.objects.create(
            title="Old dismissed",
            story_url="https://x.example/1",
            decision="dismissed",
        )
        html = editor_client.get(
            reverse("admin:inbox_presscandidate_changelist")
        ).content
        html = html.decode()
        assert "China and the US back the Bletchley Declaration" in html
        assert "Old dismissed" not in html
        assert "declaration “The Bletchley Declaration”" in html
        assert "summit “AI Safety Summit 2023”" in html
        assert 'form="inbox-decide"' in html

    def test_accept_makes_a_draft_press_item_and_opens_it(self, records, editor_client):
        candidate = candidate_for(records)
        response = editor_client.post(
            reverse("admin:inbox_presscandidate_accept", args=[candidate.pk])
        )
        article = Article.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse(
            "admin:articles_article_change", args=[article.pk]
        )
        assert article.kind == Article.Kind.PRESS and article.status == Status.DRAFT
        assert article.outlet == "Example News"
        assert article.original_url == candidate.story_url
        assert article.original_published_on == datetime.date(2023, 11, 1)
        assert article.lede == "Twenty-eight countries endorsed it."
        assert list(article.summits.all()) == [records["summit"]]
        assert list(article.declarations.all()) == [records["declaration"]]
        candidate.refresh_from_db()
        assert candidate.decision == "accepted" and candidate.article == article
        from reversion.models import Version

        (version,) = Version.objects.get_for_object(article)
        assert version.revision.user.username == "editors"
        assert version.field_dict["declarations"] == [records["declaration"].pk]
        # Accepting twice makes no second item.
        editor_client.post(
            reverse("admin:inbox_presscandidate_accept", args=[candidate.pk])
        )
        assert Article.objects.count() == 1

    def test_dismissed_stories_never_come_back(self, records, editor_client, tmp_path):
        import_lines(str(FEED))
        kept = PressCandidate.objects.get(
            normalised_url__endswith="/bletchley-declaration"
        )
        editor_client.post(
            reverse("admin:inbox_presscandidate_dismiss", args=[kept.pk])
        )
        kept.refresh_from_db()
        assert kept.decision == "dismissed"
        lines, _ = import_lines(str(FEED))
        assert any("skipped (dismissed before)" in line for line in lines)

    def test_a_story_already_written_up_is_not_suggested(self, records):
        ArticleFactory(
            kind=Article.Kind.PRESS,
            original_url="https://news.example/tech/bletchley-declaration/",
        )
        lines, _ = import_lines(str(FEED))
        assert any("duplicate: already a press item" in line for line in lines)

    def test_add_from_a_link_in_the_admin(self, records, editor_client):
        routes = {"/article": (200, {"Content-Type": "text/html"}, ARTICLE_PAGE)}
        url = reverse("admin:inbox_presscandidate_add_link")
        with serve(routes) as (base, _):
            response = editor_client.post(url, {"url": f"{base}/article"}, follow=True)
            assert "Added “Seoul summit" in response.content.decode()
            again = editor_client.post(url, {"url": f"{base}/article"}, follow=True)
        assert "Nothing was added" in again.content.decode()
        assert PressCandidate.objects.count() == 1

    @pytest.mark.parametrize(
        ("pasted", "message"),
        [
            ("", "Paste the address of an article first."),
            ("ftp://files.example/a", "Only http:// and https://"),
            ("http://10.0.0.1/admin", "private, local or reserved"),
            ("not a url", "Only http:// and https://"),
        ],
    )
    def test_bad_links_get_a_clear_message(self, editor_client, pasted, message):
        response = editor_client.post(
            reverse("admin:inbox_presscandidate_add_link"), {"url": pasted}, follow=True
        )
        assert response.status_code == 200
        assert message in response.content.decode()
        assert not PressCandidate.objects.exists()

    def test_accept_and_dismiss_answer_post_only(self, records, editor_client):
        candidate = candidate_for(records)
        url = reverse("admin:inbox_presscandidate_accept", args=[candidate.pk])
        assert editor_client.get(url).status_code == 405
        assert not Article.objects.exists()

    def test_the_dashboard_counts_the_inbox(self, records, editor_client):
        candidate_for(records)
        html = editor_client.get(reverse("admin:index")).content.decode()
        assert "Press inbox: 1" in html


def test_normalised_urls():
    assert normalise_url(
        "HTTPS://News.Example:443/a/b/?utm_source=x&id=3&UTM_Medium=y#top"
    ) == normalise_url("https://news.example/a/b?id=3")


def test_a_story_with_a_non_web_link_is_skipped(records):
    outcome = Inbox().consider(
        Story(title="Bletchley Declaration", url="javascript:alert(1)")
    )
    assert not outcome.kept and "not a web address" in outcome.reason


def test_other_names_count_for_their_signatory_and_us_is_not_the_us(records):
    from summits.models import Signatory, SignatoryAlias

    united_states = Signatory.objects.get(name="United States")
    SignatoryAlias.objects.create(signatory=united_states, name="US")
    SignatoryAlias.objects.create(
        signatory=Signatory.objects.get(name="China"), name="Volksrepublik China"
    )
    matcher = Inbox().matcher
    assert matcher.score("Talks with us went well").score == 0
    result = matcher.score("The US and the Volksrepublik China talk")
    assert result.score == 2
    assert "signatories United States, China" in result.describe() or (
        "signatories China, United States" in result.describe()
    )
    # Its own name and an other name in one story count once.
    assert matcher.score("United States (US)").score == 1


def test_a_series_name_scores(records):
    from summits.models import Series

    series = Series.objects.create(name="AI Safety Summit series")
    records["summit"].series = series
    records["summit"].save()
    result = Inbox().matcher.score("The next AI Safety Summit series meeting")
    assert "series “AI Safety Summit series”" in result.describe()


def test_a_huge_feed_file_is_refused_whole(records, tmp_path, settings):
    settings.FETCH_MAX_BYTES = len(FEED_BYTES) - 1
    path = tmp_path / "huge.xml"
    path.write_bytes(FEED_BYTES)
    with pytest.raises(ImportRefused, match="too large"):
        import_feed_source(str(path))
    assert not PressCandidate.objects.exists()


def test_a_huge_feed_url_is_refused_whole(records, settings):
    settings.FETCH_MAX_BYTES = 1000
    routes = {"/feed.xml": (200, {"Content-Type": "application/rss+xml"}, FEED_BYTES)}
    with serve(routes) as (base, _):
        out, err = StringIO(), StringIO()
        with pytest.raises(CommandError):
            call_command("import_feed", f"{base}/feed.xml", stdout=out, stderr=err)
    assert "too large" in err.getvalue()
    assert not PressCandidate.objects.exists()
