"""The markdown editor's preview and upload are for staff only.

django-markdownx leaves both open to anyone; ours refuse anonymous visitors
and logged-in non-staff users, and keep CSRF protection on.
"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

pytestmark = pytest.mark.django_db

PREVIEW_URL = "/markdownx/markdownify/"
UPLOAD_URL = "/markdownx/upload/"


def jpeg():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="JPEG")
    return SimpleUploadedFile("a.jpg", buffer.getvalue(), content_type="image/jpeg")


def preview(client):
    return client.post(
        PREVIEW_URL,
        {"content": "**bold** <script>alert(1)</script>"},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )


def upload(client):
    return client.post(
        UPLOAD_URL,
        {"image": jpeg(), "alt_text": "A test photo"},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )


@pytest.fixture
def media(media_storage):
    """Media on the local disk, then in an S3 bucket (tests/object_storage.py)."""
    return media_storage


@pytest.fixture
def member_client(client, django_user_model):
    """A logged-in user without staff status (a newsletter subscriber, say)."""
    member = django_user_model.objects.create_user("member", password="pw-member")
    client.force_login(member)
    return client


@pytest.fixture
def inactive_staff_client(client, django_user_model):
    former = django_user_model.objects.create_user(
        "former", password="pw-former", is_staff=True, is_active=True
    )
    client.force_login(former)
    former.is_active = False
    former.save()
    return client


def test_the_urls_keep_markdownxs_names():
    assert reverse("markdownx_markdownify") == PREVIEW_URL
    assert reverse("markdownx_upload") == UPLOAD_URL


@pytest.mark.parametrize("endpoint", [preview, upload], ids=["preview", "upload"])
def test_an_anonymous_visitor_is_refused(client, media, endpoint):
    response = endpoint(client)
    assert response.status_code == 403
    assert media.names() == []


@pytest.mark.parametrize("endpoint", [preview, upload], ids=["preview", "upload"])
def test_a_logged_in_user_who_is_not_staff_is_refused(member_client, media, endpoint):
    response = endpoint(member_client)
    assert response.status_code == 403
    assert media.names() == []


@pytest.mark.parametrize("endpoint", [preview, upload], ids=["preview", "upload"])
def test_a_deactivated_editor_is_refused(inactive_staff_client, media, endpoint):
    assert endpoint(inactive_staff_client).status_code == 403
    assert media.names() == []


def test_staff_get_a_sanitised_preview(staff_client):
    response = preview(staff_client)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>bold</strong>" in html
    assert "<script" not in html
    assert "no-cache" in response["Cache-Control"]


def test_staff_can_upload(staff_client, media):
    response = upload(staff_client)
    assert response.status_code == 200
    url = response.json()["image_code"].removeprefix("![A test photo](")[:-1]
    assert media.name_of(url).startswith("uploads/")
    assert media.name_of(url) in media.uploads()


def test_a_non_staff_user_with_a_contributor_like_group_is_still_refused(
    member_client, django_user_model
):
    from django.contrib.auth.models import Group

    group, _ = Group.objects.get_or_create(name="Contributors")
    django_user_model.objects.get(username="member").groups.add(group)
    assert preview(member_client).status_code == 403


@pytest.mark.parametrize("url", [PREVIEW_URL, UPLOAD_URL])
def test_staff_must_post(staff_client, url):
    assert staff_client.get(url).status_code == 405


@pytest.mark.parametrize("endpoint", [preview, upload], ids=["preview", "upload"])
def test_csrf_stays_on_for_staff(staff_user, media, endpoint):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)
    assert endpoint(client).status_code == 403
    assert media.names() == []


def test_a_preview_request_without_content_is_empty_not_an_error(staff_client):
    response = staff_client.post(PREVIEW_URL, {})
    assert response.status_code == 200
    assert response.content == b""
