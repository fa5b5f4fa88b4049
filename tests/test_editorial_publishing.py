"""Publishing with buttons, and a contributor's draft going through review."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from core.models import Status
from editorial.models import ReviewRequest, ReviewState
from tests.factories import ArticleFactory, DeclarationFactory, SummitFactory
from tests.test_roles import article_form

pytestmark = pytest.mark.django_db


def member(django_user_model, username, group, email=""):
    user = django_user_model.objects.create_user(
        username=username, password="pw", is_staff=True, email=email
    )
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(django_user_model):
    return member(django_user_model, "eda", "Editors", "eda@example.org")


@pytest.fixture
def contributor(django_user_model):
    return member(django_user_model, "cora", "Contributors", "cora@example.org")


def change_url(obj):
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


def post_article(client, article, button, **changes):
    data = article_form(title=article.title, slug=article.slug, **changes)
    data.pop("status")
    data[button] = "pressed"
    return client.post(change_url(article), data)


def buttons(response):
    return [
        name for name, _label, _primary in response.context["publishing"]["buttons"]
    ]


class TestButtons:
    def test_the_status_drop_down_is_gone_and_buttons_take_its_place(
        self, client, editor
    ):
        client.force_login(editor)
        draft = ArticleFactory(draft=True)
        response = client.get(change_url(draft))
        html = response.content.decode()
        assert 'name="status"' not in html
        assert 'name="_save_draft"' in html and 'value="Publish"' in html
        assert buttons(response) == ["_save_draft", "_publish"]

    def test_a_future_date_turns_publish_into_schedule(self, client, editor):
        client.force_login(editor)
        draft = ArticleFactory(
            draft=True, published_at=timezone.now() + datetime.timedelta(days=2)
        )
        assert 'value="Schedule"' in client.get(change_url(draft)).content.decode()

    def test_a_published_item_offers_save_and_unpublish(self, client, editor):
        client.force_login(editor)
        response = client.get(change_url(ArticleFactory()))
        assert buttons(response) == ["_save", "_unpublish"]

    def test_a_contributor_gets_submit_for_review_instead_of_publish(
        self, client, contributor
    ):
        client.force_login(contributor)
        response = client.get(reverse("admin:articles_article_add"))
        assert buttons(response) == ["_save_draft", "_submit_review"]
        assert 'value="Publish"' not in response.content.decode()

    @pytest.mark.parametrize(
        "url_name",
        [
            "admin:summits_summit_add",
            "admin:summits_declaration_add",
            "admin:articles_article_add",
            "admin:pages_page_add",
        ],
    )
    def test_every_publishable_admin_has_the_buttons(self, client, editor, url_name):
        client.force_login(editor)
        assert buttons(client.get(reverse(url_name))) == ["_save_draft", "_publish"]


class TestEditorPublishes:
    def test_publish_then_unpublish(self, client, editor):
        client.force_login(editor)
        draft = ArticleFactory(draft=True)
        response = post_article(client, draft, "_publish")
        assert response.status_code == 302
        assert response["Location"] == change_url(draft)
        draft.refresh_from_db()
        assert draft.is_public()

        post_article(client, draft, "_unpublish")
        draft.refresh_from_db()
        assert draft.status == Status.DRAFT and not draft.is_public()

    def test_publish_with_a_future_time_schedules(self, client, editor):
        client.force_login(editor)
        draft = ArticleFactory(draft=True)
        response = post_article(
            client,
            draft,
            "_publish",
            published_at_0="2099-01-02",
            published_at_1="09:30:00",
        )
        draft.refresh_from_db()
        assert draft.is_scheduled and not draft.is_public()
        message = str(list(response.wsgi_request._messages)[0])
        assert "is scheduled for 2 Jan 2099, 09:30" in message

    def test_save_changes_keeps_a_published_item_published(self, client, editor):
        client.force_login(editor)
        article = ArticleFactory()
        post_article(client, article, "_save", lede="A better lede.")
        article.refresh_from_db()
        assert article.is_public() and article.lede == "A better lede."

    def test_publishing_runs_the_models_own_checks(self, client, editor):
        client.force_login(editor)
        draft = ArticleFactory(draft=True, kind=Article.Kind.POST)
        response = post_article(client, draft, "_publish", kind=Article.Kind.PRESS)
        assert response.status_code == 200
        assert "A press item needs the outlet" in response.content.decode()
        draft.refresh_from_db()
        assert draft.status == Status.DRAFT


class TestContributorCannotPublish:
    @pytest.mark.parametrize("button", ["_publish", "_unpublish", "_send_back"])
    def test_a_crafted_editor_button_is_refused_and_nothing_changes(
        self, client, contributor, button
    ):
        client.force_login(contributor)
        draft = ArticleFactory(draft=True, title="Mine")
        response = post_article(
            client, draft, button, lede="changed", review_comment="x"
        )
        assert response.status_code == 200
        assert "Only editors can publish" in response.content.decode()
        draft.refresh_from_db()
        assert draft.status == Status.DRAFT and draft.lede != "changed"
        assert not ReviewRequest.objects.exists()


class TestReview:
    def test_submit_publish_and_the_request_closes(self, client, contributor, editor):
        client.force_login(contributor)
        draft = ArticleFactory(draft=True, title="Seoul, one year on")
        response = post_article(client, draft, "_submit_review")
        assert response.status_code == 302
        review = ReviewRequest.objects.get()
        assert review.outcome == ReviewState.OPEN
        assert review.requested_by == contributor
        assert review.content_object == draft
        # The editors are told, with a link to the item.
        assert [m.to for m in mail.outbox] == [["eda@example.org"]]
        assert "Seoul, one year on" in mail.outbox[0].subject
        assert change_url(draft) in mail.outbox[0].body
        # Submitting again while it waits opens no second request.
        assert buttons(client.get(change_url(draft))) == ["_save_draft"]

        client.force_login(editor)
        page = client.get(change_url(draft)).content.decode()
        assert "Waiting for review since" in page
        assert 'name="_send_back"' in page
        post_article(client, draft, "_publish")
        draft.refresh_from_db()
        review.refresh_from_db()
        assert draft.is_public()
        assert review.outcome == ReviewState.PUBLISHED and review.decided_by == editor
        assert mail.outbox[-1].to == ["cora@example.org"]

    def test_send_back_needs_a_comment_and_the_contributor_sees_it(
        self, client, contributor, editor
    ):
        draft = ArticleFactory(draft=True)
        review = ReviewRequest.objects.create(
            content_object=draft, requested_by=contributor
        )
        client.force_login(editor)
        response = post_article(client, draft, "_send_back", review_comment="  ")
        assert response.status_code == 200
        assert "write a comment for the contributor" in response.content.decode()
        review.refresh_from_db()
        assert review.outcome == ReviewState.OPEN

        post_article(client, draft, "_send_back", review_comment="Add a source.")
        review.refresh_from_db()
        assert review.outcome == ReviewState.SENT_BACK
        assert review.comment == "Add a source."
        assert mail.outbox[-1].to == ["cora@example.org"]
        assert "Add a source." in mail.outbox[-1].body

        client.force_login(contributor)
        response = client.get(change_url(draft))
        assert "Add a source." in response.content.decode()
        # And may submit it again.
        assert buttons(response) == ["_save_draft", "_submit_review"]

    def test_the_review_list_shows_what_waits(self, client, contributor, editor):
        waiting = ArticleFactory(draft=True, title="Waiting one")
        done = SummitFactory(draft=True, name="Decided one")
        ReviewRequest.objects.create(content_object=waiting, requested_by=contributor)
        ReviewRequest.objects.create(
            content_object=done, requested_by=contributor, outcome=ReviewState.SENT_BACK
        )
        client.force_login(editor)
        page = client.get(reverse("admin:editorial_reviewrequest_changelist"))
        html = page.content.decode()
        assert "Waiting one" in html and "Decided one" not in html
        assert change_url(waiting) in html

    def test_the_review_list_reads_titles_in_constant_queries(
        self, client, editor, contributor, django_assert_max_num_queries
    ):
        client.force_login(editor)
        url = reverse("admin:editorial_reviewrequest_changelist")
        for article in ArticleFactory.create_batch(3, draft=True):
            ReviewRequest.objects.create(
                content_object=article, requested_by=contributor
            )
        for declaration in DeclarationFactory.create_batch(3, draft=True):
            ReviewRequest.objects.create(
                content_object=declaration, requested_by=contributor
            )
        client.get(url)  # warm the content-type cache
        with django_assert_max_num_queries(12) as few:
            client.get(url)
        count = len(few.captured_queries)
        for article in ArticleFactory.create_batch(10, draft=True):
            ReviewRequest.objects.create(
                content_object=article, requested_by=contributor
            )
        with CaptureQueriesContext(connection) as many:
            client.get(url)
        assert len(many.captured_queries) == count

    def test_without_editor_addresses_submitting_still_works(self, client, contributor):
        client.force_login(contributor)
        draft = ArticleFactory(draft=True)
        post_article(client, draft, "_submit_review")
        assert ReviewRequest.objects.open().count() == 1
        assert mail.outbox == []


def test_reverting_restores_the_versions_state_with_a_plain_save(staff_client):
    """The revert screen (reversion's own template) keeps Django's Save button:
    the version's status comes back with the rest of it."""
    import reversion
    from reversion.models import Version

    article = Article.objects.create(title="Bletchley", slug="bletchley", body="x")
    with reversion.create_revision():
        article.save()
    article.status = Status.PUBLISHED
    article.save()
    version = Version.objects.get_for_object(article).get()
    url = reverse("admin:articles_article_revision", args=[article.pk, version.pk])
    html = staff_client.get(url).content.decode()
    assert 'name="_save"' in html
