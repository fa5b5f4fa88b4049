"""Pictures of the record: the world map, share cards and the embed page.

The map is read as a visitor's browser would read it (the SVG parsed as XML),
the cards opened with Pillow, and the embed's framing headers compared with
every other page's.
"""

import gzip
import io
import xml.etree.ElementTree as ET

import pytest
from django.test import override_settings
from django.urls import reverse
from PIL import Image

from summits.world_map import SHAPES, WorldMap
from tests.factories import (
    ArticleFactory,
    DeclarationFactory,
    GroupFactory,
    MembershipFactory,
    SeriesFactory,
    SignatoryFactory,
    SignatureFactory,
    SummitFactory,
)
from tests.test_security_headers import csp_directives

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def bletchley():
    declaration = DeclarationFactory(title="The Bletchley Declaration")
    for name, code, status in (
        ("United Kingdom", "GB", "signed"),
        ("France", "FR", "signed"),
        ("Utopia", "NO", "declined"),
        ("Ruritania", "SE", "withdrawn"),
        ("Freedonia", "SG", "attended"),
    ):
        SignatureFactory(
            declaration=declaration,
            signatory=SignatoryFactory(name=name, country=code),
            status=status,
            withdrawn_on="2024-01-01" if status == "withdrawn" else None,
        )
    SignatureFactory(
        declaration=declaration,
        signatory=SignatoryFactory(name="European Union", kind="organisation"),
    )
    return declaration


def map_svg(html):
    start = html.index('<svg class="world-map"')
    end = html.index("</svg>", start) + len("</svg>")
    return html[start:end]


def country_classes(svg):
    root = ET.fromstring(svg)
    return {
        path.get("data-iso"): path.get("class").split()
        for path in root.iter(f"{SVG}path")
        if path.get("data-iso")
    }


def test_the_map_colours_each_country_by_its_position(client, bletchley):
    html = client.get(bletchley.get_absolute_url()).content.decode()
    classes = country_classes(map_svg(html))
    assert "map-country--signed" in classes["GB"]
    assert "map-country--signed" in classes["FR"]
    assert "map-country--declined" in classes["NO"]
    assert "map-country--withdrawn" in classes["SE"]
    assert "map-country--attended" in classes["SG"]  # a diamond: too small to draw
    assert "map-country--none" in classes["US"]
    assert len(classes) > 200


def test_the_map_is_hidden_from_screen_readers_and_names_countries_on_hover(
    client, bletchley
):
    html = client.get(bletchley.get_absolute_url()).content.decode()
    root = ET.fromstring(map_svg(html))
    assert root.get("aria-hidden") == "true"
    titles = {
        path.get("data-iso"): path.find(f"{SVG}title").text
        for path in root.iter(f"{SVG}path")
        if path.get("data-iso")
    }
    assert titles["GB"] == "United Kingdom: Signed"
    assert titles["NO"] == "Norway: Declined"
    # Patterns, not colour alone, for the refusals and withdrawals.
    assert root.find(f".//{SVG}pattern[@id='map-pattern-declined']") is not None
    assert root.find(f".//{SVG}pattern[@id='map-pattern-withdrawn']") is not None


def test_the_legend_says_each_status_with_its_count_and_lists_non_countries(
    client, bletchley
):
    html = client.get(bletchley.get_absolute_url()).content.decode()
    assert "Signed: 2 countries" in html
    assert "Declined: 1 country" in html
    assert "Withdrawn: 1 country" in html
    assert "Not on the map:" in html
    legend = html[html.index("Not on the map:") :]
    assert "European Union" in legend[:600]


def test_a_text_signed_by_companies_alone_draws_no_empty_world(client):
    commitments = DeclarationFactory(title="Company pledges", kind="commitments")
    SignatureFactory(
        declaration=commitments,
        signatory=SignatoryFactory(name="Acme AI", kind="company"),
    )
    html = client.get(commitments.get_absolute_url()).content.decode()
    assert '<svg class="world-map"' not in html
    assert "No party to this text is a country" in html
    assert "Not on the map:" in html and "Acme AI" in html


def test_the_map_is_small_enough_to_inline():
    svg = WorldMap.of([]).svg()
    compressed = len(gzip.compress(svg.encode(), compresslevel=6))
    assert compressed < 60_000, compressed
    assert len(SHAPES.read_bytes()) < 100_000


def test_the_map_adds_no_query(client, bletchley, django_assert_num_queries):
    # The same six queries as before the map: the declaration, its
    # positions with their signatories, its articles, its commitments, the
    # menus, its newest revision ("Cite this record").
    with django_assert_num_queries(6):
        response = client.get(bletchley.get_absolute_url())
    assert '<svg class="world-map"' in response.content.decode()


def test_series_and_group_pages_map_their_latest_declaration(client, bletchley):
    series = SeriesFactory()
    bletchley.summit.series = series
    bletchley.summit.save()
    older = DeclarationFactory(summit=bletchley.summit, adopted_on="2020-01-01")
    SignatureFactory(
        declaration=older,
        signatory=SignatoryFactory(name="Oldland", country="US"),
    )
    group = GroupFactory()
    united_kingdom = bletchley.signatures.get(signatory__country="GB").signatory
    MembershipFactory(group=group, signatory=united_kingdom)
    for url in (series.get_absolute_url(), group.get_absolute_url()):
        html = client.get(url).content.decode()
        classes = country_classes(map_svg(html))
        assert "map-country--signed" in classes["GB"], url
        assert "map-country--none" in classes["US"], url
        assert bletchley.title in html


# ---------- Share cards ----------

CARD_URLS = {
    "summit": lambda: SummitFactory(),
    "declaration": lambda: (
        SignatureFactory(signatory=SignatoryFactory(country="GB")).declaration
    ),
    "signatory": lambda: SignatureFactory().signatory,
    "article": lambda: ArticleFactory(),
    "series": lambda: SummitFactory(series=SeriesFactory()).series,
    "group": lambda: MembershipFactory(signatory=SignatureFactory().signatory).group,
}


def open_png(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "PNG"
    return image


@pytest.mark.parametrize("kind", CARD_URLS)
def test_every_public_record_has_a_share_card_of_1200_by_630(client, kind):
    record = CARD_URLS[kind]()
    card_url = record.get_absolute_url() + "card.png"
    image = open_png(client.get(card_url))
    assert image.size == (1200, 630)
    page = client.get(record.get_absolute_url()).content.decode()
    absolute = f'content="http://127.0.0.1:8000{card_url}"'
    assert f'<meta property="og:image" {absolute}>' in page
    assert f'<meta name="twitter:image" {absolute}>' in page
    assert '<meta name="twitter:card" content="summary_large_image">' in page


def test_a_card_changes_when_its_record_changes(client, bletchley):
    url = bletchley.get_absolute_url() + "card.png"
    before = client.get(url).content
    assert client.get(url).content == before  # served again, unchanged
    SignatureFactory(declaration=bletchley, signatory=SignatoryFactory(country="BR"))
    after_signature = client.get(url).content
    assert after_signature != before
    bletchley.title = "The Bletchley Park Declaration"
    bletchley.save()
    assert client.get(url).content != after_signature


def test_a_card_is_drawn_once_and_then_served_from_the_cache(client, bletchley):
    from core import share_cards

    url = bletchley.get_absolute_url() + "card.png"
    client.get(url)
    drawn = []
    original = share_cards.render
    share_cards.render = lambda card: drawn.append(card) or original(card)
    try:
        client.get(url)
    finally:
        share_cards.render = original
    assert drawn == []


def test_a_partial_list_reads_n_of_about_m_recorded(bletchley):
    bletchley.reported_signatory_count = 28
    card = bletchley.share_card()
    assert card.lines[0] == "3 of about 28 recorded · 1 declined"
    bletchley.reported_signatory_count = None
    assert bletchley.share_card().lines[0] == "3 signed · 1 declined"


@pytest.mark.parametrize("kind", ["summit", "declaration", "article"])
def test_a_draft_has_no_card_and_no_embed(client, kind):
    factories = {
        "summit": SummitFactory,
        "declaration": DeclarationFactory,
        "article": ArticleFactory,
    }
    draft = factories[kind](draft=True)
    response = client.get(draft.get_absolute_url() + "card.png")
    unknown = client.get(
        draft.get_absolute_url().replace(draft.slug, "nope") + "card.png"
    )
    assert response.status_code == unknown.status_code == 404
    assert response.content == unknown.content
    if kind == "declaration":
        assert (
            client.get(
                reverse("summits:declaration_embed", args=[draft.slug])
            ).status_code
            == 404
        )
        assert (
            client.get(reverse("summits:declaration_embed", args=["nope"])).status_code
            == 404
        )


def test_a_signatory_only_on_a_draft_has_no_card(client):
    signature = SignatureFactory(declaration=DeclarationFactory(draft=True))
    url = signature.signatory.get_absolute_url() + "card.png"
    assert client.get(url).status_code == 404


# ---------- Embeds ----------


def test_the_embed_page_alone_may_be_framed(client, bletchley):
    embed = client.get(reverse("summits:declaration_embed", args=[bletchley.slug]))
    assert embed.status_code == 200
    assert csp_directives(embed)["frame-ancestors"] == ["*"]
    assert csp_directives(embed)["script-src"] == ["'self'"]
    assert "X-Frame-Options" not in embed
    page = client.get(bletchley.get_absolute_url())
    assert csp_directives(page)["frame-ancestors"] == ["'none'"]
    assert page["X-Frame-Options"] == "DENY"


@override_settings(PAGE_CACHE_ENABLED=True)
def test_a_cached_embed_page_keeps_its_framing_policy(client, bletchley):
    url = reverse("summits:declaration_embed", args=[bletchley.slug])
    client.get(url)
    again = client.get(url)
    assert csp_directives(again)["frame-ancestors"] == ["*"]
    assert "X-Frame-Options" not in again


def test_the_embed_page_shows_map_counts_and_a_link_back(client, bletchley):
    html = client.get(
        reverse("summits:declaration_embed", args=[bletchley.slug])
    ).content.decode()
    assert "3 signed · 1 declined" in html  # the EU too
    assert "map-country--signed" in html
    assert (
        f'<a href="{bletchley.get_absolute_url()}" target="_blank" rel="noopener">'
        in html
    )
    assert "site-nav" not in html


def test_the_declaration_page_offers_the_embed_code(client, bletchley):
    bletchley.title = 'The "Bletchley" <Declaration>'
    bletchley.save()
    html = client.get(bletchley.get_absolute_url()).content.decode()
    embed_url = "http://127.0.0.1:8000" + reverse(
        "summits:declaration_embed", args=[bletchley.slug]
    )
    # Escaped twice: the textarea shows the snippet's own escaping, so the
    # copied code is valid HTML.
    assert f"&lt;iframe src=&quot;{embed_url}&quot;" in html
    assert "title=&quot;The &amp;quot;Bletchley&amp;quot; &amp;lt;Declaration" in html


# ---------- Timeline ----------


def test_the_home_and_series_pages_draw_the_summits_on_a_timeline(client):
    series = SeriesFactory()
    SummitFactory(name="AI Safety Summit", city="Bletchley", starts_on="2023-11-01",
                  ends_on="2023-11-02", series=series)  # fmt: skip
    SummitFactory(name="AI Action Summit", city="Paris", starts_on="2025-02-10",
                  ends_on="2025-02-11", series=series)  # fmt: skip
    SummitFactory(name="Hidden Summit", city="Nowhere", draft=True, series=series)
    for url in ("/", series.get_absolute_url()):
        html = client.get(url).content.decode()
        start = html.index('<svg class="timeline-graphic"')
        svg = ET.fromstring(html[start : html.index("</svg>", start) + 6])
        assert svg.get("role") == "img"
        label = svg.get("aria-label")
        assert label.startswith("Timeline of 2 summits: AI Safety Summit, 1 November")
        assert "AI Action Summit, 10 February 2025" in label
        texts = [t.text for t in svg.iter(f"{SVG}text")]
        assert "Bletchley · 1 Nov 2023" in texts and "2024" in texts
        assert "Hidden" not in html[start : html.index("</svg>", start)]


def test_a_long_list_off_the_map_is_counted_above_the_tables_not_repeated(client):
    from summits.templatetags.summits_tags import OFF_MAP_LISTED

    pledges = DeclarationFactory(title="Many pledges", kind="commitments")
    for n in range(OFF_MAP_LISTED + 1):
        SignatureFactory(
            declaration=pledges,
            signatory=SignatoryFactory(name=f"Company {n:02d}", kind="company"),
        )
    html = client.get(pledges.get_absolute_url()).content.decode()
    figure = html[html.index('class="world-map-figure"') : html.index("</figure>")]
    assert f"Not on the map: {OFF_MAP_LISTED + 1} parties" in figure
    assert "Company 07" not in figure
    assert "Company 07" in html  # in the table of positions
    # The embed has no tables: there every party is named.
    embed = client.get(pledges.get_absolute_url() + "embed/").content.decode()
    assert "Not on the map:" in embed and "Company 07" in embed
