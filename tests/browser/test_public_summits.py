"""A visitor's tour of the summit, declaration and signatory pages in Chromium.

Each page type is checked for its main content, photographed at desktop
(1280 px) and phone (390 px) widths into artifacts/screenshots/, and run
through axe-core, failing on serious or critical problems.
"""

import datetime
import re

import pytest
from django.template.loader import render_to_string
from playwright.sync_api import expect

from summits.models import Declaration, Signatory, Signature
from tests.browser.keyboard import focused, use_the_skip_link
from tests.browser.pages import PHONE, arrive, h1, photograph, visit
from tests.factories import (
    ArticleFactory,
    DeclarationFactory,
    SignatureFactory,
    SummitFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

COUNTRY, COMPANY, ORGANISATION = (
    Signatory.Kind.COUNTRY,
    Signatory.Kind.COMPANY,
    Signatory.Kind.ORGANISATION,
)
DECLINED = Signature.Status.DECLINED

BLETCHLEY_COUNTRIES = {
    "Australia": "AU",
    "Brazil": "BR",
    "Canada": "CA",
    "China": "CN",
    "France": "FR",
    "Germany": "DE",
    "India": "IN",
    "Japan": "JP",
    "Kenya": "KE",
    "Republic of Korea": "KR",
    "United Kingdom": "GB",
    "United States": "US",
}
COMPANIES = ["Anthropic", "Google", "Meta", "Microsoft", "OpenAI", "xAI"]


def party(name, kind=COUNTRY, country=""):
    return Signatory.objects.get_or_create(
        name=name, defaults={"kind": kind, "country": country}
    )[0]


@pytest.fixture
def summits_site():
    build_summits_site()


def build_summits_site():
    """The first summits, their declarations and who signed, in brief."""
    bletchley = SummitFactory(
        name="AI Safety Summit 2023",
        slug="ai-safety-summit-2023",
        starts_on=datetime.date(2023, 11, 1),
        ends_on=datetime.date(2023, 11, 2),
        city="Bletchley",
        venue="Bletchley Park",
        host_country="GB",
        organiser="UK government",
        summary="The first international summit on the safety of frontier AI.",
        body="About a hundred invited participants.\n\n"
        "On day two the prime minister convened a **small group** of "
        "governments, companies and experts.",
        website="https://www.gov.uk/government/topical-events/ai-safety-summit-2023",
    )
    seoul = SummitFactory(
        name="AI Seoul Summit 2024",
        slug="ai-seoul-summit-2024",
        starts_on=datetime.date(2024, 5, 21),
        ends_on=datetime.date(2024, 5, 22),
        city="Seoul",
        host_country="KR",
        organiser="Republic of Korea and United Kingdom",
    )
    paris = SummitFactory(
        name="AI Action Summit",
        slug="ai-action-summit",
        starts_on=datetime.date(2025, 2, 10),
        ends_on=datetime.date(2025, 2, 11),
        city="Paris",
        host_country="FR",
        organiser="Government of France",
    )
    declaration = DeclarationFactory(
        title="The Bletchley Declaration",
        slug="bletchley-declaration",
        summit=bletchley,
        adopted_on=datetime.date(2023, 11, 1),
        summary="Countries agree that frontier AI risks are best addressed "
        "through international cooperation.",
        text="Risks include *issues of control relating to alignment with "
        "human intent*.",
        source_url="https://www.gov.uk/government/publications/bletchley",
    )
    for name, code in BLETCHLEY_COUNTRIES.items():
        SignatureFactory(
            declaration=declaration,
            signatory=party(name, country=code),
            signed_on=datetime.date(2023, 11, 1),
            source_url="https://www.gov.uk/government/publications/bletchley",
        )
    SignatureFactory(
        declaration=declaration,
        signatory=party("European Union", ORGANISATION),
        source_url="https://www.gov.uk/government/publications/bletchley",
    )
    commitments = DeclarationFactory(
        title="Frontier AI Safety Commitments",
        slug="frontier-ai-safety-commitments",
        summit=seoul,
        kind=Declaration.Kind.COMMITMENTS,
        adopted_on=datetime.date(2024, 5, 21),
    )
    for name in COMPANIES:
        SignatureFactory(
            declaration=commitments,
            signatory=party(name, COMPANY),
            source_url="https://www.gov.uk/frontier-ai-safety-commitments",
        )
    paris_statement = DeclarationFactory(
        title="Statement on Inclusive and Sustainable AI for People and the Planet",
        slug="paris-statement",
        summit=paris,
        kind=Declaration.Kind.STATEMENT,
        adopted_on=datetime.date(2025, 2, 11),
        reported_signatory_count=60,
    )
    for name in ("France", "China", "India"):
        SignatureFactory(
            declaration=paris_statement,
            signatory=party(name),
            signed_on=datetime.date(2025, 2, 11),
        )
    for name in ("United Kingdom", "United States"):
        SignatureFactory(
            declaration=paris_statement,
            signatory=party(name),
            status=DECLINED,
            declined_on=datetime.date(2025, 2, 11),
            source_url="https://example.org/uk-us-decline-paris",
        )
    convention = DeclarationFactory(
        title="Framework Convention on Artificial Intelligence",
        slug="coe-framework-convention",
        summit=None,
        kind=Declaration.Kind.TREATY,
        binding=True,
        adopted_on=datetime.date(2024, 5, 17),
        reported_signatory_count=10,
    )
    SignatureFactory(
        declaration=convention,
        signatory=party("United Kingdom"),
        signed_on=datetime.date(2024, 9, 5),
        ratified_on=datetime.date(2025, 3, 1),
    )
    secret = DeclarationFactory(
        title="Secret Draft Accord", slug="secret-draft-accord", summit=None, draft=True
    )
    SignatureFactory(declaration=secret, signatory=party("United Kingdom"))
    ArticleFactory(
        title="What the Bletchley Declaration says about control"
    ).declarations.add(declaration)
    ArticleFactory(title="Bletchley, one year on").summits.add(bletchley)


def test_summit_pages(page, live_server, summits_site, screenshot, assert_accessible):
    visit(page, live_server, "/summits/")
    assert h1(page) == "Summits"
    assert page.get_by_role("link", name="AI Safety Summit 2023").is_visible()
    photograph(page, screenshot, assert_accessible, "summit-list")

    page.get_by_role("link", name="AI Safety Summit 2023").click()
    arrive(page, "AI Safety Summit 2023")
    main = page.locator("main")
    assert "1–2 November 2023" in main.inner_text()
    assert "Bletchley Park, Bletchley, United Kingdom" in main.inner_text()
    row = page.get_by_role("row", name="The Bletchley Declaration")
    assert row.get_by_role("cell").all_inner_texts()[-2:] == ["13", "0"]
    assert page.get_by_role("link", name="Bletchley, one year on").is_visible()
    photograph(page, screenshot, assert_accessible, "summit-detail")


def test_declaration_pages(
    page, live_server, summits_site, screenshot, assert_accessible
):
    visit(page, live_server, "/declarations/")
    assert h1(page) == "Declarations"
    assert "Secret Draft Accord" not in page.locator("main").inner_text()
    photograph(page, screenshot, assert_accessible, "declaration-list")

    page.get_by_role("link", name="Statement on Inclusive and Sustainable").click()
    arrive(page, re.compile("^Statement on Inclusive and Sustainable AI"))
    text = page.locator("main").inner_text()
    assert "3 of about 60 recorded" in text
    declined = page.locator("table", has=page.locator("caption", has_text="Declined"))
    assert declined.get_by_role("rowheader").all_inner_texts() == [
        "United Kingdom",
        "United States",
    ]
    photograph(page, screenshot, assert_accessible, "declaration-detail")

    visit(page, live_server, "/declarations/coe-framework-convention/")
    assert "5 Sep 2024" in page.locator("main").inner_text()
    assert "1 Mar 2025" in page.locator("main").inner_text()  # ratified
    photograph(page, screenshot, assert_accessible, "declaration-treaty")


def test_compare_matrix(page, live_server, summits_site, screenshot, assert_accessible):
    visit(page, live_server, "/declarations/compare/")
    assert h1(page) == "Compare declarations"
    table = page.locator("table.matrix")
    caption = table.locator("caption").inner_text()
    assert caption.startswith("Countries × 3 declarations")  # no commitments
    uk = table.get_by_role("row", name="United Kingdom")
    assert "Declined" in uk.inner_text()
    assert "Secret Draft Accord" not in page.locator("main").inner_text()
    photograph(page, screenshot, assert_accessible, "compare")

    # Without JavaScript's help: tick a kind and submit the plain GET form.
    page.get_by_label("Companies").check()
    page.get_by_role("button", name="Compare").click()
    expect(page).to_have_url(re.compile("kind=company"))
    page.wait_for_load_state()
    expect(page.get_by_role("rowheader", name="OpenAI")).to_be_visible()
    expect(page.get_by_role("rowheader", name="United Kingdom")).to_have_count(0)
    photograph(page, screenshot, assert_accessible, "compare-companies")


def test_the_matrix_sticky_column_stays_in_view_on_a_phone(
    page, live_server, summits_site
):
    page.set_viewport_size(PHONE)
    visit(page, live_server, "/declarations/compare/?kind=all&d=all")
    region = page.locator(".table-scroll[role=region]")
    region.evaluate("el => el.scrollLeft = el.scrollWidth")
    header = page.get_by_role("rowheader", name="United Kingdom")
    box = header.bounding_box()
    assert box["x"] < 60, box  # still at the left edge after scrolling right


def test_signatory_pages(
    page, live_server, summits_site, screenshot, assert_accessible
):
    visit(page, live_server, "/signatories/")
    assert h1(page) == "Signatories"
    uk_row = page.get_by_role("row", name="United Kingdom")
    # Signed Bletchley and the convention; declined Paris; the draft is not counted.
    assert uk_row.get_by_role("cell").all_inner_texts() == ["2", "1"]
    photograph(page, screenshot, assert_accessible, "signatory-list")

    page.get_by_role("link", name="United Kingdom").first.click()
    arrive(page, "United Kingdom")
    text = page.locator("main").inner_text()
    assert "Secret Draft Accord" not in text
    paris = page.get_by_role("row", name="Statement on Inclusive")
    assert "Declined" in paris.inner_text()
    assert paris.get_by_role("link", name="Source").count() == 1
    assert "AI Safety Summit 2023" in text  # the summit it signed at
    photograph(page, screenshot, assert_accessible, "signatory-detail")


def test_not_found_and_server_error_pages(
    page, live_server, screenshot, assert_accessible
):
    response = page.goto(live_server.url + "/summits/no-such-summit/")
    assert response.status == 404
    assert h1(page) == "We can’t find that page"
    photograph(page, screenshot, assert_accessible, "not-found")

    # 500.html as Django serves it: rendered with no context at all.
    url = live_server.url + "/__server-error-preview__"
    page.route(
        url,
        lambda route: route.fulfill(
            status=500, content_type="text/html", body=render_to_string("500.html")
        ),
    )
    page.goto(url)
    assert h1(page) == "Something went wrong on our side"
    photograph(page, screenshot, assert_accessible, "server-error")


def test_keyboard_through_the_matrix(page, live_server, summits_site):
    visit(page, live_server, "/declarations/compare/")

    use_the_skip_link(page)

    # From the top of the content, every stop shows where focus is, until we
    # reach the matrix itself (its scroll region, then the links in it).
    reached_matrix = False
    for _ in range(40):
        page.keyboard.press("Tab")
        state = focused(page)
        assert state["outline"] != "none" and state["width"] >= 2, state
        if state["inMatrix"]:
            reached_matrix = True
            break
    assert reached_matrix, "could not reach the matrix by keyboard"
