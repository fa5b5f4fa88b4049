"""Pages built from cached fragments show every edit on the next request.

The page cache is off here, so each request renders the page and its
fragments come from the fragment cache (core/fragments.py). Each story
visits a page (filling the cache), checks that a second visit is answered
from the cache, makes one edit as the admin would (a plain save or delete,
which bumps only its own table's version: factories batch their saves and
would bump every table, hiding a fragment keyed by too few tables), and
checks that the next visit shows it.
"""

import datetime

import pytest
import reversion
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article
from core.cache import bump_content_version
from core.models import Status
from pages.models import Menu, Page
from summits.models import (
    Assessment,
    Declaration,
    GroupMembership,
    Result,
    Signatory,
    SignatoryAlias,
    Signature,
    Summit,
)
from tests.factories import (
    ArticleFactory,
    CommitmentFactory,
    DeclarationFactory,
    GroupFactory,
    PageFactory,
    SignatureFactory,
    SummitFactory,
)

pytestmark = [pytest.mark.cache, pytest.mark.django_db]

ARTICLES = "/articles/"
HOME = "/"


@pytest.fixture(autouse=True)
def fragments_only(settings):
    settings.PAGE_CACHE_ENABLED = False
    settings.FRAGMENT_CACHE_ENABLED = True


def visit(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def queries_of(client, url):
    with CaptureQueriesContext(connection) as captured:
        visit(client, url)
    return len(captured.captured_queries)


def cached(client, url):
    """Visit twice; the second visit must come from the fragment cache."""
    first = visit(client, url)
    assert queries_of(client, url) == 0, f"{url} was not served from fragments"
    return first


NOON = datetime.datetime(2025, 2, 10, 12, 0, tzinfo=datetime.UTC)
SOON = NOON + datetime.timedelta(minutes=2)  # well inside any cache timeout


def goes_live_by_the_clock(url, make, shown):
    """At noon, `make(SOON)` builds content with something scheduled for
    SOON; `shown` (a string of the page) must appear once SOON has passed,
    without any save: only the next publication being part of the key can
    change what the cached page says."""
    with time_machine.travel(NOON, tick=False):
        make(SOON)
        client = Client()
        assert shown not in cached(client, url)
    with time_machine.travel(SOON + datetime.timedelta(seconds=1)):
        assert shown in visit(client, url)


# --- the menus of every page -------------------------------------------------


def test_a_page_added_to_a_menu_shows_in_header_and_footer(client):
    PageFactory(title="About us", menu=Menu.NONE)
    cached(client, ARTICLES)

    about = Page.objects.get(title="About us")
    about.menu = Menu.FOOTER
    about.save()
    methodology = PageFactory.build(title="Methodology", menu=Menu.HEADER)
    methodology.save()

    html = visit(client, ARTICLES)
    header, footer = html.split("<main", 1)[0], html.split("</main>", 1)[1]
    assert "Methodology" in header and "About us" not in header
    assert "About us" in footer


# --- the article list --------------------------------------------------------


def test_the_article_list_is_answered_without_a_query(client):
    ArticleFactory.create_batch(3)
    miss = queries_of(client, ARTICLES)
    # The public summits (the filter), the count, the page and the menus.
    assert miss == 4
    assert queries_of(client, ARTICLES) == 0


def test_an_article_published_shows_on_the_next_request(client):
    ArticleFactory(title="Older news")
    cached(client, ARTICLES)

    Article.objects.create(
        title="Breaking: Paris statement",
        slug="breaking",
        status=Status.PUBLISHED,
        published_at=timezone.now(),
    )

    html = visit(client, ARTICLES)
    assert "Breaking: Paris statement" in html
    assert "2 items" in html


def test_an_article_renamed_or_unpublished_shows_on_the_next_request(client):
    ArticleFactory(title="Keeps its place")
    article = ArticleFactory(title="Headline with a typo")
    cached(client, ARTICLES)

    article.title = "Headline, corrected"
    article.save()
    assert "Headline, corrected" in visit(client, ARTICLES)

    article.status = Status.DRAFT
    article.save()
    html = visit(client, ARTICLES)
    assert "Headline, corrected" not in html
    assert "Keeps its place" in html


def test_a_summit_renamed_shows_in_the_filtered_list_and_its_title(client):
    summit = SummitFactory(name="Seoul Summit")
    ArticleFactory().summits.add(summit)
    url = f"{ARTICLES}?summit={summit.slug}"
    cached(client, url)

    summit.name = "AI Seoul Summit"
    summit.save()

    html = visit(client, url)
    assert "<title>Articles on AI Seoul Summit" in html
    assert "<h1>Articles on AI Seoul Summit</h1>" in html


def test_a_scheduled_article_goes_live_by_the_clock():
    def make(soon):
        ArticleFactory(title="Already out")
        ArticleFactory(title="Paris summit opens", published_at=soon)

    goes_live_by_the_clock(ARTICLES, make, "Paris summit opens")


def test_pages_of_the_list_keep_only_the_filters_understood(client):
    ArticleFactory.create_batch(21, kind=Article.Kind.POST)
    visit(client, f"{ARTICLES}?kind=post&utm_source=someone")

    html = visit(client, f"{ARTICLES}?kind=post")

    assert "?kind=post&amp;page=2" in html
    assert "utm_source" not in html


# --- the home page -----------------------------------------------------------


def test_the_home_page_is_answered_without_a_query(client):
    SignatureFactory(status=Signature.Status.DECLINED)
    ArticleFactory()
    visit(client, HOME)
    assert queries_of(client, HOME) == 0


def test_a_signature_recorded_shows_in_the_figures_and_the_timeline(client):
    declaration = DeclarationFactory(title="Seoul Declaration")
    SignatureFactory(declaration=declaration)
    html = cached(client, HOME)
    assert "1 signed" in html

    Signature.objects.create(
        declaration=declaration,
        signatory=Signatory.objects.create(name="Kenya"),
        status=Signature.Status.DECLINED,
        declined_on=datetime.date(2024, 5, 22),
        source_url="https://example.org/kenya",
    )

    html = visit(client, HOME)
    assert "1 signed, 1 declined" in html
    assert "<dt>Refusals</dt><dd>1</dd>" in html
    assert "Kenya</a> declined" in html


def test_a_signatory_renamed_shows_among_the_refusals(client):
    signature = SignatureFactory(
        status=Signature.Status.DECLINED, signatory__name="Turkey"
    )
    assert "Turkey</a> declined" in cached(client, HOME)

    signatory = signature.signatory
    signatory.name = "Türkiye"
    signatory.save()

    assert "Türkiye</a> declined" in visit(client, HOME)


def test_an_article_published_shows_in_the_news(client):
    ArticleFactory(title="Last week")
    cached(client, HOME)

    Article.objects.create(
        title="This morning",
        slug="this-morning",
        status=Status.PUBLISHED,
        published_at=timezone.now(),
    )

    assert "This morning" in visit(client, HOME)


def test_the_next_summit_is_under_way_the_next_day_without_any_edit():
    # Two minutes before midnight, well inside any cache timeout: only the
    # day being part of the key can change what the page says.
    eve = datetime.datetime(2025, 2, 9, 23, 58, tzinfo=datetime.UTC)
    with time_machine.travel(eve, tick=False):
        SummitFactory(
            name="AI Action Summit",
            starts_on=datetime.date(2025, 2, 10),
            ends_on=datetime.date(2025, 2, 11),
        )
        client = Client()
        assert "Next summit" in cached(client, HOME)

    with time_machine.travel(eve + datetime.timedelta(minutes=3), tick=False):
        html = visit(client, HOME)
        assert "Under way" in html and "Next summit" not in html


def test_a_scheduled_summit_joins_the_timeline_by_the_clock():
    def make(soon):
        SummitFactory(name="Bletchley Park")
        SummitFactory(name="Paris Action Summit", published_at=soon)

    goes_live_by_the_clock(HOME, make, "Paris Action Summit")


def declaration_with_positions():
    declaration = DeclarationFactory(title="Bletchley Declaration")
    SignatureFactory(declaration=declaration, signatory__name="France")
    SignatureFactory(
        declaration=declaration,
        signatory__name="Kenya",
        status=Signature.Status.DECLINED,
    )
    return declaration


def test_a_declaration_page_is_answered_without_a_query(client):
    declaration = declaration_with_positions()
    url = declaration.get_absolute_url()
    visit(client, url)
    # The declaration itself, its tables, articles and citation: all cached.
    assert queries_of(client, url) == 0


def test_a_signature_added_removed_and_edited_shows_on_the_declaration(client):
    declaration = declaration_with_positions()
    url = declaration.get_absolute_url()
    cached(client, url)

    japan = Signature.objects.create(
        declaration=declaration,
        signatory=Signatory.objects.create(name="Japan"),
        status=Signature.Status.SIGNED,
        signed_on=datetime.date(2023, 11, 1),
        source_url="https://example.org/japan",
    )
    html = visit(client, url)
    assert ">Japan</a>" in html
    assert "2 signed" in html

    japan.status = Signature.Status.DECLINED
    japan.signed_on = None
    japan.declined_on = datetime.date(2023, 11, 2)
    japan.save()
    html = visit(client, url)
    declined_table = html[html.index("status--declined") :]
    assert ">Japan</a>" in declined_table
    assert "1 signed" in html

    japan.delete()
    assert ">Japan</a>" not in visit(client, url)


def test_a_signatory_renamed_shows_on_the_declaration(client):
    declaration = declaration_with_positions()
    url = declaration.get_absolute_url()
    cached(client, url)

    kenya = Signatory.objects.get(name="Kenya")
    kenya.name = "Republic of Kenya"
    kenya.save()

    assert ">Republic of Kenya</a>" in visit(client, url)


def test_the_declaration_edited_shows_in_its_head_and_body(client):
    declaration = declaration_with_positions()
    url = declaration.get_absolute_url()
    cached(client, url)

    declaration.summary = "A shared understanding of frontier AI risks."
    declaration.save()

    html = visit(client, url)
    assert '<meta property="og:description" content="1 signed. A shared' in html
    assert '<p class="lede">A shared understanding' in html


def test_its_summit_is_linked_once_the_summit_goes_live_by_the_clock():
    slug = "seoul-declaration"

    def make(soon):
        summit = SummitFactory(name="AI Action Summit", published_at=soon)
        DeclarationFactory(summit=summit, slug=slug)

    goes_live_by_the_clock(f"/declarations/{slug}/", make, ">AI Action Summit</a>")


def test_an_article_about_the_declaration_shows_once_published(client):
    declaration = declaration_with_positions()
    url = declaration.get_absolute_url()
    cached(client, url)

    article = Article.objects.create(
        title="What Bletchley changed",
        slug="what-bletchley-changed",
        status=Status.PUBLISHED,
        published_at=timezone.now(),
    )
    article.declarations.add(declaration)

    assert "What Bletchley changed" in visit(client, url)


def test_an_assessment_published_or_changed_shows_in_the_scorecard(client):
    declaration = DeclarationFactory(kind="commitments")
    anthropic = SignatureFactory(
        declaration=declaration, signatory__name="Anthropic"
    ).signatory
    commitment = CommitmentFactory(declaration=declaration, title="Publish a plan")
    url = declaration.get_absolute_url()
    assert "result--not_assessed" in cached(client, url)

    assessment = Assessment.objects.create(
        commitment=commitment,
        signatory=anthropic,
        result=Result.MET,
        assessed_on=datetime.date(2025, 2, 3),
        status=Status.PUBLISHED,
        published_at=timezone.now(),
    )
    assert "result--met" in visit(client, url)

    assessment.result = Result.NOT_MET
    assessment.save()
    assert "result--not_met" in visit(client, url)


def test_a_revision_recorded_without_a_save_moves_last_updated(client):
    """Bulk-adding signatures records a revision of the declaration without
    saving it (editorial.admin.HistoryAdminMixin.log_change)."""
    declaration = declaration_with_positions()
    url = declaration.get_absolute_url()
    long_ago = timezone.now() - datetime.timedelta(days=400)
    Declaration.objects.filter(pk=declaration.pk).update(updated_at=long_ago)
    bump_content_version()
    assert f"{long_ago:%B %Y}</time>" in cached(client, url)

    with reversion.create_revision():
        reversion.add_to_revision(declaration)

    html = visit(client, url)
    assert f"{timezone.localdate():%B %Y}</time>" in html


def test_each_order_and_filter_of_the_tables_is_its_own_fragment(client):
    declaration = declaration_with_positions()
    url = declaration.get_absolute_url()
    cached(client, url)

    only_declined = visit(client, f"{url}?status=declined")
    by_name_down = visit(client, f"{url}?sort=-name")

    assert ">France</a>" not in only_declined.split('id="signatories"')[1]
    after = by_name_down.split('id="signatories"')[1]
    assert after.index(">Kenya</a>") < after.index(">France</a>") or (
        "status--declined" in after  # one table per status, each sorted
    )


# --- a signatory's record ----------------------------------------------------


def test_a_signatory_page_is_answered_without_a_query(client):
    signature = SignatureFactory(signatory__name="France")
    url = signature.signatory.get_absolute_url()
    visit(client, url)
    assert queries_of(client, url) == 0


def test_a_signatory_renamed_or_given_another_name_shows_on_its_record(client):
    signatory = SignatureFactory(signatory__name="Turkey").signatory
    url = signatory.get_absolute_url()
    cached(client, url)

    SignatoryAlias.objects.create(signatory=signatory, name="Türkei")
    assert "Türkei" in visit(client, url)

    signatory.name = "Türkiye"
    signatory.save()
    html = visit(client, url)
    assert "<h1>Türkiye</h1>" in html
    assert "<title>Türkiye:" in html


def test_a_position_and_a_renamed_declaration_show_on_the_record(client):
    signatory = SignatureFactory(
        signatory__name="France", declaration__title="Bletchley"
    ).signatory
    url = signatory.get_absolute_url()
    cached(client, url)

    seoul = DeclarationFactory.build(
        title="Seoul Declaration",
        summit=Summit.objects.get(),
        slug="seoul-declaration",
    )
    seoul.save()
    Signature.objects.create(
        declaration=seoul,
        signatory=signatory,
        status=Signature.Status.SIGNED,
        source_url="https://example.org/seoul",
    )
    assert ">Seoul Declaration</a>" in visit(client, url)

    seoul.title = "Seoul Declaration for Safe AI"
    seoul.save()
    assert ">Seoul Declaration for Safe AI</a>" in visit(client, url)


def test_a_membership_shows_on_the_record(client):
    signatory = SignatureFactory(signatory__name="France").signatory
    group = GroupFactory(name="G7")
    url = signatory.get_absolute_url()
    cached(client, url)

    GroupMembership.objects.create(group=group, signatory=signatory)

    assert ">G7</a>" in visit(client, url)


# --- the compare matrix ------------------------------------------------------

COMPARE = "/declarations/compare/"


def test_the_matrix_is_answered_without_a_query(client):
    declaration_with_positions()
    visit(client, COMPARE)
    assert queries_of(client, COMPARE) == 0


def test_a_position_recorded_or_removed_shows_in_the_matrix(client):
    declaration = declaration_with_positions()
    cached(client, COMPARE)

    india = Signature.objects.create(
        declaration=declaration,
        signatory=Signatory.objects.create(name="India"),
        status=Signature.Status.WITHDRAWN,
        source_url="https://example.org/india",
    )
    html = visit(client, COMPARE)
    row = html[html.index(">India</a>") :].split("</tr>")[0]
    assert '<span class="w">Withdrawn</span>' in row

    india.delete()
    assert ">India</a>" not in visit(client, COMPARE)


def test_a_signatory_renamed_shows_in_the_matrix(client):
    declaration_with_positions()
    cached(client, COMPARE)

    france = Signatory.objects.get(name="France")
    france.name = "French Republic"
    france.save()

    assert ">French Republic</a>" in visit(client, COMPARE)


def test_a_scheduled_declaration_joins_the_matrix_by_the_clock():
    def make(soon):
        declaration_with_positions()
        paris = DeclarationFactory(title="Paris Statement", published_at=soon)
        france = Signatory.objects.get(name="France")
        SignatureFactory(declaration=paris, signatory=france)

    goes_live_by_the_clock(COMPARE, make, ">Paris Statement</a>")
