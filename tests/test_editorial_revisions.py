"""An editor can undo any change: history, compare, revert, recover.

Every admin save records a revision (user, time, comment) through
django-reversion; reverting a declaration brings its signatures back; a
deleted article can be recovered; imports record revisions too.
"""

import datetime
from html.parser import HTMLParser

import pytest
import reversion
from django.urls import reverse
from reversion.models import Version

from articles.models import Article
from editorial.revisions import audit_trail, import_revision
from summits.models import Declaration, Signature
from tests.factories import (
    ArticleFactory,
    DeclarationFactory,
    SignatoryFactory,
    SignatureFactory,
)

pytestmark = pytest.mark.django_db


class _FormScraper(HTMLParser):
    """Collects what a browser would submit from the admin's change form."""

    def __init__(self):
        super().__init__()
        self.data, self.in_form, self.select, self.textarea = [], False, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id", "").endswith("_form"):
            self.in_form = True
        if not self.in_form:
            return
        # Options carry no name of their own: they belong to the open <select>.
        if tag == "option":
            if self.select and "selected" in attrs:
                self.data.append((self.select, attrs.get("value", "")))
            return
        name = attrs.get("name")
        if not name or "__prefix__" in name:
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data.append((name, attrs.get("value") or "on"))
                return
            self.data.append((name, attrs.get("value") or ""))
        elif tag == "select":
            self.select = name
        elif tag == "textarea":
            self.textarea = name
            self.data.append((name, ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, text):
        if self.textarea:
            name, value = self.data[-1]
            # Browsers drop the newline that follows <textarea>.
            value = (value + text).removeprefix("\n") if not value else value + text
            self.data[-1] = (name, value)


def form_data(response, **changes):
    """The change form as a browser would send it, with `changes` applied."""
    scraper = _FormScraper()
    scraper.feed(response.content.decode())
    data = {}
    for name, value in scraper.data:
        data.setdefault(name, []).append(value)
    for name, value in changes.items():
        data[name] = value if isinstance(value, list) else [value]
    data["_save"] = ["Save"]
    return data


def change_url(obj):
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


def save_in_admin(client, obj, **changes):
    """Open the change form, change some fields, press Save."""
    url = change_url(obj)
    response = client.post(url, form_data(client.get(url), **changes))
    assert response.status_code == 302, response.content.decode()[:3000]
    return response


def revisions_of(obj):
    return Version.objects.get_for_object(obj).select_related("revision__user")


def test_each_admin_save_records_a_revision_with_user_time_and_comment(
    staff_client, staff_user
):
    article = ArticleFactory(title="First title")
    save_in_admin(staff_client, article, title="Second title")
    save_in_admin(staff_client, article, lede="A new lede.")

    versions = list(revisions_of(article).order_by("pk"))
    assert len(versions) == 2
    assert [v.field_dict["title"] for v in versions] == ["Second title"] * 2
    assert versions[1].field_dict["lede"] == "A new lede."
    for version in versions:
        assert version.revision.user == staff_user
        assert version.revision.date_created is not None
    assert "Title" in versions[0].revision.get_comment()
    assert "Lede" in versions[1].revision.get_comment()


def test_an_editor_reverts_an_article_to_an_earlier_revision(staff_client):
    article = ArticleFactory(title="Accurate title", body="The *right* text.")
    save_in_admin(staff_client, article, title="Accurate title")
    save_in_admin(staff_client, article, title="Wrong title", body="Vandalised.")

    history = staff_client.get(
        reverse("admin:articles_article_history", args=[article.pk])
    )
    assert history.status_code == 200
    first = revisions_of(article).order_by("pk").first()
    revert_url = reverse("admin:articles_article_revision", args=[article.pk, first.pk])
    assert revert_url in history.content.decode()

    form = staff_client.get(revert_url)
    assert form.status_code == 200
    assert "Accurate title" in form.content.decode()
    article.refresh_from_db()
    assert article.title == "Wrong title", "looking at a revision changes nothing"

    response = staff_client.post(revert_url, form_data(form))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "Accurate title"
    assert article.body == "The *right* text."
    assert "<em>right</em>" in article.body_html
    latest = revisions_of(article).order_by("-pk").first()
    assert "Reverted" in latest.revision.get_comment()


def test_reverting_a_declaration_restores_its_signatures(staff_client):
    declaration = DeclarationFactory(title="Seoul Declaration")
    kept = SignatureFactory(declaration=declaration, signatory__name="France")
    SignatureFactory(declaration=declaration, signatory__name="India")
    save_in_admin(staff_client, declaration)  # the good revision
    good = revisions_of(declaration).order_by("pk").last()

    # Someone then declines France's signature and deletes India's.
    url = change_url(declaration)
    data = form_data(staff_client.get(url))
    rows = {data[f"signatures-{i}-id"][0]: i for i in range(2)}
    france, india = rows[str(kept.pk)], 1 - rows[str(kept.pk)]
    data[f"signatures-{france}-status"] = [Signature.Status.DECLINED]
    # A refusal carries no signature date (the model's rule).
    data[f"signatures-{france}-signed_on"] = [""]
    data[f"signatures-{india}-DELETE"] = ["on"]
    assert staff_client.post(url, data).status_code == 302
    assert declaration.signatures.count() == 1

    revert_url = reverse(
        "admin:summits_declaration_revision", args=[declaration.pk, good.pk]
    )
    form = staff_client.get(revert_url)
    assert staff_client.post(revert_url, form_data(form)).status_code == 302

    restored = {
        s.signatory.name: s.status
        for s in declaration.signatures.select_related("signatory")
    }
    assert restored == {"France": "signed", "India": "signed"}


def test_a_deleted_article_can_be_recovered(staff_client):
    article = ArticleFactory(title="Worth keeping", body="Hours of *work*.")
    delete_url = reverse("admin:articles_article_delete", args=[article.pk])
    assert staff_client.post(delete_url, {"post": "yes"}).status_code == 302
    assert not Article.objects.filter(title="Worth keeping").exists()

    recover_list = staff_client.get(reverse("admin:articles_article_recoverlist"))
    assert "Worth keeping" in recover_list.content.decode()
    deleted = Version.objects.get_deleted(Article).get()
    recover_url = reverse("admin:articles_article_recover", args=[deleted.pk])
    form = staff_client.get(recover_url)
    assert form.status_code == 200
    assert staff_client.post(recover_url, form_data(form)).status_code == 302

    recovered = Article.objects.get(title="Worth keeping")
    assert recovered.body == "Hours of *work*."


def test_the_history_compares_two_revisions_field_by_field(staff_client):
    declaration = DeclarationFactory(text="We agree.\nWe will meet again.")
    SignatureFactory(declaration=declaration, signatory__name="Japan")
    save_in_admin(staff_client, declaration)
    url = change_url(declaration)
    data = form_data(
        staff_client.get(url),
        title="Renamed declaration",
        text="We agree.\nWe will never meet again.",
    )
    # Add a signature through the inline's first empty row.
    kenya = SignatoryFactory(name="Kenya")
    extra = int(data["signatures-INITIAL_FORMS"][0])
    data[f"signatures-{extra}-signatory"] = [str(kenya.pk)]
    data[f"signatures-{extra}-status"] = ["signed"]
    data[f"signatures-{extra}-source_url"] = ["https://example.org/kenya"]
    assert staff_client.post(url, data).status_code == 302

    older, newer = revisions_of(declaration).order_by("pk")
    history = staff_client.get(
        reverse("admin:summits_declaration_history", args=[declaration.pk])
    ).content.decode()
    assert "Compare selected revisions" in history

    compare = staff_client.get(
        reverse("admin:summits_declaration_compare", args=[declaration.pk]),
        {"older": older.pk, "newer": newer.pk},
    )
    assert compare.status_code == 200
    page = compare.content.decode()
    assert "Renamed declaration" in page
    assert "We will never meet again." in page
    assert "Kenya" in page and "added" in page
    assert "Japan" not in page, "an unchanged signature is not listed"


def test_publishing_from_the_list_is_recorded_too(staff_client, staff_user):
    article = ArticleFactory(draft=True)
    staff_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish", "_selected_action": [article.pk]},
    )
    version = revisions_of(article).get()
    assert version.revision.user == staff_user
    assert version.field_dict["status"] == "published"


def test_the_change_form_says_who_created_edited_and_published_an_item(
    staff_client, django_user_model
):
    writer = django_user_model.objects.create_user(
        "writer", is_staff=True, is_superuser=True, first_name="Wren", last_name="Ito"
    )
    staff_client.force_login(writer)
    response = staff_client.post(
        reverse("admin:articles_article_add"),
        {
            "title": "Draft by Wren",
            "slug": "draft-by-wren",
            "kind": "post",
            "lede": "",
            "body": "Text.",
            "author_name": "",
            "outlet": "",
            "original_url": "",
            "original_published_on": "",
            "cover_image_alt": "",
            "status": "draft",
            "published_at_0": "",
            "published_at_1": "",
            "edit_token": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get(slug="draft-by-wren")

    publisher = django_user_model.objects.create_user(
        "pub", is_staff=True, is_superuser=True, first_name="Pat"
    )
    staff_client.force_login(publisher)
    save_in_admin(staff_client, article, _publish="Publish")
    article.refresh_from_db()

    trail = audit_trail(article)
    assert trail["created"].startswith("Wren Ito, ")
    assert trail["last_edited"].startswith("Pat, ")
    assert trail["published"].startswith("Pat, ")

    page = staff_client.get(change_url(article)).content.decode()
    assert "Who did what" in page
    assert "Wren Ito" in page and "Pat" in page


def test_an_import_records_one_revision_with_its_comment():
    declaration = DeclarationFactory()
    with import_revision("Imported from export.json"):
        declaration.title = "Imported title"
        declaration.save()
        ArticleFactory(title="Imported article")

    version = revisions_of(declaration).get()
    assert version.revision.get_comment() == "Imported from export.json"
    assert version.revision.user is None
    article_version = revisions_of(Article.objects.get(title="Imported article"))
    assert article_version.get().revision == version.revision
    assert audit_trail(declaration)["last_edited"].startswith("an import, ")


def test_only_a_declaration_follows_its_related_rows():
    # A summit shows its declarations inline, but reverting a summit must
    # never delete declarations added since.
    declaration = DeclarationFactory()
    with reversion.create_revision():
        declaration.summit.save()
    summit_revision = revisions_of(declaration.summit).get().revision
    assert [v.content_type.model for v in summit_revision.version_set.all()] == [
        "summit"
    ]
    assert Declaration.objects.filter(pk=declaration.pk).exists()


def test_import_content_records_its_writes_as_one_revision(tmp_path):
    from tests.exchange_helpers import export, import_file

    declaration = DeclarationFactory(title="Before")
    SignatureFactory(declaration=declaration)
    path = tmp_path / "site.json"
    path.write_text(export("--no-timestamp").replace('"Before"', '"After"'))

    import_file(path)

    version = revisions_of(declaration).get()
    assert version.revision.get_comment() == f"Imported from {path}"
    assert version.field_dict["title"] == "After"
    # An import that changes nothing adds nothing to anyone's history.
    import_file(path)
    assert revisions_of(declaration).count() == 1


def test_an_item_published_before_its_history_began_credits_nobody():
    # Its first revision is a later edit; the editor who made it did not
    # publish it.
    article = ArticleFactory(title="Old news")
    article.created_at -= datetime.timedelta(days=30)
    article.save()
    with reversion.create_revision():
        article.title = "Old news, corrected"
        article.save()
    trail = audit_trail(article)
    assert trail["created"] == "before history began"
    assert trail["published"] == "before history began"


def test_an_item_imported_published_was_published_by_the_import(tmp_path):
    with import_revision("Imported from export.json"):
        article = ArticleFactory(title="Fresh")
    assert audit_trail(article)["published"].startswith("an import, ")


def test_a_signature_changed_on_its_own_page_makes_an_open_declaration_stale(
    staff_client, django_user_model
):
    declaration = DeclarationFactory(draft=True)
    signature = SignatureFactory(declaration=declaration, note="Original note")
    url = change_url(declaration)
    opened = form_data(staff_client.get(url))  # editor A opens the declaration

    # Editor B corrects the signature on the signature's own page.
    other = django_user_model.objects.create_superuser("bea", password="pw")
    other_client = type(staff_client)()
    other_client.force_login(other)
    save_in_admin(other_client, signature, note="Corrected by Bea")

    # A saves the declaration form opened before that: refused, Bea's note kept.
    opened["signatures-0-note"] = ["A's stale note"]
    response = staff_client.post(url, opened)
    assert response.status_code == 200
    assert "after you opened it" in response.content.decode()
    signature.refresh_from_db()
    assert signature.note == "Corrected by Bea"


def test_the_history_screen_reads_the_same_queries_however_long_the_history(
    client, django_user_model, django_assert_num_queries
):
    # session, user, the item, its versions (with their users; the audit
    # trail is read from them too) and the admin log: nothing per revision.
    declaration = DeclarationFactory(title="Bletchley Declaration")
    SignatureFactory(declaration=declaration, signatory__name="Japan")
    url = reverse("admin:summits_declaration_history", args=[declaration.pk])
    first = django_user_model.objects.create_user(
        "first", is_staff=True, is_superuser=True
    )
    client.force_login(first)
    save_in_admin(client, declaration, title="Bletchley Declaration, first")
    with django_assert_num_queries(5):
        assert client.get(url).status_code == 200

    # More revisions, each by another editor, and one by an import.
    for number in range(3):
        editor = django_user_model.objects.create_user(
            f"editor-{number}", is_staff=True, is_superuser=True
        )
        client.force_login(editor)
        save_in_admin(client, declaration, title=f"Bletchley Declaration, {number}")
    with import_revision("Imported from export.json"):
        declaration.refresh_from_db()
        declaration.save()
    assert revisions_of(declaration).count() == 5

    with django_assert_num_queries(5):
        page = client.get(url).content.decode()
    for name in ("first", "editor-0", "editor-1", "editor-2", "an import"):
        assert name in page
