"""Editors publish; contributors write drafts and cannot publish by any route."""

import pytest
import reversion
from django.contrib.auth.models import Group
from django.urls import reverse
from reversion.models import Version

from articles.models import Article
from core.admin import user_can_publish
from core.models import Status
from tests.factories import (
    ArticleFactory,
    DeclarationFactory,
    SignatoryFactory,
    SignatureFactory,
)

pytestmark = pytest.mark.django_db


def staff_in(django_user_model, username, group):
    user = django_user_model.objects.create_user(
        username=username, password="pw", is_staff=True
    )
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def contributor(django_user_model):
    return staff_in(django_user_model, "cora", "Contributors")


@pytest.fixture
def contributor_client(client, contributor):
    client.force_login(contributor)
    return client


def article_form(**overrides):
    data = {
        "title": "Paris summit: what changed",
        "slug": "",
        "kind": Article.Kind.POST,
        "lede": "Safety became one track of five.",
        "body": "The summit was **renamed**.",
        "author_name": "Cora",
        "outlet": "",
        "original_url": "",
        "original_published_on": "",
        "cover_image_alt": "",
        "status": Status.DRAFT,
        "published_at_0": "",
        "published_at_1": "",
        "edit_token": "",
    }
    data.update(overrides)
    return data


class TestWhoMayPublish:
    def test_editors_and_superusers_may_publish_contributors_may_not(
        self, django_user_model, contributor
    ):
        editor = staff_in(django_user_model, "eda", "Editors")
        boss = django_user_model.objects.create_superuser("boss", password="pw")
        assert user_can_publish(editor)
        assert user_can_publish(boss)
        assert not user_can_publish(contributor)

    def test_an_inactive_editor_may_not(self, django_user_model):
        editor = staff_in(django_user_model, "eda", "Editors")
        editor.is_active = False
        assert not user_can_publish(editor)

    def test_the_groups_exist_with_the_right_permissions(self):
        editors = set(
            Group.objects.get(name="Editors").permissions.values_list(
                "codename", flat=True
            )
        )
        contributors = set(
            Group.objects.get(name="Contributors").permissions.values_list(
                "codename", flat=True
            )
        )
        assert {"delete_article", "delete_signature", "add_summit"} <= editors
        assert {"add_article", "change_declaration", "view_summit"} <= contributors
        assert not any(code.startswith("delete_") for code in contributors)


class TestContributor:
    def test_a_contributor_saves_a_draft(self, contributor_client):
        response = contributor_client.post(
            reverse("admin:articles_article_add"), article_form()
        )
        assert response.status_code == 302
        article = Article.objects.get()
        assert article.status == Status.DRAFT
        assert article.body_html == "<p>The summit was <strong>renamed</strong>.</p>"

    def test_a_crafted_publish_post_is_refused_with_a_clear_message(
        self, contributor_client
    ):
        response = contributor_client.post(
            reverse("admin:articles_article_add"),
            article_form(_publish="Publish"),
        )
        assert response.status_code == 200
        assert "Only editors can publish" in response.content.decode()
        assert not Article.objects.exists()

    def test_publishing_an_existing_draft_is_refused_and_it_stays_a_draft(
        self, contributor_client
    ):
        draft = ArticleFactory(draft=True, title="Work in progress")
        url = reverse("admin:articles_article_change", args=[draft.pk])
        response = contributor_client.post(
            url,
            article_form(title=draft.title, slug=draft.slug, _publish="Publish"),
        )
        assert response.status_code == 200
        assert "Only editors can publish" in response.content.decode()
        draft.refresh_from_db()
        assert draft.status == Status.DRAFT
        assert not Article.objects.published().exists()

    def test_the_publish_actions_are_not_offered(self, contributor_client):
        ArticleFactory(draft=True)
        response = contributor_client.get(reverse("admin:articles_article_changelist"))
        # With no action left to offer, the admin drops the action bar.
        action_form = response.context["action_form"]
        actions = dict(action_form.fields["action"].choices) if action_form else {}
        assert "publish" not in actions
        assert "unpublish" not in actions
        assert "delete_selected" not in actions

    def test_a_crafted_publish_action_does_nothing(self, contributor_client):
        draft = ArticleFactory(draft=True)
        contributor_client.post(
            reverse("admin:articles_article_changelist"),
            {"action": "publish", "_selected_action": [draft.pk]},
        )
        draft.refresh_from_db()
        assert draft.status == Status.DRAFT

    def test_a_contributor_cannot_delete(self, contributor_client):
        draft = ArticleFactory(draft=True)
        url = reverse("admin:articles_article_delete", args=[draft.pk])
        assert contributor_client.get(url).status_code == 403
        assert contributor_client.post(url, {"post": "yes"}).status_code == 403
        assert Article.objects.filter(pk=draft.pk).exists()

    def test_published_content_is_read_only_for_a_contributor(self, contributor_client):
        published = ArticleFactory(title="Live article")
        url = reverse("admin:articles_article_change", args=[published.pk])

        page = contributor_client.get(url)
        assert page.status_code == 200
        assert page.context["has_change_permission"] is False

        response = contributor_client.post(
            url, article_form(title="Vandalised", status=Status.DRAFT)
        )
        assert response.status_code == 403
        published.refresh_from_db()
        assert published.title == "Live article"
        assert published.status == Status.PUBLISHED

    def test_reverting_a_published_item_to_a_draft_revision_is_refused(
        self, contributor_client, django_user_model
    ):
        # reversion's revert view reverts first, then checks permission on
        # the reverted (draft) object: the check must see the live item.
        editor = staff_in(django_user_model, "ed", "Editors")
        article = ArticleFactory(title="Draft text", draft=True)
        with reversion.create_revision():
            reversion.set_user(editor)
            article.save()
        draft_version = Version.objects.get_for_object(article).get()
        with reversion.create_revision():
            article.title, article.status = "Published text", Status.PUBLISHED
            article.save()
        url = reverse(
            "admin:articles_article_revision", args=[article.pk, draft_version.pk]
        )

        response = contributor_client.post(
            url, article_form(title="Vandalised", status=Status.DRAFT)
        )

        assert response.status_code == 403
        article.refresh_from_db()
        assert (article.title, article.status) == ("Published text", "published")

    def test_reverting_a_draft_to_a_published_revision_is_refused(
        self, contributor_client
    ):
        article = ArticleFactory(title="Once public")
        with reversion.create_revision():
            article.save()
        published_version = Version.objects.get_for_object(article).get()
        article.status = Status.DRAFT
        article.save()
        url = reverse(
            "admin:articles_article_revision", args=[article.pk, published_version.pk]
        )
        assert contributor_client.get(url).status_code == 403
        article.refresh_from_db()
        assert article.status == Status.DRAFT

    def test_a_contributor_may_add_a_signatory_but_not_change_a_public_one(
        self, contributor_client
    ):
        china = SignatoryFactory(name="China", website="https://gov.cn/")
        url = reverse("admin:summits_signatory_change", args=[china.pk])
        assert contributor_client.get(url).context["has_change_permission"] is False
        response = contributor_client.post(
            url,
            {"name": "China", "slug": china.slug, "kind": "country",
             "website": "https://evil.example/", "description": "",
             "signatures-TOTAL_FORMS": "0", "signatures-INITIAL_FORMS": "0"},
        )  # fmt: skip
        assert response.status_code == 403
        china.refresh_from_db()
        assert china.website == "https://gov.cn/"
        add = contributor_client.get(reverse("admin:summits_signatory_add"))
        assert add.status_code == 200

    def test_signatures_of_a_published_declaration_are_read_only(
        self, contributor_client
    ):
        declaration = DeclarationFactory()
        signature = SignatureFactory(declaration=declaration)
        bulk_add = reverse("admin:summits_declaration_bulk_add", args=[declaration.pk])
        assert contributor_client.get(bulk_add).status_code == 403

        url = reverse("admin:summits_signature_change", args=[signature.pk])
        response = contributor_client.post(
            url,
            {
                "declaration": declaration.pk,
                "signatory": signature.signatory.pk,
                "status": "declined",
                "source_url": "https://example.org",
            },
        )
        assert response.status_code == 403
        signature.refresh_from_db()
        assert signature.status == "signed"

    def test_no_signature_may_be_added_to_a_published_declaration(
        self, contributor_client
    ):
        declaration = DeclarationFactory()
        response = contributor_client.post(
            reverse("admin:summits_signature_add"),
            {
                "declaration": declaration.pk,
                "signatory": SignatoryFactory().pk,
                "status": "signed",
                "source_url": "https://example.org",
                "edit_token": "",
            },
        )
        assert response.status_code == 200
        assert "only editors can add" in response.content.decode()
        assert not declaration.signatures.exists()

    def test_a_contributor_bulk_adds_to_a_draft_declaration(self, contributor_client):
        declaration = DeclarationFactory(draft=True)
        SignatoryFactory(name="Kenya", country="KE")
        response = contributor_client.post(
            reverse("admin:summits_declaration_bulk_add", args=[declaration.pk]),
            {"names": "Kenya", "status": "signed", "source_url": "https://a.example"},
        )
        assert response.status_code == 302
        assert declaration.signatures.get().signatory.name == "Kenya"


class TestEditor:
    def test_an_editor_publishes_from_the_form(self, client, django_user_model):
        client.force_login(staff_in(django_user_model, "eda", "Editors"))
        response = client.post(
            reverse("admin:articles_article_add"),
            article_form(_publish="Publish"),
        )
        assert response.status_code == 302
        assert Article.objects.published().count() == 1

    def test_an_editor_deletes(self, client, django_user_model):
        client.force_login(staff_in(django_user_model, "eda", "Editors"))
        article = ArticleFactory()
        url = reverse("admin:articles_article_delete", args=[article.pk])
        assert client.post(url, {"post": "yes"}).status_code == 302
        assert not Article.objects.exists()


def _editor_groups_migration():
    from importlib import import_module

    return import_module("editorial.migrations.0002_editor_groups")


def _group_permissions():
    return {
        group.name: sorted(group.permissions.values_list("codename", flat=True))
        for group in Group.objects.filter(name__in=["Editors", "Contributors"])
    }


def test_the_editor_groups_come_from_editorial_and_are_never_duplicated():
    from django.apps import apps

    made_by_migrations = _group_permissions()
    assert "delete_article" in made_by_migrations["Editors"]
    assert "delete_article" not in made_by_migrations["Contributors"]
    assert "change_signature" in made_by_migrations["Contributors"]

    # Run again over the groups a database already has (e.g. from the old
    # articles migration): same two groups, same permissions.
    _editor_groups_migration().create_groups(apps, None)
    assert Group.objects.filter(name__in=["Editors", "Contributors"]).count() == 2
    assert _group_permissions() == made_by_migrations

    # And on a database without them, it makes them as they were, for the
    # models it knows (later models grant theirs in their own migrations).
    migration = _editor_groups_migration()
    known = {
        f"{action}_{model}"
        for models in migration.CONTENT_MODELS.values()
        for model in models
        for action in ("view", "add", "change", "delete")
    }
    Group.objects.filter(name__in=["Editors", "Contributors"]).delete()
    migration.create_groups(apps, None)
    assert _group_permissions() == {
        name: [codename for codename in codenames if codename in known]
        for name, codenames in made_by_migrations.items()
    }
