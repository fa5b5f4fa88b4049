"""Bulk add in the browser: UK, EU and an unknown name; the inline at 1280 px."""

import pytest
from playwright.sync_api import expect

from summits.models import Signatory, SignatoryAlias
from tests.browser.pages import log_in
from tests.factories import DeclarationFactory, SignatoryFactory, SignatureFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_bulk_add_suggests_names_and_creates_the_missing_one(
    live_server, page, screenshot, editor
):
    declaration = DeclarationFactory(title="Paris statement")
    uk = SignatoryFactory(name="United Kingdom", country="GB")
    SignatoryAlias.objects.create(signatory=uk, name="UK")
    eu = SignatoryFactory(name="European Union", kind="organisation", country="")
    SignatoryAlias.objects.create(signatory=eu, name="EU")
    SignatoryFactory(name="France", country="FR")
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    log_in(page, live_server, editor)
    page.goto(f"{live_server.url}/admin/summits/declaration/{declaration.pk}/bulk-add/")
    page.fill("#id_names", "UK\nEU\nFrnace\nMistral AI")
    page.fill("#id_source_url", "https://www.elysee.fr/en/statement")
    page.fill("#id_date", "2025-02-11")
    page.click("input[type=submit]")

    problems = page.locator(".bulk-add-problem")
    expect(problems).to_have_count(2)
    expect(problems.nth(0)).to_contain_text("did you mean “France”")
    screenshot("admin-bulk-add-suggestions")

    problems.nth(0).get_by_role("button", name="France", exact=True).click()
    problems.nth(1).get_by_role("button", name="company", exact=True).click()
    expect(page.locator("#id_names")).to_have_value(
        "UK\nEU\nFrance\nMistral AI | company"
    )
    expect(problems.nth(1)).to_contain_text("Line 4 now reads")
    screenshot("admin-bulk-add-chosen")
    page.click("input[type=submit]")

    expect(page.locator(".messagelist .success")).to_contain_text(
        "Added 4 signatures. New signatories: Mistral AI (company)."
    )
    assert errors == []
    assert Signatory.objects.get(name="Mistral AI").kind == "company"
    assert sorted(declaration.signatures.values_list("signatory__name", flat=True)) == [
        "European Union",
        "France",
        "Mistral AI",
        "United Kingdom",
    ]


def test_the_signature_inline_fits_1280_px_without_sideways_scrolling(
    live_server, page, screenshot, editor
):
    declaration = DeclarationFactory(title="Framework Convention on AI", binding=True)
    for number in range(4):
        SignatureFactory(
            declaration=declaration,
            signatory=SignatoryFactory(
                name=f"A rather long signatory name, number {number}"
            ),
            source_url="https://www.coe.int/en/web/conventions/full-list?module="
            "signatures-by-treaty&treatynum=225",
            note="Signed at the Vilnius conference",
        )
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server, editor)
    page.goto(f"{live_server.url}/admin/summits/declaration/{declaration.pk}/change/")
    inline = page.locator("fieldset.signature-inline")
    expect(inline.locator("tr.has_original")).to_have_count(4)
    expect(inline.get_by_role("link", name="Stages and sources…")).to_have_count(4)
    inline.scroll_into_view_if_needed()
    screenshot("admin-signature-inline-1280")

    page_width = page.evaluate("() => document.documentElement.scrollWidth")
    assert page_width <= 1280
    # Nor does the inline scroll inside itself: every column is in view.
    overflow = inline.evaluate("(box) => box.scrollWidth - box.clientWidth")
    assert overflow <= 0
