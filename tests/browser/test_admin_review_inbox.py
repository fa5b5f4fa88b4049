"""A contributor submits a draft for review and an editor publishes it; an
editor turns an inbox story into a draft press item. Screenshots of the
dashboard and the change form's publishing buttons go to artifacts/."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core import mail

from articles.models import Article
from editorial.models import ReviewRequest
from inbox.models import PressCandidate
from tests.factories import ArticleFactory, DeclarationFactory, SummitFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def editor_groups():
    """The groups and their permissions, as the data migrations make them.

    An earlier transactional test's flush removes what migrations wrote, so
    the migrations' own functions make them again (they are idempotent).
    """
    from importlib import import_module

    from django.apps import apps

    # The migrations set models_module on the app configs they are handed
    # (stubs, in a migration); keep the real ones as they were.
    modules = {config: config.models_module for config in apps.get_app_configs()}
    try:
        import_module("editorial.migrations.0002_editor_groups").create_groups(
            apps, None
        )
        import_module("editorial.migrations.0004_review_permissions").grant(apps, None)
        import_module("inbox.migrations.0002_editor_permissions").grant(apps, None)
    finally:
        for config, module in modules.items():
            config.models_module = module


PASSWORD = "a-long-test-password"


def member(django_user_model, username, group, first_name):
    user = django_user_model.objects.create_user(
        username=username,
        password=PASSWORD,
        is_staff=True,
        email=f"{username}@example.org",
        first_name=first_name,
    )
    user.groups.add(Group.objects.get(name=group))
    return user


def sign_in(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")


def test_a_contributor_submits_for_review_and_an_editor_publishes(
    live_server, page, screenshot, django_user_model
):
    member(django_user_model, "cora", "Contributors", "Cora")
    member(django_user_model, "eda", "Editors", "Eda")
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    sign_in(page, live_server, "cora")
    page.goto(f"{live_server.url}/admin/articles/article/add/")
    # No status drop-down and no "Publish" for a contributor.
    assert page.locator("select[name=status]").count() == 0
    assert page.locator("input[name=_publish]").count() == 0
    page.fill("#id_title", "What Seoul promised")
    page.fill("#id_lede", "Sixteen companies signed safety commitments.")
    screenshot("admin-contributor-buttons")
    page.click("input[name=_submit_review]")
    page.wait_for_selector(".messagelist .success")
    assert "waits for an editor's review" in page.inner_text(".messagelist")
    assert "Waiting for review since" in page.inner_text(".editorial-review")
    article = Article.objects.get()
    assert ReviewRequest.objects.open().count() == 1
    assert mail.outbox[-1].to == ["eda@example.org"]

    sign_in(page, live_server, "eda")
    page.goto(f"{live_server.url}/admin/")
    review = page.locator("section[aria-labelledby=dash-review]")
    assert "What Seoul promised" in review.inner_text()
    screenshot("admin-dashboard")
    review.get_by_role("link", name="What Seoul promised").click()
    page.wait_for_selector("input[name=_publish]")
    screenshot("admin-editor-buttons")
    page.click("input[name=_publish]")
    page.wait_for_selector(".messagelist .success")
    assert "is published" in page.inner_text(".messagelist")
    assert page.locator("input[name=_unpublish]").count() == 1
    screenshot("admin-published-buttons")

    article.refresh_from_db()
    assert article.is_public()
    assert ReviewRequest.objects.open().count() == 0
    assert mail.outbox[-1].to == ["cora@example.org"]
    assert errors == []


def test_an_editor_accepts_an_inbox_story(
    live_server, page, screenshot, django_user_model
):
    member(django_user_model, "eda", "Editors", "Eda")
    summit = SummitFactory(name="AI Safety Summit 2023", city="Bletchley")
    declaration = DeclarationFactory(title="The Bletchley Declaration", summit=summit)
    ArticleFactory(
        draft=True,
        title="Scheduled piece",
        published_at=datetime.datetime(2099, 1, 1, tzinfo=datetime.UTC),
    )
    candidate = PressCandidate.objects.create(
        title="China and the US back the Bletchley Declaration",
        story_url="https://news.example/tech/bletchley",
        outlet="Example News",
        published_on=datetime.date(2023, 11, 1),
        lede="Twenty-eight countries endorsed it.",
        score=15,
        matched="declaration “The Bletchley Declaration”, topic “frontier AI”",
    )
    candidate.summits.set([summit])
    candidate.declarations.set([declaration])
    PressCandidate.objects.create(
        title="Kosovo and migrant returns",
        story_url="https://news.example/kosovo",
        score=6,
        matched="topic “AI safety”",
    )

    sign_in(page, live_server, "eda")
    page.goto(f"{live_server.url}/admin/inbox/presscandidate/")
    row = page.locator("tr", has_text="China and the US back the Bletchley Declaration")
    assert "15" in row.inner_text()
    assert "declaration “The Bletchley Declaration”" in row.inner_text()
    screenshot("admin-inbox")
    row.get_by_role("button", name="Accept").click()
    page.wait_for_selector("#id_outlet")
    # The draft press item opens, prefilled.
    assert page.input_value("#id_title") == candidate.title
    assert page.input_value("#id_outlet") == "Example News"
    assert page.input_value("#id_original_url") == candidate.story_url
    assert page.input_value("#id_kind") == "press"
    screenshot("admin-inbox-accepted")
    article = Article.objects.get(kind="press")
    assert list(article.declarations.all()) == [declaration]
    assert article.status == "draft"

    page.goto(f"{live_server.url}/admin/inbox/presscandidate/")
    page.locator("tr", has_text="Kosovo").get_by_role("button", name="Dismiss").click()
    page.wait_for_selector(".messagelist .success")
    assert (
        PressCandidate.objects.get(title__startswith="Kosovo").decision == "dismissed"
    )
    assert page.locator("tr", has_text="Kosovo").count() == 0
