"""An editor assesses a commitment with the grid; a visitor reads the scorecard."""

import datetime

import pytest
from playwright.sync_api import expect

from summits.models import Assessment, Signatory
from tests.browser.pages import arrive, log_in, photograph, visit
from tests.factories import (
    CommitmentFactory,
    DeclarationFactory,
    SignatoryFactory,
    SignatureFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_editor_assesses_with_the_grid_and_a_visitor_sees_the_scorecard(
    live_server, page, browser, screenshot, assert_accessible, editor
):
    declaration = DeclarationFactory(
        title="Frontier AI Safety Commitments",
        kind="commitments",
        adopted_on=datetime.date(2024, 5, 21),
    )
    names = ["Amazon", "Anthropic", "Google", "Mistral AI", "OpenAI", "Zhipu AI"]
    for name in names:
        signatory = SignatoryFactory(name=name, kind=Signatory.Kind.COMPANY)
        SignatureFactory(declaration=declaration, signatory=signatory)
    commitment = CommitmentFactory(
        declaration=declaration,
        title="Publish a safety framework",
        applies_to=Signatory.Kind.COMPANY,
    )
    CommitmentFactory(declaration=declaration, title="Share incident reports")

    visitor, page = page, browser.new_context().new_page()
    log_in(page, live_server, editor)
    page.goto(f"{live_server.url}/admin/summits/commitment/{commitment.pk}/assess/")
    row = page.locator("#grid-row-anthropic")
    row.locator("select").select_option("met")
    row.locator("input[name$='-assessed_on']").fill("2025-02-03")
    row.locator("input[name$='-evidence_url']").fill("ftp://example.com/rsp")
    page.check("#id_grid-rest_no_information")
    page.check("#id_grid-publish")
    page.click("input[type=submit]")
    # A non-web link is refused, and nothing is saved.
    expect(page.locator("#grid-row-anthropic .errorlist")).to_contain_text(
        "http:// or https://"
    )
    assert not Assessment.objects.exists()
    screenshot("admin-assessment-grid-error", target=page)

    row = page.locator("#grid-row-anthropic")
    row.locator("input[name$='-evidence_url']").fill(
        "https://www.anthropic.com/news/announcing-our-updated-responsible-scaling-policy"
    )
    row.locator("input[name$='-evidence_label']").fill("Responsible Scaling Policy")
    page.check("#id_grid-rest_no_information")
    page.check("#id_grid-publish")
    page.click("input[type=submit]")
    expect(page.locator(".messagelist .success")).to_contain_text(
        "6 assessments saved."
    )
    screenshot("admin-assessment-grid", target=page)
    page.context.close()

    visit(visitor, live_server, declaration.get_absolute_url())
    arrive(visitor, "Frontier AI Safety Commitments")
    tally = visitor.locator("#commitment-publish-a-safety-framework .commitment-tally")
    expect(tally).to_contain_text(
        "1 of 6 companies that signed met it; 5 no information."
    )
    cell = visitor.locator("#assessment-publish-a-safety-framework-anthropic")
    expect(cell).to_contain_text("Met")
    expect(cell.get_by_role("link")).to_contain_text("Responsible Scaling Policy")
    expect(visitor.locator(".assessment-changes")).to_contain_text(
        "Anthropic: met, assessed 3 Feb 2025"
    )
    photograph(visitor, screenshot, assert_accessible, "scorecard")

    # The filter works without JavaScript: a plain GET form.
    visitor.select_option("#scorecard-status", "met")
    visitor.click(".scorecard-filters button")
    expect(visitor).to_have_url(
        f"{live_server.url}{declaration.get_absolute_url()}"
        "?status=met&commitment=&sort=name#commitments"
    )
    expect(visitor.locator(".scorecard tbody tr")).to_have_count(1)
    assert_accessible("scorecard filtered")
