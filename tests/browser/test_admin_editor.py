"""An editor writes an article in the admin and watches the preview render."""

import pytest

from articles.models import Article

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def editor_login(django_user_model):
    django_user_model.objects.create_superuser(
        username="eda", email="", password="a-long-test-password"
    )
    return "eda", "a-long-test-password"


def test_an_editor_writes_an_article_with_a_live_preview(
    live_server, page, screenshot, editor_login
):
    username, password = editor_login
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    assert "Summit Watch admin" in page.inner_text("#site-name")

    page.goto(f"{live_server.url}/admin/articles/article/add/")
    page.fill("#id_title", "Why the Paris summit changed its name")
    page.press("#id_title", "Tab")
    # The slug fills itself from the title, as the editor types.
    assert page.input_value("#id_slug") == "why-the-paris-summit-changed-its-name"
    page.fill("#id_lede", "Safety became one track of five.")
    page.fill(
        "#id_body",
        "The summit was **renamed** from *AI Safety* to *AI Action*.\n\n"
        "- five tracks\n- one on safety\n\n<script>alert('x')</script>",
    )

    preview = page.locator(".field-body .markdownx-preview")
    preview.locator("strong").wait_for(timeout=10_000)
    assert preview.locator("strong").inner_text() == "renamed"
    assert preview.locator("li").count() == 2
    # The preview comes from the same sanitising pipeline as the saved page.
    assert "<script" not in preview.inner_html()
    screenshot("admin-article-editor")

    page.click("input[name=_save_draft]")
    page.wait_for_selector(".messagelist .success")
    screenshot("admin-article-saved")
    assert errors == []

    article = Article.objects.get()
    assert article.status == "draft"
    assert "<strong>renamed</strong>" in article.body_html
    assert "<script" not in article.body_html


def test_an_editor_pastes_a_list_of_signatories(
    live_server, page, screenshot, editor_login
):
    from tests.factories import DeclarationFactory, SignatoryFactory

    declaration = DeclarationFactory(
        title="Statement on Inclusive and Sustainable AI", reported_signatory_count=60
    )
    for name, code in [("France", "FR"), ("India", "IN"), ("China", "CN")]:
        SignatoryFactory(name=name, country=code)
    username, password = editor_login
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")

    page.goto(f"{live_server.url}/admin/summits/declaration/{declaration.pk}/change/")
    page.click("text=Bulk-add signatures")
    page.fill("#id_names", "France\nIndai\nCHN")
    page.fill("#id_source_url", "https://www.elysee.fr/en/statement")
    page.click("input[type=submit]")
    page.wait_for_selector(".errornote")
    assert "did you mean “India”?" in page.inner_text(".errorlist")
    screenshot("admin-bulk-add-error")

    page.fill("#id_names", "France\nIndia\nCHN")
    page.click("input[type=submit]")
    page.wait_for_selector(".messagelist .success")
    assert "Added 3 signatures." in page.inner_text(".messagelist")
    assert page.locator(".signature-inline select[name$='-signatory']").count() >= 3
    screenshot("admin-declaration-with-signatures")
    assert declaration.signatures.count() == 3


def test_an_editor_reverts_an_article_from_the_history_screen(
    live_server, page, screenshot, editor_login
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

    username, password = editor_login
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")

    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/history/")
    links = page.locator("a.editorial-revision-link")
    assert links.count() == 2
    screenshot("admin-history")
    links.last.click()  # newest first: the last link is the first version
    # The revision screen is the change form, filled with the old values.
    assert page.input_value("#id_title") == "Bletchley, day one"
    screenshot("admin-revert")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")

    article.refresh_from_db()
    assert article.title == "Bletchley, day one"
