"""The public summit, declaration and signatory pages, as a visitor meets them."""

import datetime

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.cache import bump_content_version
from summits.models import Signatory, Signature
from tests.factories import (
    ArticleFactory,
    DeclarationFactory,
    SignatoryFactory,
    SignatureFactory,
    SummitFactory,
)

pytestmark = pytest.mark.django_db

SIGNED = Signature.Status.SIGNED
DECLINED = Signature.Status.DECLINED
WITHDRAWN = Signature.Status.WITHDRAWN


def get_ok(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def get_not_found(client, url):
    """The site's own not-found page, and its HTML to check for leaks."""
    response = client.get(url)
    assert response.status_code == 404, url
    html = response.content.decode()
    assert "We can’t find that page" in html
    return html


# ---------------------------------------------------------------- summits


def test_summit_list_shows_published_summits_and_never_drafts_or_scheduled(client):
    SummitFactory(name="Seoul AI Summit", city="Seoul", host_country="KR")
    SummitFactory(name="Secret Draft Summit", draft=True)
    SummitFactory(name="Scheduled Future Summit", scheduled=True)

    html = get_ok(client, reverse("summits:summit_list"))

    assert "Seoul AI Summit" in html
    assert "Seoul, South Korea" in html
    assert "Secret Draft Summit" not in html
    assert "Scheduled Future Summit" not in html


def test_summit_list_names_only_published_declarations(client):
    summit = SummitFactory()
    DeclarationFactory(summit=summit, title="Seoul Declaration")
    DeclarationFactory(summit=summit, title="Unfinished Draft Text", draft=True)

    html = get_ok(client, reverse("summits:summit_list"))

    assert "Seoul Declaration" in html
    assert "Unfinished Draft Text" not in html


def test_summit_page_shows_dates_place_organiser_body_and_website(client):
    summit = SummitFactory(
        name="AI Action Summit",
        starts_on=datetime.date(2025, 2, 10),
        ends_on=datetime.date(2025, 2, 11),
        city="Paris",
        venue="Grand Palais",
        host_country="FR",
        organiser="Government of France",
        summary="Heads of state met in Paris.",
        body="The summit **met** at the Grand Palais.",
        website="https://www.elysee.fr/sommet-ia",
    )

    html = get_ok(client, summit.get_absolute_url())

    assert "<h1>AI Action Summit</h1>" in html
    assert "10–11 February 2025" in html
    assert "Grand Palais, Paris, France" in html
    assert "Government of France" in html
    assert "<strong>met</strong>" in html
    assert 'href="https://www.elysee.fr/sommet-ia"' in html


def test_summit_page_counts_signed_and_declined_per_published_declaration(client):
    summit = SummitFactory()
    declaration = DeclarationFactory(summit=summit, title="Paris Statement")
    for _ in range(3):
        SignatureFactory(declaration=declaration, status=SIGNED)
    SignatureFactory(declaration=declaration, status=DECLINED)
    draft = DeclarationFactory(summit=summit, title="Draft Communique", draft=True)
    SignatureFactory(declaration=draft)

    response = client.get(summit.get_absolute_url())

    (row,) = response.context["declarations"]
    assert (row.title, row.signed_count, row.declined_count) == (
        "Paris Statement",
        3,
        1,
    )
    assert "Draft Communique" not in response.content.decode()


def test_summit_page_lists_only_published_related_articles(client):
    summit = SummitFactory()
    ArticleFactory(title="What Seoul agreed").summits.add(summit)
    ArticleFactory(title="Unpublished analysis", draft=True).summits.add(summit)
    ArticleFactory(title="Embargoed piece", scheduled=True).summits.add(summit)

    html = get_ok(client, summit.get_absolute_url())

    assert "What Seoul agreed" in html
    assert "Unpublished analysis" not in html
    assert "Embargoed piece" not in html


@pytest.mark.parametrize("state", ["draft", "scheduled"])
def test_a_summit_that_is_not_published_is_not_found(client, state):
    summit = SummitFactory(name="Unannounced Summit", **{state: True})
    assert "Unannounced" not in get_not_found(client, summit.get_absolute_url())


# ---------------------------------------------------------------- declarations


def test_declaration_list_shows_published_declarations_with_counts(client):
    declaration = DeclarationFactory(title="Bletchley Declaration")
    SignatureFactory.create_batch(2, declaration=declaration)
    SignatureFactory(declaration=declaration, status=DECLINED)
    DeclarationFactory(title="Draft Declaration", draft=True)
    DeclarationFactory(title="Scheduled Declaration", scheduled=True)

    response = client.get(reverse("summits:declaration_list"))
    html = response.content.decode()

    assert "Bletchley Declaration" in html
    assert "Draft Declaration" not in html
    assert "Scheduled Declaration" not in html
    (row,) = response.context["declarations"]
    assert (row.signed_count, row.declined_count) == (2, 1)


def test_declarations_are_listed_newest_first_on_the_list_and_summit_pages(client):
    # Created out of order, each with signatures: the counts are an aggregate,
    # and Django drops Meta.ordering from aggregated queries.
    summit = SummitFactory()
    for title, year in [("Middle", 2001), ("Newest", 2024), ("Oldest", 1987)]:
        declaration = DeclarationFactory(
            title=title, summit=summit, adopted_on=datetime.date(year, 5, 1)
        )
        SignatureFactory(declaration=declaration)
    for url in (reverse("summits:declaration_list"), summit.get_absolute_url()):
        titles = [d.title for d in client.get(url).context["declarations"]]
        assert titles == ["Newest", "Middle", "Oldest"], url


def test_declaration_list_links_its_summit_only_when_the_summit_is_public(client):
    DeclarationFactory(title="Public one", summit=SummitFactory(name="Open Summit"))
    DeclarationFactory(
        title="Orphan", summit=SummitFactory(name="Hidden Summit", draft=True)
    )

    html = get_ok(client, reverse("summits:declaration_list"))

    assert "Open Summit" in html
    assert "Hidden Summit" not in html


def test_declaration_page_shows_its_facts_text_and_source(client):
    summit = SummitFactory(name="Council of Europe meeting")
    declaration = DeclarationFactory(
        title="Framework Convention on AI",
        summit=summit,
        kind="treaty",
        binding=True,
        adopted_on=datetime.date(2024, 5, 17),
        summary="The first binding international treaty on AI.",
        text="Parties **shall** adopt measures.",
        source_url="https://www.coe.int/convention",
    )

    html = get_ok(client, declaration.get_absolute_url())

    assert "<h1>Framework Convention on AI</h1>" in html
    assert "Treaty" in html
    assert "<dt>Legally binding</dt>\n    <dd>Yes</dd>" in html
    assert "17 May 2024" in html
    assert "The first binding international treaty on AI." in html
    assert "<strong>shall</strong>" in html
    assert 'href="https://www.coe.int/convention"' in html
    assert f'href="{summit.get_absolute_url()}"' in html


def test_declaration_page_groups_signatories_by_status_with_dates_and_sources(
    client,
):
    declaration = DeclarationFactory(kind="treaty")
    uk = SignatoryFactory(name="United Kingdom")
    SignatureFactory(
        declaration=declaration,
        signatory=uk,
        signed_on=datetime.date(2024, 9, 5),
        ratified_on=datetime.date(2025, 1, 2),
        source_url="https://gov.uk/signed",
    )
    SignatureFactory(
        declaration=declaration,
        signatory=SignatoryFactory(name="United States"),
        status=DECLINED,
        source_url="https://example.org/us-declined",
    )
    SignatureFactory(
        declaration=declaration,
        signatory=SignatoryFactory(name="Ruritania"),
        status=WITHDRAWN,
    )

    response = client.get(declaration.get_absolute_url())
    html = response.content.decode()

    groups = {
        status: [s.signatory.name for s in rows]
        for status, rows in response.context["record"].signature_groups
    }
    assert groups == {
        SIGNED: ["United Kingdom"],
        DECLINED: ["United States"],
        WITHDRAWN: ["Ruritania"],
        Signature.Status.ATTENDED: [],
        Signature.Status.UNKNOWN: [],
    }
    # Signed comes before declined, before withdrawn, each with words not
    # only colour.
    assert html.index("Signed</span> by 1") < html.index("Declined</span> by 1")
    assert "Withdrawn</span> by 1" in html
    assert "5 Sep 2024" in html
    assert "2 Jan 2025" in html  # ratification column, since there is one
    assert 'href="https://gov.uk/signed"' in html
    assert 'href="https://example.org/us-declined"' in html
    assert f'href="{uk.get_absolute_url()}"' in html


def test_declaration_page_says_n_of_m_recorded_when_only_part_is_known(client):
    declaration = DeclarationFactory(reported_signatory_count=27)
    SignatureFactory.create_batch(12, declaration=declaration)

    html = get_ok(client, declaration.get_absolute_url())

    assert "12 of about 27 recorded" in html


def test_declaration_page_hides_n_of_m_when_all_reported_are_recorded(client):
    declaration = DeclarationFactory(reported_signatory_count=2)
    SignatureFactory.create_batch(2, declaration=declaration)

    html = get_ok(client, declaration.get_absolute_url())

    assert "of 2 recorded" not in html


def test_a_declaration_without_recorded_positions_offers_no_empty_downloads(client):
    treaty = DeclarationFactory(title="Montreal Protocol", summit=None)
    html = get_ok(client, treaty.get_absolute_url())
    assert "No positions on this declaration have been recorded yet." in html
    assert "None recorded yet" in html
    assert "signatories.csv" not in html
    assert "compare matrix" not in html


def test_declaration_page_hides_a_summit_that_is_not_published(client):
    summit = SummitFactory(name="Still Secret Summit", draft=True)
    declaration = DeclarationFactory(summit=summit)

    html = get_ok(client, declaration.get_absolute_url())

    assert "Still Secret Summit" not in html
    assert summit.get_absolute_url() not in html


def test_declaration_page_lists_only_published_related_articles(client):
    declaration = DeclarationFactory()
    ArticleFactory(title="Why it matters").declarations.add(declaration)
    ArticleFactory(title="Half-written", draft=True).declarations.add(declaration)

    html = get_ok(client, declaration.get_absolute_url())

    assert "Why it matters" in html
    assert "Half-written" not in html


@pytest.mark.parametrize("state", ["draft", "scheduled"])
def test_a_declaration_that_is_not_published_is_not_found(client, state):
    declaration = DeclarationFactory(title="Unsigned Accord", **{state: True})
    html = get_not_found(client, declaration.get_absolute_url())
    assert "Unsigned Accord" not in html


# ---------------------------------------------------------------- preview


def test_staff_preview_shows_a_draft_declaration_with_a_banner_never_cached(
    staff_client,
):
    declaration = DeclarationFactory(title="Work in progress", draft=True)

    response = staff_client.get(declaration.get_absolute_url() + "?preview=1")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Work in progress" in html
    assert "Preview — not published" in html
    assert "no-cache" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]


def test_staff_preview_of_a_draft_summit_shows_the_banner(staff_client):
    summit = SummitFactory(name="Planned Summit", draft=True)

    response = staff_client.get(summit.get_absolute_url() + "?preview=1")

    assert response.status_code == 200
    assert "Preview — not published" in response.content.decode()
    assert "noindex" in response["X-Robots-Tag"]


def test_anonymous_preview_of_a_draft_is_not_found(client):
    declaration = DeclarationFactory(title="Unsigned Accord", draft=True)
    summit = SummitFactory(name="Unannounced Summit", draft=True)

    for item in (declaration, summit):
        html = get_not_found(client, item.get_absolute_url() + "?preview=1")
        assert str(item) not in html
        assert "Preview — not published" not in html


def test_published_pages_show_no_preview_banner(client):
    declaration = DeclarationFactory()
    assert "Preview — not published" not in get_ok(
        client, declaration.get_absolute_url()
    )


# ---------------------------------------------------------------- signatories


def test_signatory_list_groups_by_kind_with_counts_on_published_declarations(
    client,
):
    france = SignatoryFactory(name="France", kind=Signatory.Kind.COUNTRY)
    eu = SignatoryFactory(name="European Union", kind=Signatory.Kind.ORGANISATION)
    acme = SignatoryFactory(name="Acme AI", kind=Signatory.Kind.COMPANY)
    SignatoryFactory(name="Nobody Yet", kind=Signatory.Kind.COUNTRY)
    SignatureFactory(signatory=acme, status=Signature.Status.WITHDRAWN)
    SignatureFactory(signatory=france)
    SignatureFactory(signatory=france, status=DECLINED)
    SignatureFactory(signatory=eu)
    # Positions on drafts or scheduled declarations must not leak as numbers.
    SignatureFactory(signatory=france, declaration=DeclarationFactory(draft=True))
    SignatureFactory(
        signatory=france,
        status=DECLINED,
        declaration=DeclarationFactory(scheduled=True),
    )

    response = client.get(reverse("summits:signatory_list"))
    html = response.content.decode()

    counts = {
        s.name: (s.signed_count, s.declined_count)
        for s in response.context["signatories"]
    }
    # Listed once they have a position on a published declaration.
    assert counts == {"France": (1, 1), "European Union": (1, 0), "Acme AI": (0, 0)}
    # Countries first, then international organisations, then companies.
    assert (
        html.index('id="kind-country"')
        < html.index('id="kind-organisation"')
        < html.index('id="kind-company"')
    )


def test_signatory_record_lists_positions_on_published_declarations_only(client):
    uk = SignatoryFactory(name="United Kingdom", country="GB", kind="country")
    summit = SummitFactory(name="Bletchley Park Summit")
    bletchley = DeclarationFactory(title="Bletchley Declaration", summit=summit)
    SignatureFactory(
        signatory=uk,
        declaration=bletchley,
        signed_on=datetime.date(2023, 11, 1),
        source_url="https://gov.uk/bletchley",
    )
    SignatureFactory(
        signatory=uk,
        declaration=DeclarationFactory(title="Paris Statement"),
        status=DECLINED,
        source_url="https://gov.uk/paris",
    )
    SignatureFactory(
        signatory=uk, declaration=DeclarationFactory(title="Secret Pact", draft=True)
    )
    SignatureFactory(
        signatory=uk,
        declaration=DeclarationFactory(title="Future Accord", scheduled=True),
    )

    response = client.get(uk.get_absolute_url())
    html = response.content.decode()

    assert "<h1>United Kingdom</h1>" in html
    assert "Bletchley Declaration" in html
    assert "Paris Statement" in html
    assert "1 Nov 2023" in html
    assert 'href="https://gov.uk/bletchley"' in html
    assert 'href="https://gov.uk/paris"' in html
    assert "Secret Pact" not in html
    assert "Future Accord" not in html
    assert response.context["record"].summits_attended == [summit]


def test_signatory_record_names_only_published_summits_it_signed_at(client):
    signatory = SignatoryFactory()
    hidden = SummitFactory(name="Hidden Summit", draft=True)
    declined_at = SummitFactory(name="Walked-out Summit")
    SignatureFactory(signatory=signatory, declaration=DeclarationFactory(summit=hidden))
    SignatureFactory(
        signatory=signatory,
        status=DECLINED,
        declaration=DeclarationFactory(summit=declined_at),
    )

    response = client.get(signatory.get_absolute_url())

    assert response.context["record"].summits_attended == []
    assert "Hidden Summit" not in response.content.decode()


def test_a_signatory_known_only_from_unpublished_declarations_is_not_public(client):
    # Recorded for an embargoed statement: not to be seen before it is.
    signatory = SignatoryFactory(name="Atlantis", description="An island nation.")
    SignatureFactory(signatory=signatory, declaration=DeclarationFactory(draft=True))
    SignatureFactory(
        signatory=signatory, declaration=DeclarationFactory(scheduled=True)
    )

    assert client.get(signatory.get_absolute_url()).status_code == 404
    assert "Atlantis" not in get_ok(client, reverse("summits:signatory_list"))

    SignatureFactory(signatory=signatory)  # on a published declaration
    assert "<h1>Atlantis</h1>" in get_ok(client, signatory.get_absolute_url())


def test_an_unknown_signatory_is_not_found(client):
    url = reverse("summits:signatory_detail", args=["no-such-party"])
    get_not_found(client, url)


# ---------------------------------------------------------------- site frame


def test_every_page_has_one_h1_landmarks_a_skip_link_and_the_main_nav(client):
    declaration = DeclarationFactory()
    signature = SignatureFactory(declaration=declaration)
    urls = [
        reverse("summits:summit_list"),
        declaration.summit.get_absolute_url(),
        reverse("summits:declaration_list"),
        declaration.get_absolute_url(),
        reverse("summits:declaration_compare"),
        reverse("summits:signatory_list"),
        signature.signatory.get_absolute_url(),
    ]
    for url in urls:
        html = get_ok(client, url)
        assert html.count("<h1") == 1, url
        assert '<html lang="en">' in html
        for landmark in ("<header", "<nav", '<main id="main"', "<footer"):
            assert landmark in html, (url, landmark)
        assert 'href="#main"' in html
        for name in ("Summits", "Declarations", "Compare", "Signatories"):
            assert f">{name}</a>" in html
        assert reverse("articles:feed_rss") in html
        assert reverse("articles:feed_atom") in html


SECTION_LINKS = {
    "summits": "summits:summit_list",
    "declarations": "summits:declaration_list",
    "compare": "summits:declaration_compare",
    "signatories": "summits:signatory_list",
    "articles": "articles:article_list",
    "search": "home:search",
}


@pytest.mark.parametrize(
    "page, section",
    [
        (lambda: reverse("summits:summit_list"), "summits"),
        (lambda: SummitFactory().get_absolute_url(), "summits"),
        (lambda: reverse("summits:declaration_list"), "declarations"),
        (lambda: DeclarationFactory().get_absolute_url(), "declarations"),
        (lambda: reverse("summits:declaration_compare"), "compare"),
        (lambda: reverse("summits:signatory_list"), "signatories"),
        (lambda: SignatureFactory().signatory.get_absolute_url(), "signatories"),
        (lambda: reverse("articles:article_list"), "articles"),
        (lambda: ArticleFactory().get_absolute_url(), "articles"),
        (lambda: reverse("home:search") + "?q=summit", "search"),
        (lambda: reverse("home:home"), None),
    ],
)
def test_the_current_section_and_only_it_is_marked_in_the_navigation(
    client, page, section
):
    """Each view names its section (`nav_section`); core keeps no list."""
    html = get_ok(client, page())
    for name, url_name in SECTION_LINKS.items():
        marked = f'<a href="{reverse(url_name)}" aria-current="true">' in html
        assert marked == (name == section), name


def test_not_found_page_is_friendly_and_in_the_site_design(client):
    response = client.get("/summits/no-such-summit/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "We can’t find that page" in html
    assert 'class="site-header"' in html


def test_server_error_page_renders_without_any_context():
    # Django renders 500.html with an empty context: no request, no database.
    html = render_to_string("500.html")
    assert "Something went wrong" in html
    assert "site.css" in html


# ---------------------------------------------------------------- query counts


class Scene:
    """A summit, a declaration and a signatory that gain signatures as it grows.

    Half the new signatures land on the declaration (new signatories), half on
    the signatory (new declarations at the summit), so every page's data grows.
    """

    def __init__(self):
        self.summit = SummitFactory()
        self.declaration = DeclarationFactory(summit=self.summit)
        self.signatory = SignatoryFactory()
        self.count = 0
        article = ArticleFactory()
        article.summits.add(self.summit)
        article.declarations.add(self.declaration)

    def grow_to(self, total):
        for i in range(self.count, total):
            if i % 2:
                declaration = DeclarationFactory(summit=self.summit)
                SignatureFactory(signatory=self.signatory, declaration=declaration)
            else:
                SignatureFactory(
                    declaration=self.declaration,
                    status=DECLINED if i % 3 == 0 else SIGNED,
                    ratified_on=datetime.date(2025, 1, 1) if i % 4 == 0 else None,
                )
            article = ArticleFactory()
            article.summits.add(self.summit)
            article.declarations.add(self.declaration)
        self.count = total


# Each HTML page adds one query for the menus of editors' pages (base.html,
# pages.context_processors); the CSV prints no menu. Detail pages add one
# for "Cite this record": the date of the newest revision.
PAGES = {
    "summit_list": (lambda s: reverse("summits:summit_list"), 3),
    "summit_detail": (lambda s: s.summit.get_absolute_url(), 5),
    "declaration_list": (lambda s: reverse("summits:declaration_list"), 2),
    # + the commitments (none here; the scorecard's own queries are pinned
    # in tests/test_accountability.py).
    "declaration_detail": (lambda s: s.declaration.get_absolute_url(), 6),
    "declaration_csv": (
        lambda s: reverse("summits:declaration_csv", args=[s.declaration.slug]),
        2,
    ),
    "matrix": (
        lambda s: reverse("summits:declaration_compare") + "?kind=all&d=all",
        # the groups for the form, the declarations, the signatures, the menus
        4,
    ),
    "signatory_list": (lambda s: reverse("summits:signatory_list"), 3),
    # + its other names, its groups, the commitments of the declarations it
    # signed, the texts with no position recorded and the articles about its
    # texts
    "signatory_detail": (lambda s: s.signatory.get_absolute_url(), 10),
}


def scene_of(total):
    scene = Scene()
    scene.grow_to(total)
    return scene


@pytest.fixture(scope="class")
def shared_scene(request, build_once):
    """The class's scene, built once: every page reads the same rows."""
    return build_once(scene_of, request.cls.size)


@pytest.fixture
def scene(shared_scene):
    # Each test starts with an empty cache; the pinned counts describe the
    # site just after an edit, whose bump has worked out the next publication.
    bump_content_version()
    return shared_scene


def assert_page_queries(client, scene, page):
    url_for, expected = PAGES[page]
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url_for(scene)).status_code == 200
    assert len(queries) == expected, [q["sql"] for q in queries]


# The query count does not grow with the data: each page makes the same
# number of queries, pinned in PAGES, with 5 signatures as with 100.
@pytest.mark.parametrize("page", PAGES)
class TestQueryCountWithFewRows:
    size = 5

    def test_the_page_makes_its_pinned_number_of_queries(self, client, scene, page):
        assert_page_queries(client, scene, page)


@pytest.mark.parametrize("page", PAGES)
class TestQueryCountWithManyRows:
    size = 100

    def test_the_page_makes_its_pinned_number_of_queries(self, client, scene, page):
        assert_page_queries(client, scene, page)
