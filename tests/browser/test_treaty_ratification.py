"""An editor records a ratification in the admin and sees it on the treaty page."""

import datetime

import pytest

from summits.models import Signature
from tests.factories import DeclarationFactory, SignatoryFactory, SignatureFactory

pytestmark = pytest.mark.django_db(transaction=True)

CETS_225 = "https://www.coe.int/en/web/conventions/full-list?module=treaty-detail&treatynum=225"


def test_an_editor_records_a_ratification_and_the_chart_shows_it(
    live_server, page, screenshot, django_user_model
):
    django_user_model.objects.create_superuser(
        username="eda", email="", password="a-long-test-password"
    )
    treaty = DeclarationFactory(
        title="Framework Convention on AI", kind="treaty", binding=True
    )
    norway = SignatoryFactory(name="Norway", country="NO")
    position = SignatureFactory(
        declaration=treaty,
        signatory=norway,
        signed_on=datetime.date(2024, 9, 5),
        source_url=CETS_225,
    )

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "eda")
    page.fill("#id_password", "a-long-test-password")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")

    page.goto(f"{live_server.url}/admin/summits/signature/{position.pk}/change/")
    # First a ratification dated before the signature: refused, in words.
    page.fill("#id_ratified_on", "2024-03")
    page.select_option("#id_ratification_act", "ratification")
    page.click("input[name=_continue]")
    page.wait_for_selector(".errornote")
    assert "comes before the signature" in page.inner_text(".field-ratified_on")
    screenshot("admin-ratification-refused")

    # Then the month it really happened, with its source.
    page.fill("#id_ratified_on", "2025-06")
    page.fill("#id_ratified_source_url", "https://example.org/norway-ratifies")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    position.refresh_from_db()
    assert (position.ratified_on, position.ratified_on_precision) == (
        datetime.date(2025, 6, 1),
        "month",
    )
    assert position.ratification_act == Signature.Act.RATIFICATION

    page.goto(f"{live_server.url}{treaty.get_absolute_url()}")
    counts = page.get_by_test_id("treaty-counts")
    assert " ".join(counts.inner_text().split()).startswith(
        "1 signature, 1 ratification;"
    )
    row = page.locator(".treaty-chart tbody tr", has_text="Norway")
    assert (
        row.locator("td[data-label=Ratification] time").get_attribute("datetime")
        == "2025-06"
    )
    assert row.locator("td[data-label=Ratification]").inner_text() == "Jun 2025"
    sources = row.locator("td[data-label=Sources] a")
    hrefs = [sources.nth(i).get_attribute("href") for i in range(sources.count())]
    assert hrefs == [
        CETS_225,
        "https://example.org/norway-ratifies",
    ]
    screenshot("treaty-chart")
