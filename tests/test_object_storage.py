"""Media on S3-compatible object storage: configured from S3_* variables,
stored with a long cache lifetime, and a store that is down costs an upload
(with a message), never a page.

Against a real S3 server on loopback (tests/object_storage.py). The upload
hardening itself runs on S3 too: tests/test_uploads.py, test_renditions.py,
test_security_markdownx.py and test_editor_tools.py, through `media_storage`.
"""

import io
import json
import logging
import urllib.request

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image as PillowImage
from storages.backends.s3 import S3Storage

from articles.models import Article
from config.object_storage import MEDIA_CACHE_CONTROL, media_storage
from core.models import Image
from core.renditions import make_renditions
from core.storage import STORAGE_DOWN
from tests import object_storage
from tests.factories import ArticleFactory
from tests.test_admin import article_post
from tests.test_security_deploy import production_env, run_manage

pytestmark = [pytest.mark.django_db, pytest.mark.object_storage]

UPLOAD_URL = "/markdownx/upload/"


def png_bytes(size=(900, 600)):
    buffer = io.BytesIO()
    PillowImage.new("RGB", size, "seagreen").save(buffer, format="PNG")
    return buffer.getvalue()


def png_upload(name="photo.png"):
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def upload(client):
    return client.post(
        UPLOAD_URL,
        {"image": png_upload(), "alt_text": "Delegates at the table"},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )


def storage_options(**environ):
    storage, media_url = media_storage({"S3_BUCKET": "summitwatch-media", **environ})
    return storage["OPTIONS"], media_url


# --- configuration --------------------------------------------------------------


def test_without_a_bucket_media_stay_on_the_local_disk():
    assert media_storage({}) is None
    assert media_storage({"S3_BUCKET": "  ", "S3_ENDPOINT_URL": "http://x"}) is None


def test_a_bucket_on_an_s3_compatible_server_is_read_at_its_path():
    options, media_url = storage_options(
        S3_ENDPOINT_URL="http://127.0.0.1:9000/",
        S3_ACCESS_KEY_ID="key",
        S3_SECRET_ACCESS_KEY="secret",
    )
    assert media_url == "http://127.0.0.1:9000/summitwatch-media/"
    assert options["endpoint_url"] == "http://127.0.0.1:9000"
    assert (options["access_key"], options["secret_key"]) == ("key", "secret")
    assert options["client_config"].s3 == {"addressing_style": "path"}
    # Public, unsigned URLs; names never replaced; a year in every cache.
    assert options["querystring_auth"] is False
    assert options["file_overwrite"] is False
    assert options["object_parameters"] == {"CacheControl": MEDIA_CACHE_CONTROL}
    assert MEDIA_CACHE_CONTROL == "public, max-age=31536000, immutable"


def test_a_public_url_such_as_a_cdn_gives_every_media_url_without_a_request():
    options, media_url = storage_options(
        S3_REGION="eu-west-3", S3_PUBLIC_URL="https://media.example.org/summitwatch"
    )
    assert media_url == "https://media.example.org/summitwatch/"
    storage = S3Storage(**options)
    assert storage.url("uploads/a b.jpg") == (
        "https://media.example.org/summitwatch/uploads/a%20b.jpg"
    )


def test_amazon_s3_needs_only_a_bucket_and_a_region():
    options, media_url = storage_options(S3_REGION="eu-west-3")
    assert media_url == "https://summitwatch-media.s3.eu-west-3.amazonaws.com/"
    assert options["endpoint_url"] is None and options["region_name"] == "eu-west-3"
    # No keys: boto3 finds them itself (AWS_ACCESS_KEY_ID, an instance role).
    assert options["access_key"] is None and options["secret_key"] is None
    assert options["client_config"].s3 == {"addressing_style": "auto"}


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("S3_PUBLIC_URL", "media.example.org"),
        ("S3_PUBLIC_URL", "ftp://media.example.org/"),
        ("S3_PUBLIC_URL", "https://media.example.org/?signed=1"),
        ("S3_ENDPOINT_URL", "127.0.0.1:9000"),
        ("S3_ADDRESSING_STYLE", "sideways"),
    ],
)
def test_a_value_that_cannot_work_stops_the_start_with_its_name(variable, value):
    with pytest.raises(ImproperlyConfigured, match=variable):
        media_storage({"S3_BUCKET": "summitwatch-media", variable: value})


def settings_in_production(**environ):
    code = (
        "import json; from django.conf import settings; from django.urls import "
        "resolve, Resolver404\n"
        "try:\n    resolve('/media/uploads/x.jpg'); serves = True\n"
        "except Resolver404:\n    serves = False\n"
        "print(json.dumps({'backend': settings.STORAGES['default']['BACKEND'], "
        "'media_url': settings.MEDIA_URL, 'serve_media': settings.SERVE_MEDIA, "
        "'serves_media': serves, 'img_src': settings.CONTENT_SECURITY_POLICY"
        "['DIRECTIVES']['img-src']}))"
    )
    env = {
        key: value
        for key, value in production_env(**environ).items()
        if not key.startswith("S3_") or key in environ
    }
    result = run_manage(["shell", "-c", code], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_reads_the_bucket_from_the_environment():
    on_s3 = settings_in_production(
        S3_BUCKET="summitwatch-media", S3_PUBLIC_URL="https://media.example.org/"
    )
    assert on_s3 == {
        "backend": "storages.backends.s3.S3Storage",
        "media_url": "https://media.example.org/",
        # The store serves the files; Django's /media/ view is not mounted.
        "serve_media": False,
        "serves_media": False,
        # Pages may show images from the store's address, and only from there.
        "img_src": ["'self'", "data:", "https://media.example.org"],
    }
    on_disk = settings_in_production()
    assert on_disk["backend"] == "django.core.files.storage.FileSystemStorage"
    assert on_disk["media_url"] == "/media/" and on_disk["serves_media"]


# --- what is stored ----------------------------------------------------------------


def test_an_upload_and_its_renditions_are_stored_with_a_year_of_cache(
    staff_client, s3_media
):
    response = upload(staff_client)
    assert response.status_code == 200, response.content
    url = response.json()["url"]
    name = s3_media.name_of(url)
    renditions = [n for n in s3_media.names() if n.startswith("renditions/")]
    assert any(n.endswith(".webp") for n in renditions)
    for stored in [name, *renditions]:
        assert s3_media.head(stored)["CacheControl"] == MEDIA_CACHE_CONTROL, stored
    # Anyone can read it at the URL the page prints, with those headers.
    with urllib.request.urlopen(url, timeout=10) as public:
        assert public.status == 200
        assert public.headers["Content-Type"] == "image/png"
        assert public.headers["Cache-Control"] == MEDIA_CACHE_CONTROL
        assert public.read() == s3_media.read(name)


def test_a_stored_name_is_never_overwritten(s3_media):
    first = default_storage.save("uploads/photo.jpg", ContentFile(b"first"))
    second = default_storage.save("uploads/photo.jpg", ContentFile(b"second"))
    assert first == "uploads/photo.jpg" and second != first
    assert s3_media.read(first) == b"first"


def test_an_article_cover_goes_to_the_bucket_with_its_renditions(client, s3_media):
    article = ArticleFactory(cover_image=png_upload(), cover_image_alt="The hall")
    article.refresh_from_db()
    assert article.cover_image.name in s3_media.uploads()
    assert article.cover_renditions["width"] == 900
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'srcset="{object_storage_url(s3_media)}renditions/' in html


def object_storage_url(media):
    return f"{media.endpoint}/{media.bucket}/"


# --- a store that is down ------------------------------------------------------------


@pytest.fixture
def storage_calls(monkeypatch):
    """Every request the site makes to the object store, by operation name."""
    from botocore.client import BaseClient

    calls = []
    original = BaseClient._make_api_call

    def recording(self, operation_name, api_params):
        calls.append(operation_name)
        return original(self, operation_name, api_params)

    monkeypatch.setattr(BaseClient, "_make_api_call", recording)
    return calls


def take_store_down(settings, media):
    """The same bucket and public URL, but nothing answers at the endpoint."""
    object_storage.use_storage(
        settings,
        {
            **object_storage.bucket_environment(
                object_storage.closed_port_endpoint(), media.bucket
            ),
            "S3_PUBLIC_URL": object_storage_url(media),
        },
    )


@pytest.fixture
def store_down(settings, s3_media):
    take_store_down(settings, s3_media)
    return s3_media


def test_an_upload_while_the_store_is_down_says_so_and_saves_nothing(
    staff_client, store_down, caplog
):
    with caplog.at_level(logging.WARNING, logger="core.views"):
        response = upload(staff_client)
    assert response.status_code == 503
    assert response.json() == {"error": STORAGE_DOWN}
    assert not Image.objects.exists()
    assert "Media storage refused an upload" in caplog.text


def test_adding_to_the_media_library_while_the_store_is_down_is_a_form_error(
    staff_client, store_down
):
    response = staff_client.post(
        reverse("admin:core_image_add"),
        {"file": png_upload(), "alt_text": "The summit hall", "caption": "Paris"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert STORAGE_DOWN in html
    assert 'value="The summit hall"' in html  # what the editor typed is kept
    assert not Image.objects.exists()


def test_a_new_cover_while_the_store_is_down_keeps_the_editors_article(
    staff_client, store_down
):
    data = article_post(
        Article(title="Report from Paris", kind="post", lede="Short.", body=""),
        body="Three pages the editor typed.",
        cover_image=png_upload(),
        cover_image_alt="The summit hall",
    )
    response = staff_client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert STORAGE_DOWN in html
    assert "Three pages the editor typed." in html
    assert not Article.objects.exists()


def test_public_pages_render_without_asking_the_store(
    client, staff_client, settings, s3_media, storage_calls
):
    photo = default_storage.save("uploads/photo.png", ContentFile(png_bytes()))
    make_renditions(photo)
    image = Image.objects.create(file=photo, alt_text="Delegates", width=900)
    article = ArticleFactory(
        title="Report from Paris",
        cover_image=png_upload(),
        cover_image_alt="The summit hall",
        body=f"Seen there:\n\n{image.markdown()}",
    )
    assert "<picture>" in article.body_html
    take_store_down(settings, s3_media)
    storage_calls.clear()

    pages = ["/", "/articles/", article.get_absolute_url(), "/articles/feed/",
             "/sitemap.xml", "/search/?q=Paris"]  # fmt: skip
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
    detail = client.get(article.get_absolute_url()).content.decode()
    assert detail.count("<picture>") == 2  # the cover and the body's image
    assert f'content="{article.cover_image.url}"' in detail  # the link preview
    # Editors' screens too: the article, the media library, the image.
    for path in (
        reverse("admin:articles_article_change", args=[article.pk]),
        reverse("admin:core_image_changelist"),
        reverse("admin:core_image_change", args=[image.pk]),
    ):
        assert staff_client.get(path).status_code == 200, path
    assert storage_calls == []


def test_saving_an_article_while_the_store_is_down_shows_its_image_plainly(
    settings, s3_media, caplog
):
    photo = default_storage.save("uploads/photo.png", ContentFile(png_bytes()))
    make_renditions(photo)
    url = default_storage.url(photo)
    take_store_down(settings, s3_media)
    with caplog.at_level(logging.WARNING, logger="core.renditions"):
        article = ArticleFactory(body=f"![The hall]({url})")
    # Saved; the image shows from its original until the next save.
    assert f'<img alt="The hall" src="{url}">' in article.body_html
    assert "<picture>" not in article.body_html
    assert "Could not read the renditions" in caplog.text


def test_deleting_an_unused_image_while_the_store_is_down_still_deletes_it(
    staff_client, settings, s3_media, caplog, django_capture_on_commit_callbacks
):
    photo = default_storage.save("uploads/photo.png", ContentFile(png_bytes()))
    image = Image.objects.create(file=photo, alt_text="Unused")
    take_store_down(settings, s3_media)
    with (
        caplog.at_level(logging.WARNING, logger="core.signals"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = staff_client.post(
            reverse("admin:core_image_delete", args=[image.pk]), {"post": "yes"}
        )
    assert response.status_code == 302
    assert not Image.objects.exists()
    assert f"Could not delete {photo}" in caplog.text
