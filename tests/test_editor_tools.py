"""Editors' tools: the media library, removed-HTML reports, and small fixes."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image as PillowImage

from core.markdown import removed_html
from core.models import Image
from editorial.models import PreviewLink
from tests.factories import ArticleFactory, PageFactory, SummitFactory

pytestmark = pytest.mark.django_db

UPLOAD_URL = "/markdownx/upload/"
LIBRARY_URL = "/markdownx/images/"


@pytest.fixture(autouse=True)
def media_root(local_media):
    """Every test here stores media in a folder of its own; the library
    stories that store files run again on S3 (`media`)."""
    return local_media


@pytest.fixture
def media(media_storage):
    return media_storage


def png(size=(12, 8)):
    buffer = io.BytesIO()
    PillowImage.new("RGB", size, "blue").save(buffer, format="PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


def upload(client, alt_text="Delegates at the summit table", file=None):
    return client.post(
        UPLOAD_URL,
        {"image": file or png(), "alt_text": alt_text},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )


# --- media library ------------------------------------------------------------


def test_an_upload_becomes_a_library_record_with_its_alt_text(
    admin_client, admin_user, media
):
    response = upload(admin_client)
    assert response.status_code == 200
    image = Image.objects.get()
    assert image.file.name in media.uploads()
    assert (image.alt_text, image.uploaded_by, image.width, image.height) == (
        "Delegates at the summit table", admin_user, 12, 8
    )  # fmt: skip
    assert response.json()["image_code"] == (
        f"![Delegates at the summit table]({image.url})"
    )


def test_an_upload_without_alt_text_is_refused_and_nothing_is_stored(
    admin_client, media
):
    response = upload(admin_client, alt_text="   ")
    assert response.status_code == 400
    assert "alt text" in response.json()["error"]
    assert not Image.objects.exists()
    assert media.names() == []


def test_a_refused_file_leaves_no_record(admin_client):
    bad = SimpleUploadedFile("x.png", b"<html>not an image</html>", "image/png")
    response = upload(admin_client, file=bad)
    assert response.status_code == 400
    assert not Image.objects.exists()


def test_alt_text_cannot_break_the_markdown(admin_client):
    response = upload(admin_client, alt_text="A [link](javascript:x)\nsecond line")
    assert response.json()["image_code"].startswith("![A (link)(javascript:x) second")


def test_the_chooser_lists_recent_images_and_searches_them(admin_client):
    upload(admin_client, alt_text="Bletchley Park mansion")
    upload(admin_client, alt_text="Seoul skyline")
    everything = admin_client.get(LIBRARY_URL).json()["images"]
    assert [item["alt_text"] for item in everything] == [
        "Seoul skyline", "Bletchley Park mansion"
    ]  # fmt: skip
    found = admin_client.get(LIBRARY_URL, {"q": "bletchley"}).json()["images"]
    assert [item["markdown"] for item in found] == [
        Image.objects.get(alt_text__startswith="Bletchley").markdown()
    ]


def test_the_chooser_is_for_staff_only(client):
    assert client.get(LIBRARY_URL).status_code == 403


def test_the_library_shows_where_an_image_is_used(admin_client, media):
    upload(admin_client)
    image = Image.objects.get()
    article = ArticleFactory(title="Seoul report", body=f"Look: {image.markdown()}")
    PageFactory(title="Unrelated", body="No pictures here.")
    html = admin_client.get(
        reverse("admin:core_image_change", args=[image.pk])
    ).content.decode()
    assert "Article: Seoul report" in html
    assert reverse("admin:articles_article_change", args=[article.pk]) in html
    assert "Unrelated" not in html
    listing = admin_client.get(reverse("admin:core_image_changelist")).content.decode()
    assert f'src="{image.url}"' in listing  # a thumbnail


def test_deleting_an_image_in_use_is_refused_with_the_places(admin_client):
    upload(admin_client)
    image = Image.objects.get()
    PageFactory(title="About us", body=image.markdown(), draft=True)
    url = reverse("admin:core_image_delete", args=[image.pk])
    page = admin_client.get(url).content.decode()
    assert "Page: About us" in page
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert "Page: About us" in response.content.decode()
    assert Image.objects.filter(pk=image.pk).exists()


def test_bulk_deleting_refuses_images_in_use(admin_client, media_root):
    upload(admin_client, alt_text="Used")
    upload(admin_client, alt_text="Unused")
    used = Image.objects.get(alt_text="Used")
    SummitFactory(name="Paris summit", body=f"Intro\n\n{used.markdown()}")
    response = admin_client.post(
        reverse("admin:core_image_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [
                str(pk) for pk in Image.objects.values_list("pk", flat=True)
            ],
            "post": "yes",
        },
    )
    assert "Summit: Paris summit" in response.content.decode()
    assert Image.objects.count() == 2


def test_an_unused_image_is_deleted_with_its_file(
    admin_client, media, django_capture_on_commit_callbacks
):
    upload(admin_client)
    image = Image.objects.get()
    assert image.file.name in media.uploads()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:core_image_delete", args=[image.pk]), {"post": "yes"}
        )
    assert not Image.objects.exists()
    assert image.file.name not in media.uploads()


# --- removed HTML is reported -------------------------------------------------


def test_the_report_names_what_the_sanitiser_removes():
    assert removed_html("Hi <script>alert(1)</script>") == ["<script>"]
    assert removed_html("<p onclick='x()'>hi</p>") == ["the onclick attribute of <p>"]
    assert removed_html("[a](javascript:alert(1))") == [
        "the address “javascript:alert(1)” in <a>"
    ]


def test_ordinary_markdown_reports_nothing():
    text = "# Title\n\n**b** _i_ [l](https://x.org) ![a](/m.png) `<script>`\n\n"
    text += "| a | b |\n|:--|--:|\n| 1 | 2 |\n\nNote[^1]\n\n[^1]: A footnote."
    assert removed_html(text) == []


def test_the_demo_content_has_nothing_to_report():
    import json

    from exchange.management.commands.load_demo_content import DEMO_CONTENT

    document = json.loads(DEMO_CONTENT.read_text())
    for section in ("summits", "declarations", "articles"):
        for item in document[section]:
            for field in ("body", "text"):
                assert removed_html(item.get(field) or "") == [], item["slug"]


def test_a_script_typed_in_the_admin_is_reported_under_the_field(admin_client):
    response = admin_client.post(
        reverse("admin:pages_page_add"),
        {"title": "About", "slug": "about", "menu": "none", "menu_order": 0,
         "status": "draft", "body": "Hello <script>alert(1)</script>"},
    )  # fmt: skip
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["body"]
    assert "would be removed: <script>" in errors[0]
    from pages.models import Page

    assert not Page.objects.exists()


# --- small fixes --------------------------------------------------------------


def test_the_preview_banner_speaks_to_the_link_holder(client, admin_user):
    page = PageFactory(slug="draft", draft=True)
    _link, token = PreviewLink.create_for(
        page, PreviewLink.Lifetime.DAY, user=admin_user
    )
    html = client.get(reverse("editorial:preview", args=[token])).content.decode()
    assert "through a preview link you were given" in html
    assert "Only staff" not in html


def test_the_preview_banner_for_staff_says_who_can_see_it(admin_client):
    PageFactory(slug="draft", draft=True)
    html = admin_client.get("/draft/?preview=1").content.decode()
    assert "Only staff and holders of a preview link" in html


def test_a_past_summit_never_says_outcomes_will_be_added(client):
    today = timezone.localdate()
    SummitFactory(
        name="Old summit",
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today - datetime.timedelta(days=29),
    )
    SummitFactory(
        name="Next summit",
        starts_on=today + datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=31),
    )
    html = client.get(reverse("summits:summit_list")).content.decode()
    old, upcoming = html.split("Old summit")[1], html.split("Next summit")[1]
    assert "No outcome document from this summit is recorded yet." in old
    assert "will be added" not in old.split("Old summit")[0]
    assert "will be added" in upcoming.split("Old summit")[0]


def test_the_revision_compare_shows_dates_as_people_write_them(admin_client, settings):
    settings.TIME_ZONE = "UTC"
    page = PageFactory(title="About")
    for when in ("2024-09-05 14:03", "2024-10-01 09:30"):
        admin_client.post(
            reverse("admin:pages_page_change", args=[page.pk]),
            {"title": "About", "slug": page.slug, "body": page.body, "menu": "none",
             "menu_order": 0, "status": "published",
             "published_at_0": when.split()[0], "published_at_1": when.split()[1],
             "edit_token": current_edit_token(page)},
        )  # fmt: skip
    html = admin_client.get(
        reverse("admin:pages_page_compare", args=[page.pk])
    ).content.decode()
    assert "5 September 2024, 14:03" in html
    assert "1 October 2024, 09:30" in html
    assert "2024-09-05T" not in html


def current_edit_token(page):
    page.refresh_from_db()
    return page.updated_at.isoformat()


def test_the_roles_use_the_library_and_only_editors_delete_from_it():
    from django.contrib.auth.models import Group

    def codenames(name):
        group = Group.objects.get(name=name)
        return set(group.permissions.values_list("codename", flat=True))

    assert {"view_image", "add_image", "change_image", "delete_image"} <= codenames(
        "Editors"
    )
    assert {"view_image", "add_image", "change_image"} <= codenames("Contributors")
    assert "delete_image" not in codenames("Contributors")
    assert {"add_page", "change_page"} <= codenames("Contributors")
    assert "delete_page" not in codenames("Contributors")
