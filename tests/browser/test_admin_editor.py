"""An editor writes an article in the admin and watches the preview render."""

import pytest
from playwright.sync_api import expect

from articles.models import Article
from tests.browser.pages import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_editor_writes_an_article_with_a_live_preview(
    live_server, page, screenshot, editor
):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, live_server, editor)
    expect(page.locator("#site-name")).to_contain_text("Summit Watch admin")

    page.goto(f"{live_server.url}/admin/articles/article/add/")
    page.fill("#id_title", "Why the Paris summit changed its name")
    page.press("#id_title", "Tab")
    # The slug fills itself from the title, as the editor types.
    expect(page.locator("#id_slug")).to_have_value(
        "why-the-paris-summit-changed-its-name"
    )
    page.fill("#id_lede", "Safety became one track of five.")
    page.fill(
        "#id_body",
        "The summit was **renamed** from *AI Safety* to *AI Action*.\n\n"
        "- five tracks\n- one on safety\n\n<script>alert('x')</script>",
    )

    preview = page.locator(".field-body .markdownx-preview")
    expect(preview.locator("strong")).to_have_text("renamed")
    expect(preview.locator("li")).to_have_count(2)
    # The preview comes from the same sanitising pipeline as the saved page.
    assert "<script" not in preview.inner_html()
    screenshot("admin-article-editor")

    # The script would be removed on save: the editor is told, under the field.
    page.click("input[name=_save_draft]")
    error = page.locator(".field-body .errorlist")
    error.wait_for()
    assert "would be removed: <script>" in error.inner_text()
    page.fill(
        "#id_body",
        "The summit was **renamed** from *AI Safety* to *AI Action*.\n\n"
        "- five tracks\n- one on safety",
    )
    page.click("input[name=_save_draft]")
    expect(page.locator(".messagelist .success")).to_be_visible()
    screenshot("admin-article-saved")
    assert errors == []

    article = Article.objects.get()
    assert article.status == "draft"
    assert "<strong>renamed</strong>" in article.body_html
    assert "<script" not in article.body_html


def test_an_editor_pastes_a_list_of_signatories(live_server, page, screenshot, editor):
    from tests.factories import DeclarationFactory, SignatoryFactory

    declaration = DeclarationFactory(
        title="Statement on Inclusive and Sustainable AI", reported_signatory_count=60
    )
    for name, code in [("France", "FR"), ("India", "IN"), ("China", "CN")]:
        SignatoryFactory(name=name, country=code)
    log_in(page, live_server, editor)
    page.goto(f"{live_server.url}/admin/summits/declaration/{declaration.pk}/change/")
    page.click("text=Bulk-add signatures")
    page.fill("#id_names", "France\nIndai\nCHN")
    page.fill("#id_source_url", "https://www.elysee.fr/en/statement")
    page.click("input[type=submit]")
    expect(page.locator(".errorlist")).to_contain_text("did you mean “India”")
    screenshot("admin-bulk-add-error")

    page.fill("#id_names", "France\nIndia\nCHN")
    page.click("input[type=submit]")
    expect(page.locator(".messagelist .success")).to_contain_text("Added 3 signatures.")
    assert page.locator(".signature-inline select[name$='-signatory']").count() >= 3
    screenshot("admin-declaration-with-signatures")
    assert declaration.signatures.count() == 3


def test_an_editor_reverts_an_article_from_the_history_screen(
    live_server, page, screenshot, editor
):
    import reversion

    article = Article.objects.create(
        title="Bletchley, day one", slug="bletchley-day-one", body="First draft."
    )
    with reversion.create_revision():
        reversion.set_comment("First version.")
        article.save()
    with reversion.create_revision():
        reversion.set_comment("Rewrote the title.")
        article.title = "A title we regret"
        article.save()

    log_in(page, live_server, editor)
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/history/")
    links = page.locator("a.editorial-revision-link")
    expect(links).to_have_count(2)
    screenshot("admin-history")
    links.last.click()  # newest first: the last link is the first version
    # The revision screen is the change form, filled with the old values.
    expect(page.locator("#id_title")).to_have_value("Bletchley, day one")
    screenshot("admin-revert")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_be_visible()

    article.refresh_from_db()
    assert article.title == "Bletchley, day one"
