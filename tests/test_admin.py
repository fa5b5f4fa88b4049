"""The editors' admin: markdown editing, signatures inline and in bulk, guards."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from articles.models import Article
from core.models import Status
from summits.models import Declaration, Signature, Summit
from tests.factories import (
    ArticleFactory,
    DeclarationFactory,
    SignatoryFactory,
    SignatureFactory,
    SummitFactory,
)

pytestmark = pytest.mark.django_db

CONTENT_MODELS = [
    ("summits", "summit"),
    ("summits", "declaration"),
    ("summits", "signatory"),
    ("summits", "signature"),
    ("articles", "article"),
]
MARKDOWN_FIELDS = [
    ("summits", "summit", "body"),
    ("summits", "declaration", "text"),
    ("articles", "article", "body"),
]


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user(
        username="eda", password="pw", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def inline_management(prefix="signatures", total=0, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def declaration_post(**overrides):
    data = {
        "title": "The Bletchley Declaration",
        "slug": "",
        "summit": "",
        "kind": Declaration.Kind.DECLARATION,
        "topic": Declaration.Topic.AI,
        "adopted_on": "2023-11-01",
        "summary": "Countries agree that frontier AI risks need cooperation.",
        "text": "We **resolve** to work together.",
        "source_url": "https://www.gov.uk/bletchley",
        "reported_signatory_count": "",
        "status": Status.DRAFT,
        "published_at_0": "",
        "published_at_1": "",
        "edit_token": "",
        **inline_management(),
    }
    data.update(overrides)
    return data


class TestPagesRender:
    @pytest.mark.parametrize(("app", "model"), CONTENT_MODELS)
    def test_every_changelist_and_add_page_renders_for_an_editor(
        self, editor_client, app, model
    ):
        declaration = DeclarationFactory()
        signature = SignatureFactory(declaration=declaration)
        article = ArticleFactory()
        article.summits.add(declaration.summit)
        listed = {
            "summit": declaration.summit,
            "declaration": declaration,
            "signatory": signature.signatory,
            "signature": signature,
            "article": article,
        }[model]

        changelist = editor_client.get(reverse(f"admin:{app}_{model}_changelist"))
        assert changelist.status_code == 200
        assert list(changelist.context["cl"].result_list) == [listed]
        assert escape(str(listed)) in changelist.content.decode()

        add = editor_client.get(reverse(f"admin:{app}_{model}_add"))
        assert add.status_code == 200
        assert f"<h1>Add {listed._meta.verbose_name}</h1>" in add.content.decode()

    @pytest.mark.parametrize(("app", "model", "field"), MARKDOWN_FIELDS)
    def test_markdown_fields_get_the_live_preview_editor(
        self, editor_client, app, model, field
    ):
        html = editor_client.get(reverse(f"admin:{app}_{model}_add")).content.decode()
        assert f'name="{field}"' in html
        assert 'class="markdownx"' in html
        assert "markdownx-editor" in html
        assert 'data-markdownx-urls-path="/markdownx/markdownify/"' in html
        assert "markdownx/js/markdownx" in html

    def test_change_pages_render_with_their_inlines(self, editor_client):
        declaration = DeclarationFactory()
        signature = SignatureFactory(declaration=declaration)
        pages = [
            (
                reverse(
                    f"admin:summits_{shown._meta.model_name}_change", args=[shown.pk]
                ),
                shown,
            )
            for shown in (
                declaration,
                declaration.summit,
                signature.signatory,
                signature,
            )
        ]
        for url, shown in pages:
            response = editor_client.get(url)
            assert response.status_code == 200, url
            assert response.context["original"] == shown
            assert f"<h2>{escape(str(shown))}</h2>" in response.content.decode(), url

    def test_lists_say_published_scheduled_or_draft(self, editor_client):
        ArticleFactory(title="Out now")
        ArticleFactory(title="Coming soon", scheduled=True)
        ArticleFactory(title="Still writing", draft=True)
        html = editor_client.get(reverse("admin:articles_article_changelist")).content
        html = html.decode()
        assert "pub-state--published" in html
        assert "Scheduled for" in html
        assert "pub-state--draft" in html

    def test_the_publication_filter_uses_the_publishing_rule(self, editor_client):
        ArticleFactory(title="Out now")
        ArticleFactory(title="Coming soon", scheduled=True)
        url = reverse("admin:articles_article_changelist")
        response = editor_client.get(url, {"publication": "scheduled"})
        titles = [a.title for a in response.context["cl"].result_list]
        assert titles == ["Coming soon"]

    def test_declaration_list_shows_how_many_of_the_reported_are_recorded(
        self, editor_client
    ):
        declaration = DeclarationFactory(reported_signatory_count=27)
        SignatureFactory.create_batch(3, declaration=declaration)
        html = editor_client.get(
            reverse("admin:summits_declaration_changelist")
        ).content.decode()
        assert "3 of about 27 recorded" in html

    def test_the_site_header_names_the_site(self, editor_client):
        html = editor_client.get(reverse("admin:index")).content.decode()
        assert "Summit Watch admin" in html

    def test_view_on_site_previews_a_draft(self, editor_client):
        article = ArticleFactory(draft=True)
        response = editor_client.get(
            reverse("admin:articles_article_change", args=[article.pk])
        )
        assert f"{article.get_absolute_url()}?preview=1" in response.content.decode()


class TestDeclarationWithSignatures:
    def test_an_editor_adds_a_declaration_with_signatures_in_one_form(
        self, editor_client
    ):
        summit = SummitFactory(name="AI Safety Summit 2023")
        uk = SignatoryFactory(name="United Kingdom", country="GB")
        china = SignatoryFactory(name="China", country="CN")
        data = declaration_post(summit=str(summit.pk), **inline_management(total=2))
        for i, (signatory, status) in enumerate(
            [(uk, Signature.Status.SIGNED), (china, Signature.Status.SIGNED)]
        ):
            data.update(
                {
                    f"signatures-{i}-signatory": str(signatory.pk),
                    f"signatures-{i}-status": status,
                    f"signatures-{i}-date": "2023-11-01",
                    f"signatures-{i}-ratified_on": "",
                    f"signatures-{i}-source_url": "https://www.gov.uk/bletchley",
                    f"signatures-{i}-note": "",
                }
            )

        response = editor_client.post(reverse("admin:summits_declaration_add"), data)

        assert response.status_code == 302, response.context["adminform"].errors
        declaration = Declaration.objects.get()
        assert declaration.slug == "the-bletchley-declaration"
        assert declaration.summit == summit
        assert (
            declaration.text_html
            == "<p>We <strong>resolve</strong> to work together.</p>"
        )
        assert sorted(
            declaration.signatures.values_list("signatory__name", "status")
        ) == [("China", "signed"), ("United Kingdom", "signed")]

    def test_nul_characters_are_refused_with_a_message_not_a_crash(self, editor_client):
        # PostgreSQL text cannot hold U+0000; the form must stop it first.
        data = declaration_post(title="Bletchley\x00", text="We resolve\x00.")
        response = editor_client.post(reverse("admin:summits_declaration_add"), data)
        assert response.status_code == 200
        errors = response.context["adminform"].form.errors
        assert "Null characters are not allowed." in errors["title"]
        assert "Null characters are not allowed." in errors["text"]
        assert not Declaration.objects.exists()

    def test_markdown_over_the_length_limit_is_refused_with_a_message(
        self, editor_client
    ):
        from core.markdown import MARKDOWN_MAX_CHARS

        data = declaration_post(text="x" * (MARKDOWN_MAX_CHARS + 1))
        response = editor_client.post(reverse("admin:summits_declaration_add"), data)
        assert response.status_code == 200
        (error,) = response.context["adminform"].form.errors["text"]
        assert error.startswith("Keep this under 100000 characters")
        assert not Declaration.objects.exists()

    def test_the_same_signatory_twice_in_the_inline_is_refused(self, editor_client):
        uk = SignatoryFactory(name="United Kingdom")
        data = declaration_post(**inline_management(total=2))
        for i in range(2):
            data.update(
                {
                    f"signatures-{i}-signatory": str(uk.pk),
                    f"signatures-{i}-status": "signed",
                    f"signatures-{i}-source_url": "https://example.org/a",
                }
            )
        response = editor_client.post(reverse("admin:summits_declaration_add"), data)
        assert response.status_code == 200
        assert not Declaration.objects.exists()
        assert "Please correct the duplicate data" in response.content.decode()

    def test_thirty_signature_rows_cost_no_more_queries_than_three(self, editor_client):
        def render(declaration):
            url = reverse("admin:summits_declaration_change", args=[declaration.pk])
            with CaptureQueriesContext(connection) as queries:
                html = editor_client.get(url).content.decode()
            return len(queries), html

        few = DeclarationFactory()
        SignatureFactory.create_batch(3, declaration=few)
        many = DeclarationFactory()
        SignatureFactory.create_batch(30, declaration=many)
        render(few)  # warm the per-process caches (content types, session)

        few_queries, _ = render(few)
        many_queries, html = render(many)

        assert many_queries == few_queries
        for signature in many.signatures.select_related("signatory"):
            assert (
                f'<option value="{signature.signatory_id}" selected>'
                f"{signature.signatory.name}</option>"
            ) in html

    def test_the_change_form_links_to_bulk_add(self, editor_client):
        declaration = DeclarationFactory()
        html = editor_client.get(
            reverse("admin:summits_declaration_change", args=[declaration.pk])
        ).content.decode()
        assert (
            reverse("admin:summits_declaration_bulk_add", args=[declaration.pk]) in html
        )


class TestBulkAdd:
    @pytest.fixture
    def declaration(self):
        return DeclarationFactory(title="Paris statement")

    @pytest.fixture
    def countries(self):
        return {
            name: SignatoryFactory(name=name, country=code)
            for name, code in [
                ("France", "FR"),
                ("India", "IN"),
                ("China", "CN"),
                ("Türkiye", "TR"),
                ("United Kingdom", "GB"),
            ]
        }

    def bulk_add(self, client, declaration, names, **extra):
        data = {
            "names": names,
            "status": "signed",
            "date": "2025-02-11",
            "source_url": "https://www.elysee.fr/statement",
            "note": "",
            **extra,
        }
        return client.post(
            reverse("admin:summits_declaration_bulk_add", args=[declaration.pk]),
            data,
            follow=True,
        )

    def test_pasted_names_codes_and_country_names_are_all_added(
        self, editor_client, declaration, countries
    ):
        response = self.bulk_add(
            editor_client,
            declaration,
            "- france\n  INDIA  \n\nCHN\n3. Turkey,\n",
        )

        assert response.redirect_chain[-1][0] == reverse(
            "admin:summits_declaration_change", args=[declaration.pk]
        )
        added = declaration.signatures.order_by("signatory__name")
        assert [s.signatory.name for s in added] == [
            "China",
            "France",
            "India",
            "Türkiye",
        ]
        assert {s.source_url for s in added} == {"https://www.elysee.fr/statement"}
        assert {s.signed_on for s in added} == {datetime.date(2025, 2, 11)}
        assert "Added 4 signatures." in response.content.decode()

    def test_one_unknown_name_saves_nothing_and_is_named(
        self, editor_client, declaration, countries
    ):
        response = self.bulk_add(
            editor_client, declaration, "France\nAtlantis\nIndai\nChina"
        )

        assert response.status_code == 200
        assert not declaration.signatures.exists()
        html = response.content.decode()
        assert "Nothing was saved" in html
        assert "Line 2, “Atlantis”: not found." in html
        # Each unknown line offers its closest names as buttons.
        assert 'data-line="3"\n                data-text="India"' in html

    def test_declining_is_recorded_as_a_refusal(
        self, editor_client, declaration, countries
    ):
        self.bulk_add(editor_client, declaration, "GB", status="declined")
        signature = declaration.signatures.get()
        assert signature.signatory.name == "United Kingdom"
        assert signature.status == Signature.Status.DECLINED

    def test_already_recorded_signatories_are_skipped_and_keep_their_source(
        self, editor_client, declaration, countries
    ):
        SignatureFactory(
            declaration=declaration,
            signatory=countries["France"],
            source_url="https://example.org/original",
        )

        response = self.bulk_add(
            editor_client, declaration, "France\nIndia\nIndia\nIND"
        )

        html = response.content.decode()
        assert "Added 1 signature." in html
        assert "Already recorded, left unchanged: France." in html
        assert "Listed more than once, added once: India." in html
        assert declaration.signatures.count() == 2
        assert (
            declaration.signatures.get(signatory__name="France").source_url
            == "https://example.org/original"
        )

    def test_a_source_is_required(self, editor_client, declaration, countries):
        response = self.bulk_add(editor_client, declaration, "France", source_url="")
        assert response.status_code == 200
        assert not declaration.signatures.exists()
        assert "This field is required" in response.content.decode()

    def test_the_bulk_add_is_in_the_declarations_history(
        self, editor_client, declaration, countries
    ):
        self.bulk_add(editor_client, declaration, "France\nIndia")
        history = editor_client.get(
            reverse("admin:summits_declaration_history", args=[declaration.pk])
        ).content.decode()
        assert "Bulk-added 2 signatures: France, India" in history

    def test_an_unknown_declaration_is_a_404(self, editor_client):
        url = reverse("admin:summits_declaration_bulk_add", args=[999999])
        assert editor_client.get(url).status_code == 404


class TestPublishActions:
    def test_an_editor_publishes_drafts_from_the_list(self, editor_client):
        draft = ArticleFactory(draft=True)
        response = editor_client.post(
            reverse("admin:articles_article_changelist"),
            {"action": "publish", "_selected_action": [draft.pk]},
            follow=True,
        )
        draft.refresh_from_db()
        assert draft.is_published
        assert "1 published." in response.content.decode()

    def test_unpublish_moves_items_back_to_draft(self, editor_client):
        summit = SummitFactory()
        editor_client.post(
            reverse("admin:summits_summit_changelist"),
            {"action": "unpublish", "_selected_action": [summit.pk]},
        )
        summit.refresh_from_db()
        assert summit.status == Status.DRAFT
        assert not Summit.objects.published().exists()

    def test_publishing_a_draft_dated_ahead_schedules_it(self, editor_client):
        ahead = timezone.now() + datetime.timedelta(days=3)
        draft = ArticleFactory(draft=True, published_at=ahead)
        response = editor_client.post(
            reverse("admin:articles_article_changelist"),
            {"action": "publish", "_selected_action": [draft.pk]},
            follow=True,
        )
        draft.refresh_from_db()
        assert draft.is_scheduled
        assert "1 scheduled" in response.content.decode()


class TestNoLostChanges:
    def test_saving_over_another_editors_newer_version_is_refused(
        self, editor_client, django_user_model
    ):
        article = ArticleFactory(title="First title", draft=True)
        url = reverse("admin:articles_article_change", args=[article.pk])
        form = editor_client.get(url).context["adminform"].form
        opened_token = form["edit_token"].value()

        # Meanwhile another editor saves the same article.
        other = django_user_model.objects.create_superuser("bea", password="pw")
        other_client = type(editor_client)()
        other_client.force_login(other)
        data = article_post(article, title="Their title", edit_token=opened_token)
        assert other_client.post(url, data).status_code == 302

        response = editor_client.post(
            url, article_post(article, title="My title", edit_token=opened_token)
        )

        assert response.status_code == 200
        assert "bea saved this article" in response.content.decode()
        article.refresh_from_db()
        assert article.title == "Their title"

    def test_a_fresh_form_saves(self, editor_client):
        article = ArticleFactory(title="First title", draft=True)
        url = reverse("admin:articles_article_change", args=[article.pk])
        token = editor_client.get(url).context["adminform"].form["edit_token"].value()
        response = editor_client.post(
            url, article_post(article, title="Better title", edit_token=token)
        )
        assert response.status_code == 302
        article.refresh_from_db()
        assert article.title == "Better title"


def article_post(article, **overrides):
    data = {
        "title": article.title,
        "slug": article.slug,
        "kind": article.kind,
        "lede": article.lede,
        "body": article.body,
        "author_name": article.author_name,
        "outlet": "",
        "original_url": "",
        "original_published_on": "",
        "cover_image_alt": "",
        "status": article.status,
        "published_at_0": "",
        "published_at_1": "",
        "edit_token": "",
    }
    data.update(overrides)
    return data


class TestAccess:
    MARKDOWNX_URLS = ["/markdownx/markdownify/", "/markdownx/upload/"]

    def test_anonymous_visitors_are_sent_to_the_admin_login(self, client):
        response = client.get("/admin/")
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))

    @pytest.mark.parametrize("url", MARKDOWNX_URLS)
    def test_anonymous_visitors_cannot_use_the_markdown_tools(self, client, url):
        assert client.post(url, {"content": "**x**"}).status_code == 403

    @pytest.mark.parametrize("url", MARKDOWNX_URLS)
    def test_signed_in_non_staff_cannot_use_the_markdown_tools(
        self, client, django_user_model, url
    ):
        reader = django_user_model.objects.create_user("reader", password="pw")
        client.force_login(reader)
        assert client.post(url, {"content": "**x**"}).status_code == 403

    def test_staff_preview_goes_through_the_one_pipeline(self, editor_client):
        response = editor_client.post(
            "/markdownx/markdownify/",
            {"content": "**bold** <script>alert(1)</script>"},
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert "<strong>bold</strong>" in html
        assert "<script>" not in html

    def test_non_staff_cannot_open_bulk_add(self, client, django_user_model):
        declaration = DeclarationFactory()
        reader = django_user_model.objects.create_user("reader", password="pw")
        client.force_login(reader)
        url = reverse("admin:summits_declaration_bulk_add", args=[declaration.pk])
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_the_article_editor_round_trip_renders_markdown_on_save(editor_client):
    data = article_post(
        Article(title="Why summits matter", kind="post", lede="Short.", body=""),
        body="Summits **matter**.",
    )
    response = editor_client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.body_html == "<p>Summits <strong>matter</strong>.</p>"
